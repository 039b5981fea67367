import Foundation
import Hummingbird

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of API v1
/// (`Resources/openapi.json`). `OpenAPITests` keeps it true: every route of the router is in
/// it, and real answers validate against its schemas; CI fuzzes the server from it (schemathesis).
struct OpenAPIController: Sendable {
    static let document: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json").flatMap { try? Data(contentsOf: $0) }

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/openapi.json") { _, _ in
            guard let document = Self.document else { throw APIError.unavailable("The API description is missing from this build.") }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
