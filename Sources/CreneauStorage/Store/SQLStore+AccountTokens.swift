import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: AccountTokenRepository {
    /// The code is hashed with its challenge token: without the token (never stored) a
    /// dump's six-digit hash cannot be brute-forced.
    static func codeHash(_ code: String, challenge: String) -> String { tokenHash(challenge + ":" + code) }

    public func issue(token: String, code: String?, _ record: AccountToken) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE account_tokens SET used_at = \(bind: Column.instant(record.createdAt))
                WHERE account_id = \(bind: Column.id(record.accountID)) AND purpose = \(bind: record.purpose.rawValue) AND used_at IS NULL
                """).run()
            try await db.raw("""
                INSERT INTO account_tokens (token_hash, account_id, purpose, code_hash, attempts, created_at, expires_at, used_at)
                VALUES (\(bind: Self.tokenHash(token)), \(bind: Column.id(record.accountID)), \(bind: record.purpose.rawValue),
                        \(bind: code.map { Self.codeHash($0, challenge: token) }), \(bind: record.attempts),
                        \(bind: Column.instant(record.createdAt)), \(bind: Column.instant(record.expiresAt)), \(bind: Column.instant(record.usedAt)))
                """).run()
        }
    }

    public func token(_ token: String, purpose: AccountTokenPurpose) async throws -> AccountToken? {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM account_tokens WHERE token_hash = \(bind: Self.tokenHash(token)) AND purpose = \(bind: purpose.rawValue)
                """).first().map(Self.accountToken)
        }
    }

    public func redeem(_ token: String, purpose: AccountTokenPurpose, at: Date) async throws -> UUID? {
        try await database.transaction { db in
            // One conditional UPDATE: of two simultaneous redemptions, only one changes the row.
            try await db.raw("""
                UPDATE account_tokens SET used_at = \(bind: Column.instant(at))
                WHERE token_hash = \(bind: Self.tokenHash(token)) AND purpose = \(bind: purpose.rawValue)
                  AND used_at IS NULL AND expires_at > \(bind: Column.instant(at))
                RETURNING account_id
                """).first().map { try $0.uuid("account_id") }
        }
    }

    public func checkCode(_ code: String, challenge: String, at: Date, maxAttempts: Int) async throws -> CodeCheck {
        let hash = Self.tokenHash(challenge), now = Column.instant(at)
        return try await database.transaction { db in
            if let accepted = try await db.raw("""
                UPDATE account_tokens SET used_at = \(bind: now)
                WHERE token_hash = \(bind: hash) AND purpose = 'sign_in' AND used_at IS NULL AND expires_at > \(bind: now)
                  AND attempts < \(bind: maxAttempts) AND code_hash = \(bind: Self.codeHash(code, challenge: challenge))
                RETURNING account_id
                """).first() {
                return .accepted(accountID: try accepted.uuid("account_id"))
            }
            guard let counted = try await db.raw("""
                UPDATE account_tokens SET attempts = attempts + 1
                WHERE token_hash = \(bind: hash) AND purpose = 'sign_in' AND used_at IS NULL AND expires_at > \(bind: now)
                  AND attempts < \(bind: maxAttempts)
                RETURNING attempts
                """).first() else { return .expired }
            let left = maxAttempts - (try counted.decode(column: "attempts", as: Int.self))
            return left > 0 ? .rejected(attemptsLeft: left) : .expired
        }
    }

    static func accountToken(_ row: any SQLRow) throws -> AccountToken {
        AccountToken(
            accountID: try row.uuid("account_id"), purpose: try row.enumeration("purpose"), createdAt: try row.instant("created_at"),
            expiresAt: try row.instant("expires_at"), usedAt: try row.optionalInstant("used_at"),
            attempts: try row.decode(column: "attempts", as: Int.self))
    }
}
