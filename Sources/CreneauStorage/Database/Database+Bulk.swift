@preconcurrency import AsyncKit
import Foundation
import PostgresKit
import SQLiteKit

/// Statements of thousands of text values, sent to the driver as they are: SQLKit's builder
/// encodes each value through `Encodable` and dynamic casts, which for a two-million-line import
/// cost more than the database's own work.
public struct BulkStatements: Sendable {
    enum Connection: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection, Logger)
    }

    let connection: Connection

    /// The placeholder for the `index`-th value (from 1): `?` on SQLite, `$n` on PostgreSQL.
    public func placeholder(_ index: Int) -> String {
        switch connection {
        case .sqlite: return "?"
        case .postgres: return "$\(index)"
        }
    }

    /// Runs `sql` with `values` bound in order (nil: NULL).
    public func execute(_ sql: String, _ values: [String?]) async throws {
        switch connection {
        case .sqlite(let connection):
            try await connection.query(sql, values.map { $0.map(SQLiteData.text) ?? .null }) { _ in }
        case .postgres(let connection, let logger):
            var bindings = PostgresBindings(capacity: values.count)
            for value in values {
                if let value { bindings.append(value) } else { bindings.appendNull() }
            }
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect()
        }
    }
}

extension Database {
    /// Runs `body` in a transaction, as `transaction` does, with statements sent straight to the
    /// driver, for bulk loads (the directory import) that a later run can redo: the commit does not
    /// wait for the disk.
    public func bulkTransaction<R: Sendable>(_ body: @Sendable (BulkStatements) async throws -> R) async throws -> R {
        // Its statements bypass `WriteNoticingSQL`: the caches learn of the load here, after its commit.
        defer { writes.advance() }
        do {
            switch pool {
            case .sqlite:
                guard let writer else { throw RepositoryErrorForBulk.noWriter }
                await writeGate.acquire()
                do {
                    let connection = try await writer.pool.requestConnection(logger: logger).get()
                    defer { writer.pool.releaseConnection(connection, logger: logger) }
                    let statements = BulkStatements(connection: .sqlite(connection))
                    // A bulk load commits without waiting for the disk (WAL, synchronous=NORMAL: a power
                    // cut may lose the last batches, never corrupt the file); the connection's usual
                    // FULL is back before anyone else writes on it.
                    try await statements.execute("PRAGMA synchronous = NORMAL", [])
                    let result: R
                    do {
                        result = try await inTransaction(statements, begin: "BEGIN IMMEDIATE", body)
                    } catch {
                        try? await statements.execute("PRAGMA synchronous = FULL", [])
                        throw error
                    }
                    try await statements.execute("PRAGMA synchronous = FULL", [])
                    await writeGate.release()
                    return result
                } catch {
                    await writeGate.release()
                    throw error
                }
            case .postgres(let pool):
                let connection = try await pool.requestConnection(logger: logger).get()
                defer { pool.releaseConnection(connection, logger: logger) }
                let statements = BulkStatements(connection: .postgres(connection, logger))
                return try await inTransaction(statements, begin: "BEGIN", { statements in
                    // The same on PostgreSQL: the commit does not wait for the WAL's flush.
                    try await statements.execute("SET LOCAL synchronous_commit = off", [])
                    return try await body(statements)
                })
            }
        } catch {
            throw StorageErrors.map(error)
        }
    }

    private func inTransaction<R: Sendable>(_ statements: BulkStatements, begin: String,
                                            _ body: @Sendable (BulkStatements) async throws -> R) async throws -> R {
        try await statements.execute(begin, [])
        do {
            let result = try await body(statements)
            try await statements.execute("COMMIT", [])
            return result
        } catch {
            try? await statements.execute("ROLLBACK", [])
            throw error
        }
    }
}

enum RepositoryErrorForBulk: Error {
    /// A SQLite database always has its writer; this would be a bug in `Database.sqlite`.
    case noWriter
}
