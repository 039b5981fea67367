import CreneauDomain
import Foundation
import Hummingbird
import NIOCore

/// Errors of the FHIR surface (`/fhir…`) as an OperationOutcome: the status the one error
/// mapping chose, FHIR's issue type for it, Creneau's stable code in `details` (the rule a
/// booking broke: `slot_taken`, `too_far_ahead`…) and the sentence a person reads.
struct FHIRErrorRenderer: ErrorRenderer {
    func render(_ error: APIError, for request: Request, requestID: String) -> Response? {
        let path = request.uri.path
        guard path == "/fhir" || path.hasPrefix("/fhir/") else { return nil }
        var response = FHIRResponse.resource(Self.outcome(for: error, requestID: requestID), status: error.status)
        if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        if error.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static func outcome(for error: APIError, requestID: String) -> FHIROperationOutcome {
        var diagnostics = "Request \(requestID)."
        if let next = error.alternatives, !next.isEmpty {
            diagnostics += " Next free: " + next.prefix(3).map(\.start).joined(separator: ", ") + "."
        }
        return FHIROperationOutcome(issue: [.init(
            severity: error.status.code >= 500 ? "fatal" : "error", code: issueType(error),
            details: FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystems.errorCode, code: error.code)], text: error.message),
            diagnostics: diagnostics)])
    }

    /// FHIR's issue-type code for a status (http://hl7.org/fhir/issue-type).
    static func issueType(_ error: APIError) -> String {
        switch error.status.code {
        case 400: error.code == "unsupported_parameter" ? "not-supported" : "invalid"
        case 401: "login"
        case 403: "forbidden"
        case 404, 410: "not-found"
        case 405, 406, 415: "not-supported"
        case 409: error.code == "slot_taken" ? "conflict" : "business-rule"
        case 412: "conflict"
        case 413: "too-costly"
        case 422: "business-rule"
        case 429: "throttled"
        case 503, 504: "transient"
        default: "exception"
        }
    }
}

/// FHIR JSON responses: `application/fhir+json`, not cached (they may name patients).
enum FHIRResponse {
    static let contentType = "application/fhir+json; charset=utf-8"

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func resource<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encode(value)) ?? Data(#"{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]}"#.utf8)
        return Self.data(data, status: status)
    }

    static func data(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
