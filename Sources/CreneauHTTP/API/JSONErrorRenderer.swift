import CreneauDomain
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Errors as the JSON API writes them: `{"error":{"code","message","requestId"}}` (with
/// `nextSlots` for a taken slot), `Retry-After` when waiting helps. The default renderer.
struct JSONErrorRenderer: ErrorRenderer {
    func render(_ error: APIError, for request: Request, requestID: String) -> Response? {
        Self.response(for: error, requestID: requestID)
    }

    static func response(for error: APIError, requestID: String) -> Response {
        let body = ErrorBody(error: .init(code: error.code, message: error.message, requestId: requestID, nextSlots: error.alternatives))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"code":"internal_error","message":"Error"}}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
