import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: SessionRepository {
    public func createSession(token: String, _ session: SessionRecord) async throws {
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO sessions (token_hash, account_id, kind, created_at, last_seen_at, expires_at, revoked_at)
                VALUES (\(bind: Self.tokenHash(token)), \(bind: Column.id(session.accountID)), \(bind: session.kind.rawValue),
                        \(bind: Column.instant(session.createdAt)), \(bind: Column.instant(session.lastSeenAt)),
                        \(bind: Column.instant(session.expiresAt)), \(bind: Column.instant(session.revokedAt)))
                """).run()
        }
    }

    public func session(token: String) async throws -> (session: SessionRecord, identity: Identity)? {
        let found = try await database.withConnection { db -> (SessionRecord, Account, [RoleGrant], Set<UUID>?)? in
            guard let row = try await db.raw("SELECT * FROM sessions WHERE token_hash = \(bind: Self.tokenHash(token))").first() else { return nil }
            let session = SessionRecord(
                accountID: try row.uuid("account_id"), kind: try row.enumeration("kind"), createdAt: try row.instant("created_at"),
                lastSeenAt: try row.instant("last_seen_at"), expiresAt: try row.instant("expires_at"), revokedAt: try row.optionalInstant("revoked_at"))
            guard let account = try await findRow(Account.self, id: session.accountID, on: db) else { return nil }
            let grants = try await db.select().column("*").from(RoleGrant.table)
                .where("account_id", .equal, SQLBind(Column.id(account.id))).orderBy("role").all().map { try RoleGrant(row: $0) }
            return (session, account, grants, try await staffDepartments(grants, on: db))
        }
        guard let (session, account, grants, departments) = found else { return nil }
        return (session, Identity(account: account, grants: grants, staffDepartments: departments))
    }

    /// The departments staff grants cover: a department grant its department, a site grant
    /// the site's departments; a group or global grant every department (nil).
    func staffDepartments(_ grants: [RoleGrant], on db: any SQLDatabase) async throws -> Set<UUID>? {
        var departments: Set<UUID> = [], sites: Set<UUID> = []
        for grant in grants where Identity.staffRoles.contains(grant.role) && grant.role != .referringDoctor {
            switch grant.scope {
            case .everywhere, .group: return nil
            case .site(let id): sites.insert(id)
            case .department(let id): departments.insert(id)
            }
        }
        if !sites.isEmpty {
            for row in try await db.raw("SELECT id FROM departments WHERE site_id IN \(idList(sites))").all() {
                departments.insert(try row.uuid("id"))
            }
        }
        return departments
    }

    public func touchSession(token: String, at: Date) async throws {
        try await database.transaction { db in
            try await db.raw("UPDATE sessions SET last_seen_at = \(bind: Column.instant(at)) WHERE token_hash = \(bind: Self.tokenHash(token))").run()
        }
    }

    public func revokeSession(token: String, at: Date) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE sessions SET revoked_at = \(bind: Column.instant(at)) WHERE token_hash = \(bind: Self.tokenHash(token)) AND revoked_at IS NULL
                """).run()
        }
    }

    public func revokeSessions(accountID: UUID, at: Date) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE sessions SET revoked_at = \(bind: Column.instant(at)) WHERE account_id = \(bind: Column.id(accountID)) AND revoked_at IS NULL
                """).run()
        }
    }

    private static func totpContext(_ accountID: UUID) -> String { "accounts.totp:\(Column.id(accountID))" }

    public func totpSecret(accountID: UUID) async throws -> String? {
        let cipher = self.cipher
        return try await database.withConnection { db in
            guard let row = try await db.raw("SELECT totp_sealed, totp_key_id FROM accounts WHERE id = \(bind: Column.id(accountID))").first(),
                  let sealed = try row.optionalString("totp_sealed"), let keyID = try row.optionalString("totp_key_id") else { return nil }
            return try cipher.open(sealed, keyID: keyID, context: Self.totpContext(accountID))
        }
    }

    public func setTOTPSecret(_ secret: String, accountID: UUID) async throws {
        let sealed = try cipher.seal(secret, context: Self.totpContext(accountID))
        try await database.transaction { db in
            let updated = try await db.raw("""
                UPDATE accounts SET totp_sealed = \(bind: sealed.ciphertext), totp_key_id = \(bind: sealed.keyID), totp_last_step = NULL
                WHERE id = \(bind: Column.id(accountID)) RETURNING id
                """).all()
            guard !updated.isEmpty else { throw RepositoryError.notFound(entity: "accounts", id: Column.id(accountID)) }
        }
    }

    public func useTOTPStep(_ step: Int64, accountID: UUID) async throws -> Bool {
        try await database.transaction { db in
            !(try await db.raw("""
                UPDATE accounts SET totp_last_step = \(bind: step)
                WHERE id = \(bind: Column.id(accountID)) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
                RETURNING id
                """).all()).isEmpty
        }
    }
}
