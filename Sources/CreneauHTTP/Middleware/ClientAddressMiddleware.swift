import HTTPTypes
import Hummingbird

/// Works out the client's address for rate limits. Behind a reverse proxy or load
/// balancer every connection comes from the proxy; when the connection comes from a
/// proxy listed in `CRENEAU_TRUSTED_PROXIES`, the right-most `X-Forwarded-For` entry
/// that is not itself a trusted proxy is the client. Otherwise the header is ignored:
/// anyone can write it.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = Self.client(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor], trusted: trustedProxies)
        return try await next(request, context)
    }

    static func client(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String {
        guard let peer else { return "local" }
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trusted.contains($0) } ?? peer
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
