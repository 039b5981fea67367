import CreneauDomain
import Foundation
import Hummingbird

/// `POST /api/v1/sessions` (sign in: email, password, code → bearer token),
/// `DELETE /api/v1/sessions/current` (sign out), `GET /api/v1/me`.
struct SessionsController: Sendable {
    let authenticator: Authenticator
    let browser: BrowserSession

    struct PasswordBody: Decodable {
        let currentPassword: String?
        let newPassword: String?
    }

    struct SignInBody: Decodable {
        let email: String?
        let password: String?
        let code: String?
        /// "browser": the session is a cookie (with a CSRF token) instead of a bearer token.
        let session: String?
    }

    struct ChallengeBody: Decodable {
        let challenge: String?
        let code: String?
        let session: String?
    }

    static func kind(_ text: String?) throws -> SessionRecord.Kind {
        switch text {
        case nil, "api": return .api
        case "browser": return .browser
        default: throw APIError.badRequest("\"session\" is \"api\" (a bearer token) or \"browser\" (a cookie).", code: "invalid_field")
        }
    }

    /// A patient's sign-in half done: the code is in their mailbox.
    struct ChallengeJSON: Encodable {
        let challenge: String
        let method = "email"
        let sentTo: String
        let expiresAt: String
        let message: String
    }

    /// A bearer token for API clients; for a browser, the token stays in its HttpOnly
    /// cookie and the answer carries the CSRF token that state-changing requests echo.
    struct SignedInJSON: Encodable {
        let token: String?
        let tokenType: String?
        let csrfToken: String?
        let expiresAt: String
        let account: MeJSON
    }

    struct MeJSON: Encodable {
        let id: String
        let email: String
        let name: String
        let roles: [String]
        init(_ identity: Identity) {
            id = identity.account.id.json
            email = identity.account.email
            name = identity.account.displayName
            roles = identity.roles.map(\.rawValue).sorted()
        }
    }

    func register(on router: Router<AppRequestContext>) {
        router.post("/api/v1/sessions") { request, context in try await self.signIn(request, context: context) }
        router.post("/api/v1/sessions/challenge") { request, context in
            let body: ChallengeBody = try await JSONRequest.read(request)
            guard let challenge = body.challenge, !challenge.isEmpty, let code = body.code, !code.isEmpty else {
                throw APIError.badRequest("Give \"challenge\" (from the sign-in answer) and \"code\" (from the email).", code: "missing_field")
            }
            let kind = try Self.kind(body.session)
            return try self.signedIn(try await authenticator.completeSignIn(challenge: challenge, code: code, address: context.clientAddress, kind: kind), kind: kind)
        }
        let signedIn = router.group(context: SignedInContext.self)
        signedIn.delete("/api/v1/sessions/current") { _, context in
            try await authenticator.signOut(token: context.sessionToken)
            var response = Response(status: .noContent, headers: [.cacheControl: "no-store"])
            if context.sessionKind == .browser { response.headers[.setCookie] = browser.clearCookie() }
            return response
        }
        signedIn.get("/api/v1/me") { _, context in try JSON.response(MeJSON(context.identity)) }
        signedIn.delete("/api/v1/sessions") { _, context in
            try await authenticator.signOutEverywhere(context.identity)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        signedIn.post("/api/v1/me/password") { request, context in
            let body: PasswordBody = try await JSONRequest.read(request)
            guard let current = body.currentPassword, let new = body.newPassword else {
                throw APIError.badRequest("Give \"currentPassword\" and \"newPassword\".", code: "missing_field")
            }
            try await authenticator.changePassword(context.identity, current: current, new: new)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body: SignInBody = try await JSONRequest.read(request)
        guard let email = body.email, !email.isEmpty, let password = body.password, !password.isEmpty else {
            throw APIError.badRequest("Give \"email\" and \"password\" (and \"code\" from your authenticator app).", code: "missing_field")
        }
        let address = context.clientAddress
        let kind = try Self.kind(body.session)
        switch try await authenticator.signIn(email: email, password: password, code: body.code, address: address, kind: kind) {
        case .signedIn(let signedIn):
            return try self.signedIn(signedIn, kind: kind)
        case .codeSent(let challenge):
            return try JSON.response(ChallengeJSON(
                challenge: challenge.token, sentTo: challenge.sentTo, expiresAt: RFC3339.format(challenge.expiresAt, in: TimeZone.gmt),
                message: "We have sent a six-digit code to \(challenge.sentTo). Give it with the challenge to finish signing in."), status: .accepted)
        }
    }

    func signedIn(_ signedIn: Authenticator.SignedIn, kind: SessionRecord.Kind) throws -> Response {
        let expiresAt = RFC3339.format(signedIn.expiresAt, in: TimeZone.gmt)
        switch kind {
        case .api:
            return try JSON.response(SignedInJSON(
                token: signedIn.token, tokenType: "Bearer", csrfToken: nil, expiresAt: expiresAt, account: MeJSON(signedIn.identity)), status: .created)
        case .browser:
            var response = try JSON.response(SignedInJSON(
                token: nil, tokenType: nil, csrfToken: BrowserSession.csrfToken(forSession: signedIn.token), expiresAt: expiresAt,
                account: MeJSON(signedIn.identity)), status: .created)
            response.headers[.setCookie] = browser.setCookie(signedIn.token, maxAge: Authenticator.apiLifetime)
            return response
        }
    }
}
