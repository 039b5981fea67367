import NIOConcurrencyHelpers
import CreneauDomain
import Foundation
import SQLKit

/// The SQL implementation of every repository protocol, on SQLite or PostgreSQL.
public struct SQLStore: Sendable {
    public let database: Database
    let cipher: FieldCipher
    /// Referring doctors found once: the directory only grows (no code removes a doctor, and
    /// appointments' foreign keys would refuse it), so a booking need not ask again.
    let knownDoctors = KnownIDs()
    /// The caches' reads of `agenda_versions`, shared by concurrent callers.
    let versionReads: VersionReads

    /// `peerLag`: how long another instance's (or a command's) change may take to show in
    /// availability and the directory here (`VersionReads`); zero reads versions on every call.
    public init(database: Database, cipher: FieldCipher, peerLag: Duration = .zero) {
        self.database = database
        self.cipher = cipher
        self.versionReads = VersionReads(peerLag: peerLag)
    }
}

// Generic row operations every repository method is made of.
extension SQLStore {
    func insertRow<R: SQLRecord>(_ record: R, on db: any SQLDatabase) async throws {
        let columns = record.columns
        try await db.insert(into: R.table)
            .columns(columns.map(\.0))
            .values(columns.map { SQLBind($0.1) })
            .run()
    }

    /// Several records of one table in multi-row statements (a few hundred rows each, well under
    /// both engines' limit on bound values): a page listing many rows costs a constant number of statements.
    func insertRows<R: SQLRecord>(_ records: [R], on db: any SQLDatabase) async throws {
        guard let first = records.first else { return }
        let columns = first.columns.map(\.0)
        let perStatement = max(1, 5_000 / max(1, columns.count))
        for start in stride(from: 0, to: records.count, by: perStatement) {
            var builder = db.insert(into: R.table).columns(columns)
            for record in records[start..<min(start + perStatement, records.count)] {
                builder = builder.values(record.columns.map { SQLBind($0.1) })
            }
            try await builder.run()
        }
    }

    func insertRow<R: SQLRecord>(_ record: R) async throws {
        try await database.transaction { db in try await insertRow(record, on: db) }
    }

    /// Updates every column but the key; `.notFound` when no row has the key.
    func updateRow<R: SQLRecord>(_ record: R, on db: any SQLDatabase) async throws {
        var builder = db.update(R.table)
        for (column, value) in record.columns where column != R.keyColumn {
            builder = builder.set(SQLIdentifier(column), to: SQLBind(value))
        }
        let rows = try await builder.where(SQLIdentifier(R.keyColumn), .equal, SQLBind(record.key))
            .returning(SQLIdentifier(R.keyColumn))
            .all()
        guard !rows.isEmpty else { throw RepositoryError.notFound(entity: R.table, id: record.key) }
    }

    func updateRow<R: SQLRecord>(_ record: R) async throws {
        try await database.transaction { db in try await updateRow(record, on: db) }
    }

    func findRow<R: SQLRecord>(_ type: R.Type, id: UUID, on db: any SQLDatabase) async throws -> R? {
        try await db.select().column("*").from(R.table)
            .where(SQLIdentifier(R.keyColumn), .equal, SQLBind(Column.id(id)))
            .first()
            .map { try R(row: $0) }
    }

    func findRow<R: SQLRecord>(_ type: R.Type, id: UUID) async throws -> R? {
        try await database.withConnection { db in try await findRow(type, id: id, on: db) }
    }

    /// Rows whose `column` equals `value`, in `order`.
    func listRows<R: SQLRecord>(_ type: R.Type, where column: String, equals value: SQLValue, orderBy order: [String] = []) async throws -> [R] {
        try await database.withConnection { db in
            var query = db.select().column("*").from(R.table).where(SQLIdentifier(column), .equal, SQLBind(value))
            for column in order { query = query.orderBy(column) }
            return try await query.all().map { try R(row: $0) }
        }
    }

    /// Inserts or updates a row together with its links, atomically.
    func write<R: SQLRecord>(_ record: R, isUpdate: Bool, links link: LinkRow, parent: UUID, children: [UUID]) async throws {
        try await database.transaction { db in
            if isUpdate { try await updateRow(record, on: db) } else { try await insertRow(record, on: db) }
            try await replaceLinks(link, parent: parent, children: children, on: db)
        }
    }

    /// Replaces the children of `parent` in a link table.
    func replaceLinks(_ link: LinkRow, parent: UUID, children: [UUID], on db: any SQLDatabase) async throws {
        try await db.delete(from: link.table).where(SQLIdentifier(link.parentColumn), .equal, SQLBind(Column.id(parent))).run()
        guard !children.isEmpty else { return }
        var insert = db.insert(into: link.table).columns(link.parentColumn, link.childColumn)
        for child in children {
            insert = insert.values(SQLBind(Column.id(parent)), SQLBind(Column.id(child)))
        }
        try await insert.run()
    }

    /// Children of each of `parents` in a link table.
    func links(_ link: LinkRow, parents: [UUID], on db: any SQLDatabase) async throws -> [UUID: [UUID]] {
        guard !parents.isEmpty else { return [:] }
        let rows = try await db.select().columns(SQLIdentifier(link.parentColumn), SQLIdentifier(link.childColumn))
            .from(link.table)
            .where(SQLIdentifier(link.parentColumn), .in, SQLGroupExpression(parents.map { SQLBind(Column.id($0)) }))
            .orderBy(link.childColumn)
            .all()
        var result: [UUID: [UUID]] = [:]
        for row in rows {
            result[try row.uuid(link.parentColumn), default: []].append(try row.uuid(link.childColumn))
        }
        return result
    }
}

extension SQLStore: HealthRepository {
    public func ping() async throws {
        try await database.withConnection { db in
            _ = try await db.raw("SELECT 1 AS ok").first()
        }
    }
}

/// A set of ids shared by every copy of a store.
final class KnownIDs: Sendable {
    private let ids = NIOLockedValueBox(Set<UUID>())
    func contains(_ id: UUID) -> Bool { ids.withLockedValue { $0.contains(id) } }
    func insert(_ id: UUID) { ids.withLockedValue { _ = $0.insert(id) } }
}
