import CreneauDomain
@preconcurrency import Crypto
import Foundation
import Hummingbird

/// How a browser carries its session: a cookie the page's scripts cannot read, sent
/// only to this host, and a CSRF token derived from it that every state-changing
/// request must echo (a form's `_csrf` field or the `X-CSRF-Token` header).
///
/// Under TLS the cookie is `__Host-creneau_session` with `Secure` (the prefix makes
/// browsers refuse it without Secure, a Domain or a Path other than /); over plain
/// HTTP (the embedded demo on 127.0.0.1) it is `creneau_session`.
public struct BrowserSession: Sendable {
    public let secure: Bool

    public init(secure: Bool) { self.secure = secure }

    public var cookieName: String { secure ? "__Host-creneau_session" : "creneau_session" }

    /// `SameSite=Lax`: sent when following a link from an email, never on a cross-site POST.
    public func setCookie(_ token: String, maxAge: TimeInterval) -> String {
        "\(cookieName)=\(token); Path=/; Max-Age=\(Int(maxAge)); HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    public func clearCookie() -> String {
        "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    /// The session token from a `Cookie` header, if present.
    public func token(in request: Request) -> String? { Self.cookie(cookieName, in: request) }

    /// The CSRF token of a session: an HMAC of a fixed label under the session token, so
    /// it is known to the pages of that session only and needs no storage.
    public static func csrfToken(forSession token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("creneau csrf v1".utf8), using: SymmetricKey(data: Data(token.utf8)))
        return TokenGenerator.base64URL(Array(mac))
    }

    /// Forms shown before anyone signs in (sign-in, forgotten password, a link's
    /// confirmation) are guarded by a double-submit token: a random value in this
    /// cookie, repeated in the form's `_csrf` field. Another site can make a browser
    /// send the cookie, but cannot read it to fill in the field.
    public var formCookieName: String { secure ? "__Host-creneau_form" : "creneau_form" }

    public func formToken(in request: Request) -> String? { Self.cookie(formCookieName, in: request) }

    public func setFormCookie(_ token: String) -> String {
        "\(formCookieName)=\(token); Path=/; HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    let value = parts[1].trimmingCharacters(in: .whitespaces)
                    return value.isEmpty || value.count > 100 ? nil : value
                }
            }
        }
        return nil
    }

    /// Compares in time independent of where the strings differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool { ConstantTime.equals(a, b) }
}
