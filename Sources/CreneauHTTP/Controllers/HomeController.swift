import CreneauDomain
import Foundation
import Hummingbird

/// `GET /`: the first page a newcomer opens. It shows what this instance
/// holds, read from the database, and where the API and health endpoints are.
/// The patient and staff web application replaces it as it lands.
struct HomeController: Sendable {
    let organisation: any OrganisationRepository
    let practitioners: any PractitionerRepository

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { _, _ in try await self.page() }
        // The cheapest answer the server gives: the ceiling benchmarks compare against.
        router.get("/robots.txt") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "public, max-age=86400"],
                     body: .init(byteBuffer: ByteBuffer(string: "User-agent: *\nDisallow: /api/\n")))
        }
    }

    func page() async throws -> Response {
        let sites = try await organisation.sites()
        var sections = ""
        for site in sites.prefix(50) {
            // Sorted as a French reader expects ("Pédiatrie" before "Podologie"), not by byte order.
            let departments = try await organisation.departments(siteID: site.id).sorted { SearchText.fold($0.name) < SearchText.fold($1.name) }
            let items = departments.map { department in
                let search = "/api/v1/search?specialty=\(department.specialty.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")&site=\(site.slug.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")"
                return "<li><a href=\"\(HTML.escape(search))\">\(HTML.escape(department.name))</a></li>"
            }.joined()
            sections += "<section><h2>\(HTML.escape(site.name))</h2><p>\(HTML.escape(site.city)) · \(departments.count) services</p><ul>\(items)</ul></section>"
        }
        let count = try await practitioners.practitionerCount()
        let body = """
            <!doctype html>
            <html lang="fr">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Creneau – prise de rendez-vous</title>
            <style>
            body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
            h1{color:#0b4f8a}section{border-top:1px solid #ccc;padding-top:.5rem}code{background:#f2f2f2;padding:0 .25rem}
            </style>
            </head>
            <body>
            <main>
            <h1>Creneau</h1>
            <p>Prise de rendez-vous en ligne pour les hôpitaux et centres de santé publics.</p>
            <p><strong>\(sites.count)</strong> établissement(s), <strong>\(count)</strong> praticien(ne)s.</p>
            \(sections)
            <section><h2>Pour les équipes techniques</h2>
            <ul><li><a href="/healthz"><code>/healthz</code></a> – état du serveur et de la base</li>
            <li><a href="/metrics"><code>/metrics</code></a> – métriques Prometheus</li>
            <li><a href="/api/v1/practitioners"><code>/api/v1/practitioners</code></a> – praticiens (API v1, JSON) ; chaque service ci-dessus mène aux premiers créneaux libres de ses praticiens</li></ul></section>
            </main>
            </body>
            </html>
            """
        return Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
