import CreneauDomain
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The one place where errors become HTTP responses. Known errors keep their
/// meaning (400, 404, 409, 422, 503); anything else is a 500 with the request
/// id and a generic message, logged in full on the server only — never
/// `"\(error)"` sent to a client.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The pages' renderer: a browser on a page gets its error as a page.
    let pages: Result<WebPages, any Error>

    public init(pages: Result<WebPages, any Error>) { self.pages = pages }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.map(error)
            if apiError.status == .internalServerError {
                context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            } else if apiError.status == .serviceUnavailable {
                context.logger.warning("Dependency unavailable", metadata: ["error": "\(String(reflecting: error))"])
            }
            if Self.wantsPage(request), let pages = try? pages.get(), let page = try? Self.page(for: apiError, request: request, requestID: context.id, pages: pages) {
                return page
            }
            return Self.response(for: apiError, requestID: context.id)
        }
    }

    /// A browser on a page (not the API) gets a page in its language, never JSON or a trace.
    static func wantsPage(_ request: Request) -> Bool {
        !request.uri.path.hasPrefix("/api/") && (request.headers[.accept]?.contains("text/html") ?? false)
    }

    static func page(for error: APIError, request: Request, requestID: String, pages: WebPages) throws -> Response {
        let page = PageContext(request)
        let language = page.language
        let (title, text): (String, String)
        switch (error.status, error.code) {
        case (.notFound, _): (title, text) = (pages.text("not_found_title", language), pages.text("not_found_text", language))
        case (_, "csrf_failed"): (title, text) = (pages.text("error_title", language), pages.text("expired_form_text", language))
        case (.tooManyRequests, _): (title, text) = (pages.text("error_title", language), pages.text("too_many_text", language))
        // A form that came back damaged (an edited page, a stale bookmark): the API's sentence is English.
        case (.badRequest, _), (.contentTooLarge, _): (title, text) = (pages.text("error_title", language), pages.text("bad_form_text", language))
        case (.internalServerError, _), (.serviceUnavailable, _):
            (title, text) = (pages.text("error_title", language), pages.text("generic_error_text", language) + requestID)
        default: (title, text) = (pages.text("error_title", language), error.message)
        }
        var response = try pages.render("message", page, title: title, values: ["text": text, "kind": "error", "role": "alert"], status: error.status)
        if let wait = error.retryAfter { response.headers[.retryAfter] = String(wait) }
        response.headers[.requestID] = requestID
        return response
    }

    static func map(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as RepositoryError:
            switch error {
            case .notFound: return .notFound("This record does not exist.")
            case .duplicate: return .conflict("This record already exists.", code: "duplicate")
            case .missingReference: return .unprocessable("This refers to a record that does not exist.", code: "missing_reference")
            case .invalidValue: return .unprocessable("A value is outside what is allowed.", code: "invalid_value")
            case .unavailable: return .unavailable("The database is not answering. Please try again in a moment.")
            }
        case let error as BookingError:
            return map(error)
        case let error as AccountError:
            switch error {
            case .refused(let problem): return .unprocessable(problem.message, code: problem.code.rawValue)
            case .notFound(let message): return .notFound(message)
            case .conflict(let code, let message): return .conflict(message, code: code)
            }
        case is IdempotencyKeyUsed:
            return .conflict("A request with this Idempotency-Key is already being processed. Wait for its answer before retrying.", code: "idempotency_key_in_use")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
        case is DecodingError:
            return .badRequest("The request body is not valid JSON of the expected shape.", code: "malformed_body")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound("There is nothing at this address.")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: "This method is not allowed here.")
            case .contentTooLarge: return APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
            case .badRequest: return .badRequest(error.body ?? "The request is malformed.")
            default: return APIError(error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, code: "internal_error", message: "Something went wrong on our side. The request id helps us find it.")
        }
    }

    static func map(_ error: BookingError) -> APIError {
        switch error {
        case .notFound(let message):
            return .notFound(message)
        case .refused(let violation):
            return .unprocessable(violation.message, code: violation.code.rawValue)
        case .slotTaken(let next, let timeZone):
            let message = next.isEmpty
                ? "This slot has just been taken, and no other is free soon. Try another practitioner or a later date."
                : "This slot has just been taken by someone else. Here are the next free ones."
            return APIError(.conflict, code: "slot_taken", message: message, alternatives: next.map {
                APIError.Alternative(start: RFC3339.format($0.start, in: timeZone), end: RFC3339.format($0.end, in: timeZone))
            })
        case .invalidTransition(let message):
            return .conflict(message, code: "invalid_transition")
        case .changedMeanwhile:
            return .conflict("This appointment was changed by someone else meanwhile. Reload it and try again.", code: "changed_meanwhile")
        case .forbidden(let message):
            return APIError(.forbidden, code: "forbidden", message: message)
        }
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
