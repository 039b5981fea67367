import Foundation

/// Patients' own accounts: sign-up, email verification and password reset by email link.
///
/// Nothing here tells a caller whether an email address has an account: sign-up and
/// reset requests answer the same way for every address, and the emails go through
/// the mail queue so no answer waits on a mail server.
public struct PatientAccounts: Sendable {
    let accounts: any AccountRepository
    let tokens: any AccountTokenRepository
    let sessions: any SessionRepository
    let mailer: any Mailer
    let emails: AccountEmails
    let clock: Clock
    let ids: IDGenerator
    let tokenGenerator: TokenGenerator
    let passwords: any PasswordHasher
    let limiter: RateLimiter
    let limits: Limits
    let timeZone = Site.defaultZone

    /// A link to verify an address works for a day; a reset link for an hour.
    public static let verificationLifetime: TimeInterval = 24 * 3_600
    public static let resetLifetime: TimeInterval = 3_600

    /// Per address: sign-ups and reset requests make emails, so few per hour; per
    /// email address, at most a handful of reset emails an hour (no mailbox flooding).
    public struct Limits: Sendable {
        var signUpsPerAddress: RateLimiter.Rule?
        var resetsPerAddress: RateLimiter.Rule?
        var resetsPerEmail: RateLimiter.Rule?
        var linksPerAddress: RateLimiter.Rule?

        public static let standard = Limits(
            signUpsPerAddress: RateLimiter.Rule(limit: 10, window: 3_600), resetsPerAddress: RateLimiter.Rule(limit: 10, window: 3_600),
            resetsPerEmail: RateLimiter.Rule(limit: 3, window: 3_600), linksPerAddress: RateLimiter.Rule(limit: 30, window: 600))
        public static let off = Limits(signUpsPerAddress: nil, resetsPerAddress: nil, resetsPerEmail: nil, linksPerAddress: nil)
    }

    public init(
        accounts: any AccountRepository, tokens: any AccountTokenRepository, sessions: any SessionRepository, mailer: any Mailer,
        emails: AccountEmails, clock: Clock, passwords: any PasswordHasher, ids: IDGenerator = .random, tokenGenerator: TokenGenerator = .random,
        limits: Limits = .standard, counters: any LimitCounters = MemoryLimitCounters()
    ) {
        self.limiter = RateLimiter(counters: counters, scope: "accounts")
        self.passwords = passwords
        self.accounts = accounts
        self.tokens = tokens
        self.sessions = sessions
        self.mailer = mailer
        self.emails = emails
        self.clock = clock
        self.ids = ids
        self.tokenGenerator = tokenGenerator
        self.limits = limits
    }

    public struct SignUp: Sendable {
        public var email: String
        public var password: String
        public var holder: PatientDetails
        public var language: Language

        public init(email: String, password: String, holder: PatientDetails, language: Language) {
            self.email = email
            self.password = password
            self.holder = holder
            self.language = language
        }
    }

    func limit(_ key: String, _ rule: RateLimiter.Rule?, now: Date) async throws {
        guard let rule, let wait = try await limiter.attempt(key, rule: rule, now: now) else { return }
        throw Authenticator.tooMany(wait)
    }

    /// Creates the account (unverified) and sends the verification link; for an address
    /// that has an account already, tells its owner instead. The caller sees the same either way.
    public func signUp(_ request: SignUp, address: String) async throws {
        let now = clock.now()
        try await limit("signup:" + address, limits.signUpsPerAddress, now: now)
        let email = request.email.trimmed.lowercased()
        if let problem = AccountRules.checkSignUp(email: email, password: request.password, holder: request.holder, today: LocalDate(now, in: timeZone)) {
            throw AccountError.refused(problem)
        }
        // Hashed before looking the address up, so both paths cost the same bcrypt time.
        let hash = try await passwords.hash(request.password)
        if let existing = try await accounts.account(email: email) {
            try await mailer.send(emails.alreadyRegistered(to: existing.email, language: existing.language))
            return
        }
        let holder = request.holder
        let account = Account(
            id: ids.next(), email: email, displayName: "\(holder.firstName.trimmed) \(holder.lastName.trimmed)", passwordHash: hash,
            createdAt: now, language: request.language)
        let patient = Patient(
            id: ids.next(), firstName: holder.firstName.trimmed, lastName: holder.lastName.trimmed, birthDate: holder.birthDate,
            email: email, phone: holder.phone?.trimmed.nilIfEmpty, createdAt: now)
        do {
            try await accounts.insertPatientAccount(account, selfPatient: patient, grantID: ids.next())
        } catch RepositoryError.duplicate {
            // Two sign-ups with one address at once: the other one won; same answer.
            return
        }
        try await Self.sendVerification(account, now: now, token: tokenGenerator.next(), tokens: tokens, mailer: mailer, emails: emails)
    }

    /// A new verification link (the earlier ones stop working), by email. Sign-up and a sign-in
    /// before verification both send it.
    static func sendVerification(
        _ account: Account, now: Date, token: String, tokens: any AccountTokenRepository, mailer: any Mailer, emails: AccountEmails
    ) async throws {
        try await tokens.issue(token: token, code: nil, AccountToken(
            accountID: account.id, purpose: .verifyEmail, createdAt: now, expiresAt: now.addingTimeInterval(verificationLifetime)))
        try await mailer.send(emails.verifyEmail(to: account.email, name: account.displayName, token: token, language: account.language))
    }

    static let expiredLink = SignInError.invalidLink

    /// The link of the verification email.
    public func verifyEmail(token: String, address: String) async throws {
        let now = clock.now()
        try await limit("links:" + address, limits.linksPerAddress, now: now)
        guard token.count <= 100, let accountID = try await tokens.redeem(token, purpose: .verifyEmail, at: now) else { throw Self.expiredLink }
        try await accounts.markEmailVerified(accountID: accountID, at: now)
    }

    /// Sends a reset link when the address has an account; answers the same when it has none.
    public func requestPasswordReset(email: String, address: String) async throws {
        let now = clock.now()
        let email = email.trimmed.lowercased()
        try await limit("reset:" + address, limits.resetsPerAddress, now: now)
        try await limit("reset-email:" + email, limits.resetsPerEmail, now: now)
        guard let account = try await accounts.account(email: email), account.disabledAt == nil, account.passwordHash != nil else { return }
        let token = tokenGenerator.next()
        try await tokens.issue(token: token, code: nil, AccountToken(
            accountID: account.id, purpose: .resetPassword, createdAt: now, expiresAt: now.addingTimeInterval(Self.resetLifetime)))
        try await mailer.send(emails.resetPassword(to: account.email, token: token, language: account.language))
    }

    /// Sets the new password from a reset link. The link proves the address, so it also
    /// verifies it; every session of the account ends ("log out everywhere").
    public func resetPassword(token: String, newPassword: String, address: String) async throws {
        let now = clock.now()
        try await limit("links:" + address, limits.linksPerAddress, now: now)
        guard token.count <= 100, let stored = try await tokens.token(token, purpose: .resetPassword), stored.isLive(at: now),
              let account = try await accounts.account(id: stored.accountID) else { throw Self.expiredLink }
        if let problem = PasswordPolicy.problem(with: newPassword, email: account.email) {
            throw AccountError.refused(AccountProblem(.weakPassword, problem))
        }
        let hash = try await passwords.hash(newPassword)
        guard try await tokens.redeem(token, purpose: .resetPassword, at: now) == account.id else { throw Self.expiredLink }
        try await accounts.setPassword(hash: hash, accountID: account.id, at: now)
        try await accounts.markEmailVerified(accountID: account.id, at: now)
        try await sessions.revokeSessions(accountID: account.id, at: now)
    }
}
