import Foundation
import SQLKit

/// Brings a database from any earlier state to the current schema.
public struct Migrator: Sendable {
    let database: Database
    let migrations: [Migration]

    public init(database: Database, migrations: [Migration] = Migration.all) {
        self.database = database
        self.migrations = migrations
    }

    /// Applies every pending migration in one transaction (all or nothing) and
    /// returns the names it applied. Safe to run from several instances at once:
    /// PostgreSQL serialises them on an advisory lock, SQLite on its write lock.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> [String] {
        let engine = database.engine
        let migrations = self.migrations
        return try await database.transaction { db in
            if engine == .postgres {
                // A server's connections carry a statement timeout; a migration may take longer.
                try await db.execute("SET LOCAL statement_timeout = 0")
                // Any constant works; it only has to be the same for every instance.
                try await db.execute("SELECT pg_advisory_xact_lock(7243019)")
            }
            try await db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY,
                    applied_at BIGINT NOT NULL
                )
                """)
            let applied = Set(try await db.select().column("name").from("schema_migrations").all()
                .map { try $0.decode(column: "name", as: String.self) })
            var done: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    guard let sql = statement.sql(for: engine) else { continue }
                    try await db.execute(sql)
                }
                try await db.insert(into: "schema_migrations")
                    .columns("name", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(Int64(now.timeIntervalSince1970)))
                    .run()
                done.append(migration.name)
            }
            return done
        }
    }

    /// Names of the migrations not yet applied.
    public func pending() async throws -> [String] {
        let names = migrations.map(\.name)
        let applied: Set<String> = try await database.withConnection { db in
            let exists = try await db.tableExists("schema_migrations", engine: database.engine)
            guard exists else { return [] }
            return Set(try await db.select().column("name").from("schema_migrations").all()
                .map { try $0.decode(column: "name", as: String.self) })
        }
        return names.filter { !applied.contains($0) }
    }
}

extension SQLDatabase {
    func tableExists(_ table: String, engine: DatabaseEngine) async throws -> Bool {
        let query: SQLQueryString = switch engine {
        case .sqlite: "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = \(bind: table)"
        case .postgres: "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(bind: table)"
        }
        let row = try await self.raw(query).first()
        return try (row?.decode(column: "n", as: Int.self) ?? 0) > 0
    }
}
