import Foundation

/// A signed-in session as stored (its token is never stored, only a hash of it).
public struct SessionRecord: Hashable, Sendable {
    public enum Kind: String, Sendable { case browser, api }

    public var accountID: UUID
    public var kind: Kind
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The absolute end, whatever the activity.
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(accountID: UUID, kind: Kind, createdAt: Date, lastSeenAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.accountID = accountID
        self.kind = kind
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// Sessions and second factors. Tokens are passed in clear and hashed by storage.
public protocol SessionRepository: Sendable {
    func createSession(token: String, _ session: SessionRecord) async throws
    /// The session with its account, grants and the departments staff grants cover.
    func session(token: String) async throws -> (session: SessionRecord, identity: Identity)?
    func touchSession(token: String, at: Date) async throws
    func revokeSession(token: String, at: Date) async throws
    /// "Log out everywhere" (after a password change).
    func revokeSessions(accountID: UUID, at: Date) async throws

    func totpSecret(accountID: UUID) async throws -> String?
    func setTOTPSecret(_ secret: String, accountID: UUID) async throws
    /// Records that the code of `step` was used; false when that step (or a later one) was used already.
    func useTOTPStep(_ step: Int64, accountID: UUID) async throws -> Bool
}
