import CreneauDomain
import Foundation
import Hummingbird

/// `POST /api/v1/sessions` (sign in: email, password, code → bearer token),
/// `DELETE /api/v1/sessions/current` (sign out), `GET /api/v1/me`.
struct SessionsController: Sendable {
    let authenticator: Authenticator

    struct PasswordBody: Decodable {
        let currentPassword: String?
        let newPassword: String?
    }

    struct SignInBody: Decodable {
        let email: String?
        let password: String?
        let code: String?
    }

    struct ChallengeBody: Decodable {
        let challenge: String?
        let code: String?
    }

    /// A patient's sign-in half done: the code is in their mailbox.
    struct ChallengeJSON: Encodable {
        let challenge: String
        let method = "email"
        let sentTo: String
        let expiresAt: String
        let message: String
    }

    struct SignedInJSON: Encodable {
        let token: String
        let tokenType = "Bearer"
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
            let body: ChallengeBody = try AppointmentsController.decode(try await AppointmentsController.body(request))
            guard let challenge = body.challenge, !challenge.isEmpty, let code = body.code, !code.isEmpty else {
                throw APIError.badRequest("Give \"challenge\" (from the sign-in answer) and \"code\" (from the email).", code: "missing_field")
            }
            return try Self.signedIn(try await authenticator.completeSignIn(challenge: challenge, code: code, address: context.clientAddress))
        }
        let signedIn = router.group(context: SignedInContext.self)
        signedIn.delete("/api/v1/sessions/current") { _, context in
            try await authenticator.signOut(token: context.sessionToken)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        signedIn.get("/api/v1/me") { _, context in try JSON.response(MeJSON(context.identity)) }
        signedIn.delete("/api/v1/sessions") { _, context in
            try await authenticator.signOutEverywhere(context.identity)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        signedIn.post("/api/v1/me/password") { request, context in
            let body: PasswordBody = try AppointmentsController.decode(try await AppointmentsController.body(request))
            guard let current = body.currentPassword, let new = body.newPassword else {
                throw APIError.badRequest("Give \"currentPassword\" and \"newPassword\".", code: "missing_field")
            }
            try await authenticator.changePassword(context.identity, current: current, new: new)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body: SignInBody = try AppointmentsController.decode(try await AppointmentsController.body(request))
        guard let email = body.email, !email.isEmpty, let password = body.password, !password.isEmpty else {
            throw APIError.badRequest("Give \"email\" and \"password\" (and \"code\" from your authenticator app).", code: "missing_field")
        }
        let address = context.clientAddress
        switch try await authenticator.signIn(email: email, password: password, code: body.code, address: address) {
        case .signedIn(let signedIn):
            return try Self.signedIn(signedIn)
        case .codeSent(let challenge):
            return try JSON.response(ChallengeJSON(
                challenge: challenge.token, sentTo: challenge.sentTo, expiresAt: RFC3339.format(challenge.expiresAt, in: TimeZone(identifier: "UTC")!),
                message: "We have sent a six-digit code to \(challenge.sentTo). Give it with the challenge to finish signing in."), status: .accepted)
        }
    }

    static func signedIn(_ signedIn: Authenticator.SignedIn) throws -> Response {
        try JSON.response(SignedInJSON(
            token: signedIn.token, expiresAt: RFC3339.format(signedIn.expiresAt, in: TimeZone(identifier: "UTC")!),
            account: MeJSON(signedIn.identity)), status: .created)
    }
}
