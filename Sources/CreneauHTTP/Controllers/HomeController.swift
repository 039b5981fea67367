import CreneauDomain
import Foundation
import Hummingbird

/// `GET /robots.txt`: keeps crawlers off the API (the home page is `PatientPagesController`'s).
struct HomeController: Sendable {
    func register(on router: Router<AppRequestContext>) {
        // The cheapest answer the server gives: the ceiling benchmarks compare against.
        router.get("/robots.txt") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "public, max-age=86400"],
                     body: .init(byteBuffer: ByteBuffer(string: "User-agent: *\nDisallow: /api/\n")))
        }
    }
}
