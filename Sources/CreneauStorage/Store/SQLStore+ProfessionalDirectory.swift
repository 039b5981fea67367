import CreneauDomain
import Foundation
import SQLKit

/// The national directory: imports write it in batches of upserts (one transaction each, so a
/// killed import leaves whole batches), searches read it by last-name prefix.
extension SQLStore: ProfessionalDirectoryRepository {
    public func beginDirectoryImport(source: String, at now: Date, staleAfter: TimeInterval) async throws -> Int64 {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE directory_imports SET state = 'abandoned'
                WHERE state = 'running' AND heartbeat_at < \(bind: Column.instant(now.addingTimeInterval(-staleAfter)))
                """).run()
            if let running = try await db.raw("SELECT started_at FROM directory_imports WHERE state = 'running'").first() {
                throw DirectoryImportError.busy(since: try running.instant("started_at"))
            }
            let last = try await db.raw("SELECT MAX(id) AS id FROM directory_imports").first()
            let run = (try last?.decodeNil(column: "id") == false ? try last?.decode(column: "id", as: Int64.self) : nil).map { $0 + 1 } ?? 1
            // The unique index on running imports makes a second import that got this far at the same moment fail here.
            do {
                try await db.raw("""
                    INSERT INTO directory_imports (id, state, source, started_at, heartbeat_at)
                    VALUES (\(bind: run), 'running', \(bind: String(source.prefix(300))), \(bind: Column.instant(now)), \(bind: Column.instant(now)))
                    """).run()
            } catch where StorageErrors.map(error) is RepositoryError {
                throw DirectoryImportError.busy(since: now)
            }
            return run
        }
    }

    public func upsertProfessionals(_ records: [RPPSRecord], run: Int64, at now: Date) async throws {
        // One row per professional and per place in a statement: PostgreSQL refuses an upsert that
        // touches a row twice, and the first line of a professional names their main place.
        var professionals: [String: RPPSRecord] = [:], order: [String] = []
        var places: [String: (String, RPPSPlace)] = [:], placeOrder: [String] = [], placeTexts: [String: [String]] = [:]
        for record in records {
            if professionals[record.nationalID] == nil {
                professionals[record.nationalID] = record
                order.append(record.nationalID)
            }
            if let place = record.place {
                let key = record.nationalID + "|" + place.key
                if places[key] == nil {
                    places[key] = (record.nationalID, place)
                    placeOrder.append(key)
                    placeTexts[record.nationalID, default: []].append(place.searchText)
                }
            }
        }
        let doctorRows = order.compactMap { professionals[$0] }, placeRows = placeOrder.compactMap { places[$0] }, texts = placeTexts
        let sqlite = database.engine == .sqlite
        // Two batches are written at once; a professional listed again in both may make PostgreSQL
        // pick one as a deadlock's victim, which then simply runs again.
        try await retryingConflicts { try await self.database.bulkTransaction { db in
            // Two million rows and three indexes: SQLite's default 2 MiB page cache rereads index
            // pages from the file at every insert. This is the writers' connection (imports, seeds).
            if sqlite { try await db.execute("PRAGMA cache_size = -16384", []) }
            try await Self.upsertDoctors(doctorRows, placeTexts: texts, run: run, on: db)
            try await Self.upsertPlaces(placeRows, run: run, on: db)
            try await db.execute("UPDATE directory_imports SET heartbeat_at = \(Column.instant(now)) WHERE id = \(run)", [])
        } }
    }

    private func retryingConflicts(_ body: () async throws -> Void) async throws {
        for attempt in 1... {
            do {
                return try await body()
            } catch where attempt < 4 && StorageErrors.isTransientConflict(error) {
                try await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }

    /// A doctor's search text holds their name and every place's town, postcode and name, so that
    /// the search reads one row a candidate (a lookup into the places for each one cost PostgreSQL a
    /// scan of them all).
    private static func upsertDoctors(_ records: [RPPSRecord], placeTexts: [String: [String]], run: Int64, on db: BulkStatements) async throws {
        let columns = ["id", "national_id", "first_name", "last_name", "profession", "specialty", "city", "postal_code",
                       "search_text", "name_key", "first_name_key", "title", "source", "import_run"]
        // While a run lists a professional again (the extract repeats them once per activity), their
        // main place stays the first one it listed.
        func keptFirst(_ column: String) -> String {
            "\(column) = CASE WHEN referring_doctors.import_run = excluded.import_run AND referring_doctors.city <> '' THEN referring_doctors.\(column) ELSE excluded.\(column) END"
        }
        let set = ["first_name", "last_name", "profession", "specialty", "name_key", "first_name_key", "title", "source"]
            .map { "\($0) = excluded.\($0)" } + ["city", "postal_code"].map(keptFirst)
            // Listed again in the same run: their places so far, and these.
            + ["search_text = CASE WHEN referring_doctors.import_run = excluded.import_run THEN referring_doctors.search_text || ' ' || excluded.search_text ELSE excluded.search_text END"]
            + ["import_run = excluded.import_run", "inactive_since = NULL"]
        let rows = records.map { record -> [String] in
            let city = record.place?.city ?? "", postalCode = record.place?.postalCode ?? ""
            return [
                Column.id(timeOrderedID()), record.nationalID, record.firstName, record.lastName, record.profession, record.specialty,
                city, postalCode,
                ([ReferringDoctor.searchText(firstName: record.firstName, lastName: record.lastName, city: city, postalCode: postalCode)]
                    + (placeTexts[record.nationalID] ?? [])).joined(separator: " "),
                ReferringDoctor.key(record.lastName), ReferringDoctor.key(record.firstName), record.title,
            ]
        }
        // The run and the source are the same on every row: literals, not values to bind.
        try await db.upsert(into: ReferringDoctor.table, columns: columns, constants: ["'rpps'", String(run)], rows: rows,
                         conflict: "national_id", set: set.joined(separator: ", "), maximumBinds: maximumBindsPerStatement)
    }

    private static func upsertPlaces(_ places: [(String, RPPSPlace)], run: Int64, on db: BulkStatements) async throws {
        let columns = ["national_id", "place_key", "name", "address", "postal_code", "city", "phone", "search_text", "import_run"]
        let rows = places.map { nationalID, place in
            [nationalID, place.key, place.name, place.address, place.postalCode, place.city, place.phone, place.searchText]
        }
        try await db.upsert(into: "referring_doctor_places", columns: columns, constants: [String(run)], rows: rows,
                         conflict: "national_id, place_key", set: columns.dropFirst(2).map { "\($0) = excluded.\($0)" }.joined(separator: ", "),
                            maximumBinds: maximumBindsPerStatement)
    }

    public func finishDirectoryImport(run: Int64, at now: Date, report: String,
                                      deactivate: @Sendable (DirectoryImportCounts) -> Bool) async throws -> DirectoryImportCounts {
        try await database.transaction { db in
            func count(_ sql: SQLQueryString) async throws -> Int {
                try await db.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0
            }
            var counts = DirectoryImportCounts(
                listed: try await count("SELECT COUNT(*) AS n FROM referring_doctors WHERE source = 'rpps' AND import_run = \(bind: run)"),
                places: try await count("SELECT COUNT(*) AS n FROM referring_doctor_places WHERE import_run = \(bind: run)"),
                missing: try await count("""
                    SELECT COUNT(*) AS n FROM referring_doctors
                    WHERE source = 'rpps' AND inactive_since IS NULL AND (import_run IS NULL OR import_run <> \(bind: run))
                    """),
                deactivated: 0)
            if deactivate(counts) {
                try await db.raw("""
                    UPDATE referring_doctors SET inactive_since = \(bind: Column.instant(now))
                    WHERE source = 'rpps' AND inactive_since IS NULL AND (import_run IS NULL OR import_run <> \(bind: run))
                    """).run()
                try await db.raw("DELETE FROM referring_doctor_places WHERE import_run <> \(bind: run)").run()
                counts.deactivated = counts.missing
            }
            try await db.raw("""
                UPDATE directory_imports SET state = 'finished', finished_at = \(bind: Column.instant(now)), heartbeat_at = \(bind: Column.instant(now)),
                    report = \(bind: String(report.prefix(4_000)))
                WHERE id = \(bind: run)
                """).run()
            return counts
        }
    }

    public func abandonDirectoryImport(run: Int64, at now: Date) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE directory_imports SET state = 'abandoned', heartbeat_at = \(bind: Column.instant(now))
                WHERE id = \(bind: run) AND state = 'running'
                """).run()
        }
    }

    /// A version-7 UUID (milliseconds first, then random): the new doctors of an import land at the
    /// end of the primary key's index instead of all over it.
    static func timeOrderedID(at now: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1_000))
        // A random UUID's bytes (one call for randomness), the first six replaced by the time.
        var uuid = UUID().uuid
        withUnsafeMutableBytes(of: &uuid) { bytes in
            for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * UInt64(5 - index))) }
            bytes[6] = (bytes[6] & 0x0F) | 0x70
            bytes[8] = (bytes[8] & 0x3F) | 0x80
        }
        return UUID(uuid: uuid)
    }

    /// Fills the name keys (and the search text that goes with them) of doctors written before migration 0023, a thousand a transaction;
    /// returns how many. Idempotent: run after every migration.
    public func backfillDoctorNameKeys() async throws -> Int {
        var filled = 0
        while true {
            let batch = try await database.withConnection { db in
                try await db.raw("SELECT id, first_name, last_name, city, postal_code FROM referring_doctors WHERE name_key = '' LIMIT 1000").all()
                    .map { row in
                        let doctor = ReferringDoctor(id: try row.uuid("id"), nationalID: "", firstName: try row.string("first_name"), lastName: try row.string("last_name"),
                                                     profession: "", city: try row.string("city"), postalCode: try row.string("postal_code"))
                        return (id: try row.string("id"), doctor: doctor)
                    }
            }
            if batch.isEmpty { return filled }
            try await database.transaction { db in
                for row in batch {
                    try await db.raw("""
                        UPDATE referring_doctors SET name_key = \(bind: row.doctor.nameKey), first_name_key = \(bind: row.doctor.firstNameKey),
                            search_text = \(bind: row.doctor.searchText)
                        WHERE id = \(bind: row.id)
                        """).run()
                }
            }
            filled += batch.count
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        let size = Swift.max(1, size)
        return stride(from: startIndex, to: endIndex, by: size).map { self[$0..<Swift.min($0 + size, endIndex)] }
    }
}
