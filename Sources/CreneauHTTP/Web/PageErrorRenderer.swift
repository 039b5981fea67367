import CreneauDomain
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Errors as the pages show them: a page in the reader's language (404, an expired form,
/// too many attempts, a damaged form, our fault with the request id), never JSON or a trace.
struct PageErrorRenderer: ErrorRenderer {
    let pages: Result<WebPages, any Error>

    func render(_ error: APIError, for request: Request, requestID: String) -> Response? {
        // A staff or admin page asked by someone else: the sign-in page, whatever it accepts.
        if error.code == PageSignInRequired.code { return StaffPagesController.signIn }
        guard Self.wants(request), let pages = try? pages.get() else { return nil }
        return try? Self.page(for: error, request: request, requestID: requestID, pages: pages)
    }

    /// A browser on a page (not the API) gets a page in its language, never JSON or a trace.
    static func wants(_ request: Request) -> Bool {
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
        // A link with a date years away (edited, or very old): say so, not "the form could not be read".
        case (.badRequest, "date_out_of_range"): (title, text) = (pages.text("error_title", language), pages.text("date_out_of_range_text", language))
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
}
