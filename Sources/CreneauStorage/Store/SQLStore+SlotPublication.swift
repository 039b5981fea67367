import CreneauDomain
import Foundation
import SQLKit

/// The published slots (`SlotPublication`): a practitioner's days replaced in one transaction
/// when their digest changed, so a reader sees the old days or the new ones, never a mix.
extension SQLStore: SlotPublicationRepository {
    public func agendaVersions() async throws -> [String: Int64] {
        try await database.withConnection { db in
            var versions: [String: Int64] = [:]
            for row in try await db.raw("SELECT owner_id, version FROM agenda_versions").all() {
                versions[try row.string("owner_id")] = try row.decode(column: "version", as: Int64.self)
            }
            return versions
        }
    }

    public func publishSlots(practitionerID: UUID, digest: String, slots: [PublishedSlots], at: Date) async throws -> Bool {
        let id = Column.id(practitionerID)
        let stored = try await database.withConnection { db in
            try await db.raw("SELECT digest FROM slot_publications WHERE practitioner_id = \(bind: id)").first().map { try $0.string("digest") }
        }
        guard stored != digest else { return false }
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO slot_publications (practitioner_id, digest, changed_at) VALUES (\(bind: id), \(bind: digest), \(bind: Column.instant(at)))
                ON CONFLICT (practitioner_id) DO UPDATE SET digest = excluded.digest, changed_at = excluded.changed_at
                """).run()
            try await db.raw("DELETE FROM published_slots WHERE practitioner_id = \(bind: id)").run()
            // Multi-row inserts of 200 rows (6 values each) stay far below both engines' bind limits.
            for chunk in stride(from: 0, to: slots.count, by: 200).map({ slots[$0..<min($0 + 200, slots.count)] }) {
                var query = SQLQueryString("INSERT INTO published_slots (practitioner_id, motive_id, day, starts_at, ends_at, capacity) VALUES ")
                for (index, row) in chunk.enumerated() {
                    if index > 0 { query.appendLiteral(", ") }
                    query = query + """
                        (\(bind: id), \(bind: Column.id(row.motiveID)), \(bind: row.day.description), \(bind: Column.instant(row.start)), \
                        \(bind: Column.instant(row.end)), \(bind: row.capacity))
                        """
                }
                try await db.raw(query).run()
            }
        }
        return true
    }

    public func globalVersion() async throws -> Int64? {
        try await database.withConnection { db in
            try await db.raw("SELECT version FROM agenda_versions WHERE owner_id = \(bind: Migration.globalVersionKey)").first()
                .map { try $0.decode(column: "version", as: Int64.self) }
        }
    }

    public func computedKeys() async throws -> [UUID: String] {
        try await database.withConnection { db in
            var keys: [UUID: String] = [:]
            for row in try await db.raw("SELECT practitioner_id, computed_from FROM slot_publications WHERE computed_from IS NOT NULL AND digest <> 'withdrawn'").all() {
                keys[try row.uuid("practitioner_id")] = try row.string("computed_from")
            }
            return keys
        }
    }

    /// One transaction for a pass's batch (one commit, not one per practitioner).
    public func recordComputed(_ keys: [UUID: String]) async throws {
        guard !keys.isEmpty else { return }
        try await database.transaction { db in
            for (id, key) in keys.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
                try await db.raw("UPDATE slot_publications SET computed_from = \(bind: key) WHERE practitioner_id = \(bind: Column.id(id))").run()
            }
        }
    }

    public func withdrawSlots(keeping: Set<UUID>, at: Date) async throws {
        let published = try await database.withConnection { db in
            try await db.raw("SELECT practitioner_id FROM slot_publications WHERE digest <> 'withdrawn'").all().map { try $0.uuid("practitioner_id") }
        }
        for id in published where !keeping.contains(id) {
            try await database.transaction { db in
                try await db.raw("DELETE FROM published_slots WHERE practitioner_id = \(bind: Column.id(id))").run()
                try await db.raw("""
                    UPDATE slot_publications SET digest = 'withdrawn', changed_at = \(bind: Column.instant(at)) WHERE practitioner_id = \(bind: Column.id(id))
                    """).run()
            }
        }
    }

    public func publishedSlots(changedSince since: Date?, after: UUID?, limit: Int) async throws -> [(practitionerID: UUID, changedAt: Date, slots: [PublishedSlots])] {
        try await database.withConnection { db in
            var condition = SQLQueryString("1 = 1")
            if let since { condition = condition + " AND changed_at > \(bind: Column.instant(since))" }
            if let after { condition = condition + " AND practitioner_id > \(bind: Column.id(after))" }
            let practitioners = try await db.raw("""
                SELECT practitioner_id, changed_at FROM slot_publications WHERE \(condition) ORDER BY practitioner_id LIMIT \(bind: max(1, limit))
                """).all().map { (try $0.uuid("practitioner_id"), try $0.instant("changed_at")) }
            guard let first = practitioners.first?.0, let last = practitioners.last?.0 else { return [] }
            // A full pull reads the page's id range (one index range); an incremental one only the changed ids.
            var which = SQLQueryString("practitioner_id >= \(bind: Column.id(first)) AND practitioner_id <= \(bind: Column.id(last))")
            if since != nil {
                which = "practitioner_id IN ("
                for (index, practitioner) in practitioners.enumerated() {
                    which = which + (index == 0 ? "" : ", ") + "\(bind: Column.id(practitioner.0))"
                }
                which = which + ")"
            }
            var slots: [UUID: [PublishedSlots]] = [:]
            for row in try await db.raw("""
                SELECT practitioner_id, motive_id, day, starts_at, ends_at, capacity FROM published_slots
                WHERE \(which) ORDER BY practitioner_id, day, starts_at, motive_id
                """).all() {
                slots[try row.uuid("practitioner_id"), default: []].append(PublishedSlots(
                    motiveID: try row.uuid("motive_id"), day: try row.day("day"), start: try row.instant("starts_at"), end: try row.instant("ends_at"),
                    capacity: try row.int("capacity")))
            }
            return practitioners.map { ($0.0, $0.1, slots[$0.0] ?? []) }
        }
    }

    public func publicationState() async throws -> SlotPublicationState {
        try await database.withConnection { db in
            let row = try await db.raw("""
                SELECT COUNT(*) AS practitioners, MAX(changed_at) AS last_change,
                       (SELECT version FROM agenda_versions WHERE owner_id = '*') AS configuration
                FROM slot_publications
                """).first()
            return SlotPublicationState(
                practitioners: try row?.decode(column: "practitioners", as: Int.self) ?? 0, lastChange: try row?.optionalInstant("last_change"),
                configuration: try row?.decode(column: "configuration", as: Int64?.self) ?? 0)
        }
    }
}
