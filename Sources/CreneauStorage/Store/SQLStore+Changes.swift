import CreneauDomain
import Foundation
import SQLKit

/// The change feed: written inside the writer's transaction (`addChanges`), read in
/// sequence order by subscribers (`changes(after:limit:)`).
extension SQLStore: ChangeFeed {
    public func changes(after sequence: Int64, limit: Int) async throws -> [ChangeEvent] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT seq, kind, at, owner_id, appointment_id, from_at, to_at FROM change_events
                WHERE seq > \(bind: sequence) ORDER BY seq LIMIT \(bind: max(1, min(limit, 10_000)))
                """).all().map(ChangeEventRow.event(from:))
        }
    }

    /// Adds `events` to the feed in the caller's transaction. On PostgreSQL the transaction
    /// first takes a lock held to its commit, so sequence numbers are handed out in commit
    /// order (a reader never sees 12 before 11 has committed).
    func addChanges(_ events: [ChangeEvent], on db: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        if database.engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7243021)").run() }
        try await BulkWriter(store: self, db: db).insert(events.map(ChangeEventRow.init))
    }
}

struct ChangeEventRow: SQLRecord {
    static let table = "change_events"
    static let keyColumn = "seq"
    let event: ChangeEvent
    var key: String { String(event.sequence) }
    /// Without `seq`: the database numbers the rows.
    var columns: [(String, SQLValue)] {
        [("kind", event.kind.rawValue), ("at", Column.instant(event.at)), ("owner_id", Column.id(event.ownerID)),
         ("appointment_id", Column.id(event.appointmentID)), ("from_at", Column.instant(event.from)), ("to_at", Column.instant(event.to))]
    }

    init(_ event: ChangeEvent) { self.event = event }
    init(row: any SQLRow) throws { event = try Self.event(from: row) }

    static func event(from row: any SQLRow) throws -> ChangeEvent {
        ChangeEvent(
            sequence: try row.decode(column: "seq", as: Int64.self), kind: try row.enumeration("kind"), at: try row.instant("at"),
            ownerID: try row.uuid("owner_id"), appointmentID: try row.optionalUUID("appointment_id"),
            from: try row.instant("from_at"), to: try row.instant("to_at"))
    }
}
