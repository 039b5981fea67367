import CreneauDomain
import Hummingbird

/// Reads `Authorization: Bearer <token>` into `context.identity`. No header: a
/// visitor. A header that is not a live session: 401, so a client never
/// mistakes an expired token for anonymous access.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.lowercased().hasPrefix("bearer "), case let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), !token.isEmpty,
              let identity = try await authenticator.identity(token: token) else {
            throw APIError(.unauthorized, code: "session_ended", message: "Your session has ended or the token is not valid. Sign in again.")
        }
        var context = context
        context.identity = identity
        context.sessionToken = token
        return try await next(request, context)
    }
}
