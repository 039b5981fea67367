import HTTPTypes
import Hummingbird

/// Headers every response carries (OWASP ASVS 14.4): no MIME sniffing, no
/// framing, no referrer leaking ids in URLs, and a Content-Security-Policy that
/// lets a page load only from this server. Responses that do not say how they
/// may be cached are not cached: they may show patient data.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Only behind https: HSTS on a plain-http address would lock browsers out.
    let strictTransportSecurity: Bool

    public init(strictTransportSecurity: Bool = false) {
        self.strictTransportSecurity = strictTransportSecurity
    }

    static var contentSecurityPolicy: String { "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'" }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        if strictTransportSecurity {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
}
