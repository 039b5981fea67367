import CreneauDomain
import Foundation
import SQLKit

/// What a backup and a restore ask of the database: a consistent copy (SQLite), whether a
/// database is empty, and which keys its sealed texts need.
extension SQLStore {
    /// Every column that holds the id of the key a sealed text was made with.
    static let sealedKeyColumns = [
        ("appointments", "sealed_key_id"), ("appointments", "cancellation_key_id"), ("idempotency_keys", "sealed_key_id"),
        ("accounts", "totp_key_id"), ("outbox_messages", "body_key_id"), ("survey_answers", "comment_key_id"),
    ]

    /// The keys the data's sealed texts were made with (health texts, authenticator secrets, messages).
    public func sealedKeyIDs() async throws -> Set<String> {
        try await database.withConnection { db in
            var ids: Set<String> = []
            for (table, column) in Self.sealedKeyColumns {
                for row in try await db.raw("SELECT DISTINCT \(unsafeRaw: column) AS k FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) IS NOT NULL").all() {
                    ids.insert(try row.decode(column: "k", as: String.self))
                }
            }
            return ids
        }
    }

    /// The keys the data needs that this store's key ring does not hold.
    public func missingKeys() async throws -> Set<String> {
        try await sealedKeyIDs().subtracting(cipher.keyIDs)
    }

    /// Whether no migration was ever applied here (a database to restore into).
    public func isEmptyDatabase() async throws -> Bool {
        try await database.withConnection { db in
            let tables: SQLQueryString = database.engine == .sqlite
                ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()"
            return try await db.raw(tables).first()?.decode(column: "n", as: Int.self) == 0
        }
    }

    /// The migrations applied, newest last.
    public func appliedMigrations() async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("SELECT name FROM schema_migrations ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    /// A consistent copy of a SQLite database while it serves (`VACUUM INTO`: one read
    /// transaction, so writers go on and the copy is the database as of its start).
    public func backupSQLite(to path: String) async throws {
        try await database.withConnection { db in
            try await db.raw("VACUUM INTO \(bind: path)").run()
        }
    }
}
