import CreneauDomain
import Foundation
import Hummingbird

/// `GET /healthz`: 200 only when the database answers, so a load balancer
/// takes an instance out when its database is gone — and 503 within `deadline`
/// whatever the database does (a frozen server must not freeze the probe).
struct HealthController: Sendable {
    let health: any HealthRepository
    var deadline: Duration = .seconds(2)

    func register(on router: Router<AppRequestContext>) {
        router.get("/healthz") { _, context in try await self.check(context: context) }
    }

    func check(context: AppRequestContext) async throws -> Response {
        do {
            let health = self.health
            try await Deadline.run(within: deadline) { try await health.ping() }
        } catch {
            context.logger.warning("Health check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.unavailable("The database is not answering.")
        }
        return try JSON.response(["status": "ok", "database": "ok"])
    }
}

/// JSON responses with one encoder configuration for the whole API.
enum JSON {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        response(data: try encode(value), status: status)
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func response(data: Data, status: HTTPResponse.Status = .ok) -> Response {
        response(body: ByteBuffer(bytes: data), status: status)
    }

    static func response(body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: body))
    }
}
