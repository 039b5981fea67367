import Foundation

/// Signs people in with a password and a second factor, and turns bearer tokens back into identities.
///
/// Staff and referring doctors give a code from their authenticator app (TOTP,
/// RFC 6238, 30-second steps, one step of clock drift either way, each step
/// usable once). Patients receive a six-digit code by email once their password
/// is right, and give it back with the challenge token (10 minutes, 5 tries).
/// Failures say nothing about which part was wrong, and an unknown email costs
/// the same bcrypt time as a known one (no enumeration).
public struct Authenticator: Sendable {
    let accounts: any AccountRepository
    let sessions: any SessionRepository
    let challenges: any AccountTokenRepository
    let mailer: any Mailer
    let emails: AccountEmails
    let clock: Clock
    let tokens: TokenGenerator
    let passwords: any PasswordHasher
    let codes: any OneTimeCodes
    let limiter: RateLimiter

    /// A patient's emailed code: valid 10 minutes, 5 tries.
    public static let codeLifetime: TimeInterval = 10 * 60
    public static let codeAttempts = 5

    /// API tokens last a working day, and end after 8 hours without use.
    public static let apiLifetime: TimeInterval = 12 * 3_600
    public static let apiIdleTimeout: TimeInterval = 8 * 3_600
    /// Browser sessions (a cookie on a shared computer at the front desk or at home) end
    /// after 30 minutes without use, and after 12 hours whatever happens (ASVS 3.3.2, level 2).
    public static let browserIdleTimeout: TimeInterval = 30 * 60

    static func idleTimeout(_ kind: SessionRecord.Kind) -> TimeInterval { kind == .browser ? browserIdleTimeout : apiIdleTimeout }
    /// Failed sign-ins: 5 per account per 15 minutes, 20 per address per minute.
    /// Wrong passwords or codes for one account from one address: five free, then 2 s, 4 s… up to 15 minutes.
    let pairFailures: Backoff
    /// The same account from everywhere: a ceiling for guessing spread over many machines,
    /// high enough that one attacker cannot lock the owner out.
    let accountFailures: Backoff
    static let perAddress = RateLimiter.Rule(limit: 20, window: 60)

    public init(
        accounts: any AccountRepository, sessions: any SessionRepository, challenges: any AccountTokenRepository, mailer: any Mailer,
        emails: AccountEmails, clock: Clock, passwords: any PasswordHasher, codes: any OneTimeCodes, tokens: TokenGenerator = .random,
        counters: any LimitCounters = MemoryLimitCounters()
    ) {
        limiter = RateLimiter(counters: counters, scope: "sign-in")
        pairFailures = Backoff(counters: counters, scope: "sign-in-pair", free: 5, longest: 15 * 60)
        accountFailures = Backoff(counters: counters, scope: "sign-in-account", free: 50, longest: 15 * 60)
        self.passwords = passwords
        self.codes = codes
        self.accounts = accounts
        self.sessions = sessions
        self.challenges = challenges
        self.mailer = mailer
        self.emails = emails
        self.clock = clock
        self.tokens = tokens
    }

    /// A patient's sign-in half done: the code went to their email.
    public struct Challenge: Sendable {
        public let token: String
        public let sentTo: String
        public let expiresAt: Date
    }

    public enum Outcome: Sendable {
        case signedIn(SignedIn)
        case codeSent(Challenge)
    }

    public struct SignedIn: Sendable {
        public let token: String
        public let expiresAt: Date
        public let identity: Identity
    }

    public static let failed = SignInError.failed

    public static func tooMany(_ wait: Int) -> SignInError { .tooManyAttempts(wait: wait) }

    /// `kind`: `.browser` for a session carried by a cookie, `.api` for a bearer token.
    public func signIn(email: String, password: String, code: String?, address: String, kind: SessionRecord.Kind = .api) async throws -> Outcome {
        let now = clock.now()
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let pair = "account:" + email + "|address:" + address, whole = "account:" + email
        if let wait = try await limiter.attempt("address:" + address, rule: Self.perAddress, now: now) { throw Self.tooMany(wait) }
        if let wait = try await pairFailures.wait(pair, now: now) { throw Self.tooMany(wait) }
        if let wait = try await accountFailures.wait(whole, now: now) { throw Self.tooMany(wait) }
        do {
            let outcome = try await verify(email: email, password: password, code: code, kind: kind, now: now)
            try await pairFailures.reset(pair)
            try await accountFailures.reset(whole)
            return outcome
        } catch SignInError.failed {
            try await pairFailures.fail(pair, now: now)
            try await accountFailures.fail(whole, now: now)
            throw SignInError.failed
        }
    }

    private func verify(email: String, password: String, code: String?, kind: SessionRecord.Kind, now: Date) async throws -> Outcome {
        let account = try await accounts.account(email: email)
        let hash = account?.passwordHash ?? passwords.decoyHash
        let passwordMatches = await passwords.verify(password, hash: hash)
        guard let account, passwordMatches, account.passwordHash != nil, account.disabledAt == nil else { throw Self.failed }

        let grants = try await accounts.grants(accountID: account.id)
        if !Set(grants.map(\.role)).isDisjoint(with: Identity.staffRoles) {
            guard let secret = try await sessions.totpSecret(accountID: account.id) else {
                throw SignInError.secondFactorMissing
            }
            guard let code, let step = Self.matchingStep(code: code, secret: secret, at: now, codes: codes),
                  try await sessions.useTOTPStep(step, accountID: account.id) else { throw Self.failed }
        } else {
            return .codeSent(try await sendCode(to: account, now: now))
        }
        return .signedIn(try await openSession(account.id, kind: kind, now: now))
    }

    /// A patient's password was right: a code goes to their (verified) address.
    func sendCode(to account: Account, now: Date) async throws -> Challenge {
        guard account.emailVerifiedAt != nil else {
            // The password was right, so saying why is safe; a fresh link goes out.
            try await PatientAccounts.sendVerification(account, now: now, token: tokens.next(), tokens: challenges, mailer: mailer, emails: emails)
            throw SignInError.emailNotVerified
        }
        var generator = SystemRandomNumberGenerator()
        let code = AccountRules.newCode(using: &generator)
        let token = tokens.next()
        let expiresAt = now.addingTimeInterval(Self.codeLifetime)
        try await challenges.issue(token: token, code: code, AccountToken(accountID: account.id, purpose: .signIn, createdAt: now, expiresAt: expiresAt))
        try await mailer.send(emails.signInCode(to: account.email, code: code, minutes: Int(Self.codeLifetime / 60), language: account.language))
        return Challenge(token: token, sentTo: AccountRules.masked(email: account.email), expiresAt: expiresAt)
    }

    /// The second half of a patient's sign-in: the challenge and the emailed code.
    public func completeSignIn(challenge: String, code: String, address: String, kind: SessionRecord.Kind = .api) async throws -> SignedIn {
        let now = clock.now()
        if let wait = try await limiter.attempt("address:" + address, rule: Self.perAddress, now: now) { throw Self.tooMany(wait) }
        let digits = code.filter { !$0.isWhitespace }
        guard challenge.count <= 100, digits.count <= 10 else { throw Self.codeExpired }
        switch try await challenges.checkCode(digits, challenge: challenge, at: now, maxAttempts: Self.codeAttempts) {
        case .accepted(let accountID):
            guard let account = try await accounts.account(id: accountID), account.disabledAt == nil else { throw Self.codeExpired }
            try await accountFailures.reset("account:" + account.email)
            return try await openSession(account.id, kind: kind, now: now)
        case .rejected(let left):
            throw SignInError.wrongCode(left: left)
        case .expired:
            throw Self.codeExpired
        }
    }

    static let codeExpired = SignInError.codeExpired

    /// Always a new token: signing in never reuses a session id (no session fixation).
    func openSession(_ accountID: UUID, kind: SessionRecord.Kind, now: Date) async throws -> SignedIn {
        let token = tokens.next()
        let expiresAt = now.addingTimeInterval(Self.apiLifetime)
        try await sessions.createSession(token: token, SessionRecord(accountID: accountID, kind: kind, createdAt: now, lastSeenAt: now, expiresAt: expiresAt))
        guard let identity = try await sessions.session(token: token)?.identity else { throw Self.failed }
        return SignedIn(token: token, expiresAt: expiresAt, identity: identity)
    }

    /// The time step whose code is `code`, looking one step either side for clock drift.
    public static func matchingStep(code: String, secret: String, at now: Date, codes: any OneTimeCodes) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
        for drift in [0, -30, 30] as [TimeInterval] {
            let instant = now.addingTimeInterval(drift)
            if codes.code(secret: secret, at: instant) == value { return Int64(instant.timeIntervalSince1970 / 30) }
        }
        return nil
    }

    /// The identity behind a token, if the session is alive and of the kind that carries it
    /// (a browser session's token is only good in its cookie, a bearer token only as a header).
    public func identity(token: String, kind: SessionRecord.Kind = .api) async throws -> Identity? {
        guard token.count <= 100, let (session, identity) = try await sessions.session(token: token), session.kind == kind else { return nil }
        let now = clock.now()
        guard session.revokedAt == nil, now < session.expiresAt, now.timeIntervalSince(session.lastSeenAt) < Self.idleTimeout(session.kind),
              identity.account.disabledAt == nil else { return nil }
        // Remember activity at most once a minute: a write per request would cost more than the request.
        if now.timeIntervalSince(session.lastSeenAt) > 60 { try await sessions.touchSession(token: token, at: now) }
        return identity
    }

    /// A new password for a signed-in account: the current one must be given, the new one must
    /// pass the policy, and every session of the account ends ("log out everywhere").
    public func changePassword(_ identity: Identity, current: String, new: String) async throws {
        guard let account = try await accounts.account(id: identity.account.id), let hash = account.passwordHash,
              await passwords.verify(current, hash: hash) else {
            throw SignInError.wrongPassword
        }
        if let problem = PasswordPolicy.problem(with: new, email: account.email) {
            throw AccountError.refused(AccountProblem(.weakPassword, problem))
        }
        try await accounts.setPassword(hash: try await passwords.hash(new), accountID: account.id, at: clock.now())
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
