import CreneauDomain
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP

/// Signs people in with a password and a second factor, and turns bearer tokens back into identities.
///
/// Staff and referring doctors give a code from their authenticator app (TOTP,
/// RFC 6238, 30-second steps, one step of clock drift either way, each step
/// usable once). Failures say nothing about which part was wrong, and an
/// unknown email costs the same bcrypt time as a known one (no enumeration).
public struct Authenticator: Sendable {
    let accounts: any AccountRepository
    let sessions: any SessionRepository
    let clock: Clock
    let tokens: TokenGenerator
    let limiter = RateLimiter()

    /// API tokens last a working day, and end after 8 hours without use.
    public static let apiLifetime: TimeInterval = 12 * 3_600
    public static let apiIdleTimeout: TimeInterval = 8 * 3_600
    /// Failed sign-ins: 5 per account per 15 minutes, 20 per address per minute.
    static let perAccount = RateLimiter.Rule(limit: 5, window: 15 * 60)
    static let perAddress = RateLimiter.Rule(limit: 20, window: 60)
    /// A bcrypt hash of nothing anyone knows, verified for unknown emails so that they take as long.
    static let decoyHash = Bcrypt.hash("creneau-decoy-\(UUID().uuidString)", cost: 12)

    public init(accounts: any AccountRepository, sessions: any SessionRepository, clock: Clock, tokens: TokenGenerator = .random) {
        self.accounts = accounts
        self.sessions = sessions
        self.clock = clock
        self.tokens = tokens
    }

    public struct SignedIn: Sendable {
        public let token: String
        public let expiresAt: Date
        public let identity: Identity
    }

    static let failed = APIError(.unauthorized, code: "sign_in_failed", message: "The email, password or code is not right.")

    public func signIn(email: String, password: String, code: String?, address: String) async throws -> SignedIn {
        let now = clock.now()
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = limiter.attempt("address:" + address, rule: Self.perAddress, now: now) ?? limiter.attempt("account:" + email, rule: Self.perAccount, now: now) {
            var error = APIError(.tooManyRequests, code: "too_many_attempts", message: "Too many attempts. Wait a little and try again.")
            error.retryAfter = wait
            throw error
        }
        let account = try await accounts.account(email: email)
        let hash = account?.passwordHash ?? Self.decoyHash
        let passwordMatches = Bcrypt.verify(password, hash: hash)
        guard let account, passwordMatches, account.passwordHash != nil, account.disabledAt == nil else { throw Self.failed }

        let grants = try await accounts.grants(accountID: account.id)
        if !Set(grants.map(\.role)).isDisjoint(with: Identity.staffRoles) {
            guard let secret = try await sessions.totpSecret(accountID: account.id) else {
                throw APIError(.forbidden, code: "second_factor_missing", message: "Your account has no authenticator app set up yet. Ask your site administrator.")
            }
            guard let code, let step = Self.matchingStep(code: code, secret: secret, at: now),
                  try await sessions.useTOTPStep(step, accountID: account.id) else { throw Self.failed }
        } else {
            // Patients' second factor is a code sent by email or SMS, which needs the notification service.
            throw APIError(.forbidden, code: "patient_sign_in_unavailable", message: "Patient accounts cannot sign in to the API yet. Book with your details, and manage the appointment with the link you receive.")
        }
        limiter.reset("account:" + email)

        let token = tokens.next()
        let expiresAt = now.addingTimeInterval(Self.apiLifetime)
        try await sessions.createSession(token: token, SessionRecord(accountID: account.id, kind: .api, createdAt: now, lastSeenAt: now, expiresAt: expiresAt))
        guard let identity = try await sessions.session(token: token)?.identity else { throw Self.failed }
        return SignedIn(token: token, expiresAt: expiresAt, identity: identity)
    }

    /// The time step whose code is `code`, looking one step either side for clock drift.
    static func matchingStep(code: String, secret: String, at now: Date) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, let value = Int(digits) else { return nil }
        let totp = TOTP(secret: secret)
        for drift in [0, -30, 30] as [TimeInterval] {
            let instant = now.addingTimeInterval(drift)
            if totp.compute(date: instant) == value { return Int64(instant.timeIntervalSince1970 / 30) }
        }
        return nil
    }

    /// The identity behind a bearer token, if the session is alive.
    public func identity(token: String) async throws -> Identity? {
        guard token.count <= 100, let (session, identity) = try await sessions.session(token: token) else { return nil }
        let now = clock.now()
        guard session.revokedAt == nil, now < session.expiresAt, now.timeIntervalSince(session.lastSeenAt) < Self.apiIdleTimeout,
              identity.account.disabledAt == nil else { return nil }
        // Remember activity at most once a minute: a write per request would cost more than the request.
        if now.timeIntervalSince(session.lastSeenAt) > 60 { try await sessions.touchSession(token: token, at: now) }
        return identity
    }

    /// A new password for a signed-in account: the current one must be given, the new one must
    /// pass the policy, and every session of the account ends ("log out everywhere").
    public func changePassword(_ identity: Identity, current: String, new: String) async throws {
        guard var account = try await accounts.account(id: identity.account.id), let hash = account.passwordHash,
              Bcrypt.verify(current, hash: hash) else {
            throw APIError(.unprocessableContent, code: "wrong_password", message: "The current password is not right.")
        }
        if let problem = PasswordPolicy.problem(with: new, email: account.email) {
            throw APIError(.unprocessableContent, code: "weak_password", message: problem)
        }
        account.passwordHash = Bcrypt.hash(new, cost: 12)
        try await accounts.update(account)
        try await sessions.revokeSessions(accountID: account.id, at: clock.now())
    }

    public func signOutEverywhere(_ identity: Identity) async throws {
        try await sessions.revokeSessions(accountID: identity.account.id, at: clock.now())
    }

    public func signOut(token: String) async throws {
        try await sessions.revokeSession(token: token, at: clock.now())
    }

    /// A new authenticator secret: 32 characters of the base32 alphabet (160 bits).
    public static func newTOTPSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next() % 32)] })
    }
}
