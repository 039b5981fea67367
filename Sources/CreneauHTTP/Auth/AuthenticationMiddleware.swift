import CreneauDomain
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads who is asking into `context.identity`: an `Authorization: Bearer` token
/// (API clients), or the browser's session cookie.
///
/// A bearer token that is not a live session is a 401, so a client never mistakes an
/// expired token for anonymous access. A cookie that is not (or no longer) a live session
/// makes a visitor and is cleared. A request carried by the cookie that changes anything
/// (POST, PUT, PATCH, DELETE) must echo the session's CSRF token, else 403: another
/// site can make a browser send the cookie, never the token.
///
/// Whatever carries it, a request that changes anything without a bearer token must come
/// from this site: a browser's `Sec-Fetch-Site` must not say `cross-site`, and its `Origin`,
/// when sent, must be this server's. A visitor's request (no session yet: sign-in, sign-up,
/// a booking) must be JSON — which another site cannot send without our consent —, or one
/// of our forms with its token, or carry no body at all: a `text/plain` or multipart body
/// is exactly what a cross-site form sends, so it is refused whatever its route.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator
    let browser: BrowserSession
    /// `https://rdv.hopital.fr` when configured; otherwise the request's own `Host` is the origin.
    var publicOrigin: String?

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let safeMethods: Set<HTTPRequest.Method> = [.get, .head, .options]

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer "), case let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), !token.isEmpty,
                  let identity = try await authenticator.identity(token: token) else {
                throw APIError(.unauthorized, code: "session_ended", message: "Your session has ended or the token is not valid. Sign in again.")
            }
            var context = context
            context.identity = identity
            context.sessionToken = token
            return try await next(request, context)
        }
        if !Self.safeMethods.contains(request.method) { try checkOrigin(request) }
        guard let token = browser.token(in: request) else {
            guard !Self.safeMethods.contains(request.method) else { return try await next(request, context) }
            // A visitor's form (no session yet): the double-submit token must match its cookie.
            // A form body sent to the API without one is a client that forgot its JSON content
            // type (curl -d does that): tell it so rather than "this page has expired".
            if Self.isForm(request), request.uri.path.hasPrefix("/api/"), browser.formToken(in: request) == nil { throw Self.notJSON }
            if Self.isForm(request) {
                guard let expected = browser.formToken(in: request) else { throw Self.refused }
                return try await next(try await requireCSRF(request, expected: expected), context)
            }
            guard Self.isJSON(request) || Self.hasNoBody(request) else { throw Self.notJSON }
            return try await next(request, context)
        }
        guard let identity = try await authenticator.identity(token: token, kind: .browser) else {
            // A visitor now, told to forget the cookie whatever the route answers (errors
            // included: they are mapped here, by the one mapping, to carry the header).
            var response: Response
            do {
                response = try await next(request, context)
            } catch {
                response = JSONErrorRenderer.response(for: ErrorMapping.map(error), requestID: context.id)
            }
            response.headers[values: .setCookie].append(browser.clearCookie())
            return response
        }
        var request = request
        if !Self.safeMethods.contains(request.method) {
            request = try await requireCSRF(request, expected: BrowserSession.csrfToken(forSession: token))
        }
        var context = context
        context.identity = identity
        context.sessionToken = token
        context.sessionKind = .browser
        return try await next(request, context)
    }

    /// The token from the header, or from the `_csrf` field of a form (the body is read,
    /// bounded, and handed on unchanged).
    func requireCSRF(_ request: Request, expected: String) async throws -> Request {
        if let given = request.headers[Self.csrfHeader] {
            guard BrowserSession.constantTimeEquals(given, expected) else { throw Self.refused }
            return request
        }
        guard Self.isForm(request) else { throw Self.refused }
        var request = request
        let body = try await request.collectBody(upTo: FormBody.limit(for: request.uri.path))
        guard let given = FormBody.fields(String(buffer: body))["_csrf"], BrowserSession.constantTimeEquals(given, expected) else { throw Self.refused }
        return request
    }

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
    }

    /// `application/json` (or `application/…+json`): a type no cross-site form or simple request can send.
    static func isJSON(_ request: Request) -> Bool {
        guard let type = request.headers[.contentType]?.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces) else { return false }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    static func hasNoBody(_ request: Request) -> Bool {
        request.headers[.contentType] == nil && request.headers[.transferEncoding] == nil
            && (request.headers[.contentLength] == nil || request.headers[.contentLength] == "0")
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// Refuses a browser's request sent from another site (`Sec-Fetch-Site`, then `Origin`).
    func checkOrigin(_ request: Request) throws {
        if let site = request.headers[Self.secFetchSite]?.lowercased(), site == "cross-site" { throw Self.crossSite }
        // Our pages send `Referrer-Policy: no-referrer`, under which a browser writes the Origin
        // of its own form posts as "null": nothing to compare, so `Sec-Fetch-Site` and the
        // CSRF tokens decide.
        guard let origin = request.headers[.origin], origin.lowercased() != "null" else { return }
        guard let given = Origin(text: origin) else { throw Self.crossSite }
        if let publicOrigin {
            guard given.text == publicOrigin else { throw Self.crossSite }
        } else {
            // No public address configured (development, tests): the origin's host and port must be the request's Host.
            guard let host = request.head.authority?.lowercased(), given.authority == host else { throw Self.crossSite }
        }
    }

    static let crossSite = APIError(.forbidden, code: "cross_site", message: "This request came from another site and was refused.")
    static let notJSON = APIError(.unsupportedMediaType, code: "unsupported_media_type",
                                  message: "Send the request body as JSON, with the header Content-Type: application/json.")

    static let refused = APIError(.forbidden, code: "csrf_failed", message: "This page has expired. Reload it and try again.")
}
