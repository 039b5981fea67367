import Foundation

/// What a token sent by email is for.
public enum AccountTokenPurpose: String, CaseIterable, Sendable {
    /// The link that proves a new account owns its email address.
    case verifyEmail = "verify_email"
    /// The link that sets a new password.
    case resetPassword = "reset_password"
    /// A patient's sign-in: the token names the attempt, the code sent by email is the second factor.
    case signIn = "sign_in"
}

/// A one-time token as stored (the token itself never is, only a hash of it).
public struct AccountToken: Hashable, Sendable {
    public var accountID: UUID
    public var purpose: AccountTokenPurpose
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    /// Wrong codes given so far (sign-in only).
    public var attempts: Int

    public init(accountID: UUID, purpose: AccountTokenPurpose, createdAt: Date, expiresAt: Date, usedAt: Date? = nil, attempts: Int = 0) {
        self.accountID = accountID
        self.purpose = purpose
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.attempts = attempts
    }

    public func isLive(at now: Date) -> Bool { usedAt == nil && now < expiresAt }
}

/// The outcome of giving a sign-in code.
public enum CodeCheck: Hashable, Sendable {
    /// Right code: the challenge is used up and the account may sign in.
    case accepted(accountID: UUID)
    /// Wrong code, counted; `attemptsLeft` more may be tried.
    case rejected(attemptsLeft: Int)
    /// Unknown, used, lapsed, or out of attempts: sign in again.
    case expired
}

/// One-time tokens sent by email. Tokens and codes are passed in clear and hashed by storage.
public protocol AccountTokenRepository: Sendable {
    /// Stores a token, ending the account's earlier live tokens of the same purpose
    /// (only the newest link or code works). `code` is given for sign-in challenges.
    func issue(token: String, code: String?, _ record: AccountToken) async throws
    /// The token as stored, used or not, if it exists with that purpose.
    func token(_ token: String, purpose: AccountTokenPurpose) async throws -> AccountToken?
    /// Uses a live token once; the account it was for, or nil when unknown, lapsed or used.
    /// Of two simultaneous redemptions only one succeeds.
    func redeem(_ token: String, purpose: AccountTokenPurpose, at: Date) async throws -> UUID?
    /// Checks a sign-in code against a live challenge, counting wrong codes up to `maxAttempts`.
    func checkCode(_ code: String, challenge: String, at: Date, maxAttempts: Int) async throws -> CodeCheck
}
