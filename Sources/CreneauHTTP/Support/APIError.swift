import HTTPTypes

/// An error a route raises on purpose, with the status and the message a
/// person reads. Every other error is mapped in `ErrorMiddleware`.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// Stable, machine-readable ("invalid_parameter").
    public var code: String
    /// Plain language, safe to show.
    public var message: String
    /// Free slots to offer instead (a slot just taken): RFC 3339 start and end.
    public var alternatives: [Alternative]?
    /// Seconds before trying again (429).
    public var retryAfter: Int?

    public struct Alternative: Sendable, Equatable, Encodable {
        public var start: String
        public var end: String
    }

    public init(_ status: HTTPResponse.Status, code: String, message: String, alternatives: [Alternative]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.alternatives = alternatives
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    public static func unprocessable(_ message: String, code: String = "rule_refused") -> APIError {
        APIError(.unprocessableContent, code: code, message: message)
    }

    public static func conflict(_ message: String, code: String = "conflict") -> APIError {
        APIError(.conflict, code: code, message: message)
    }

    /// The database (or another dependency) is not there for us now: try again in a few seconds.
    public static func unavailable(_ message: String) -> APIError {
        var error = APIError(.serviceUnavailable, code: "unavailable", message: message)
        error.retryAfter = 5
        return error
    }
}

/// The one JSON error shape of the API: `{"error":{"code","message"}}`.
struct ErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
        let requestId: String?
        let nextSlots: [APIError.Alternative]?
    }
    let error: Detail
}
