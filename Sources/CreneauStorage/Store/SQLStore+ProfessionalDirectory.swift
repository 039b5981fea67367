import CreneauDomain
import Foundation
import SQLKit

/// The national directory: imports write it in batches of upserts (one transaction each, so a
/// killed import leaves whole batches), searches read it by last-name prefix.
extension SQLStore: ProfessionalDirectoryRepository {
    /// The search's indexes: each name key with the other keys, the activity and the identifier,
    /// so that every word of a query is checked in the index and the table is read for the answers
    /// only (an index-only scan on PostgreSQL once vacuumed, a deferred seek on SQLite).
    static let directoryIndexes = [
        "CREATE INDEX IF NOT EXISTS ix_referring_doctors_name_key ON referring_doctors(name_key, first_name_key, town_key, inactive_since, national_id)",
        "CREATE INDEX IF NOT EXISTS ix_referring_doctors_first_name_key ON referring_doctors(first_name_key, name_key, town_key, inactive_since, national_id)",
    ]

    /// Creates the search's indexes when they are missing: a first import drops them while it
    /// loads, and one killed half-way leaves them dropped. Run after every migration.
    public func ensureDirectoryIndexes() async throws {
        try await database.transaction { db in
            for index in Self.directoryIndexes { try await db.execute(index) }
        }
    }

    public func beginDirectoryImport(source: String, at now: Date, staleAfter: TimeInterval) async throws -> Int64 {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE directory_imports SET state = 'abandoned'
                WHERE state = 'running' AND heartbeat_at < \(bind: Column.instant(now.addingTimeInterval(-staleAfter)))
                """).run()
            if let running = try await db.raw("SELECT started_at FROM directory_imports WHERE state = 'running'").first() {
                throw DirectoryImportError.busy(since: try running.instant("started_at"))
            }
            let run = try await db.raw("SELECT COALESCE(MAX(id), 0) + 1 AS id FROM directory_imports").first()?.decode(column: "id", as: Int64.self) ?? 1
            // What an abandoned run listed means nothing now; appends go to an unindexed list.
            try await db.raw("DELETE FROM directory_listed").run()
            try await db.raw("DROP INDEX IF EXISTS ix_directory_listed").run()
            // A first import fills an empty directory: its name indexes are built once at the end
            // (sorted) instead of row by row, which halves the load's time on SQLite.
            let first = try await db.raw("SELECT 1 AS found FROM referring_doctors WHERE source = 'rpps' LIMIT 1").first() == nil
            if first {
                try await db.raw("DROP INDEX IF EXISTS ix_referring_doctors_name_key").run()
                try await db.raw("DROP INDEX IF EXISTS ix_referring_doctors_first_name_key").run()
            }
            // The unique index on running imports makes a second import that got this far at the same moment fail here.
            do {
                try await db.raw("""
                    INSERT INTO directory_imports (id, state, source, started_at, heartbeat_at, first_import)
                    VALUES (\(bind: run), 'running', \(bind: String(source.prefix(300))), \(bind: Column.instant(now)), \(bind: Column.instant(now)), \(bind: first))
                    """).run()
            } catch where StorageErrors.map(error) is RepositoryError {
                throw DirectoryImportError.busy(since: now)
            }
            return run
        }
    }

    public func upsertProfessionals(_ records: [RPPSRecord], run: Int64, batch: Int, at now: Date) async throws {
        // One row per professional and per place in a statement: PostgreSQL refuses an upsert that
        // touches a row twice, and the first line of a professional names their main place.
        var professionals: [String: RPPSRecord] = [:], order: [String] = []
        var places: [String: (String, RPPSPlace)] = [:], placeOrder: [String] = [], towns: [String: [String]] = [:]
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
                    let town = ReferringDoctor.townKey(city: place.city, postalCode: place.postalCode)
                    if !(towns[record.nationalID]?.contains(town) ?? false) { towns[record.nationalID, default: []].append(town) }
                }
            }
        }
        let doctorRows = order.compactMap { professionals[$0] }, placeRows = placeOrder.compactMap { places[$0] }, townKeys = towns
        // What this batch listed: each professional once, with the first place it gave them.
        let listed = doctorRows.map { [$0.nationalID, $0.place?.key ?? ""] }
        let sqlite = database.engine == .sqlite
        let first = try await firstImport(run)
        // Two batches are written at once; a professional listed again in both may make PostgreSQL
        // pick one as a deadlock's victim, which then simply runs again.
        try await retryingConflicts { try await self.database.bulkTransaction { db in
            // Two million rows and three indexes: SQLite's default 2 MiB page cache rereads index
            // pages from the file at every insert. This is the writers' connection (imports, seeds).
            if sqlite { try await db.execute("PRAGMA cache_size = -16384", []) }
            try await Self.upsertDoctors(doctorRows, towns: townKeys, run: run, on: db)
            try await Self.upsertPlaces(placeRows, run: run, on: db)
            if !first { try await db.append(into: "directory_listed", columns: ["national_id", "place_key", "run", "batch"], constants: [String(run), String(batch)],
                                rows: listed, maximumBinds: Self.maximumBindsPerStatement) }
            try await db.execute("UPDATE directory_imports SET heartbeat_at = \(Column.instant(now)) WHERE id = \(run)", [])
        } }
    }

    /// Whether `run` fills an empty directory (it keeps no list of what it listed: it writes everyone).
    func firstImport(_ run: Int64) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("SELECT first_import FROM directory_imports WHERE id = \(bind: run)").first()?.decode(column: "first_import", as: Bool.self) ?? false
        }
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

    /// A doctor's town key holds every place's town and postcode, so that the search checks them in
    /// the name index (a lookup into the places for each candidate cost PostgreSQL a scan of them all).
    private static func upsertDoctors(_ records: [RPPSRecord], towns: [String: [String]], run: Int64, on db: BulkStatements) async throws {
        let columns = ["id", "national_id", "first_name", "last_name", "profession", "specialty", "city", "postal_code",
                       "search_text", "name_key", "first_name_key", "town_key", "title", "source", "import_run"]
        // While a run lists a professional again (the extract repeats them once per activity), their
        // main place stays the first one it listed.
        func keptFirst(_ column: String) -> String {
            "\(column) = CASE WHEN referring_doctors.import_run = excluded.import_run AND referring_doctors.city <> '' THEN referring_doctors.\(column) ELSE excluded.\(column) END"
        }
        let set = ["first_name", "last_name", "profession", "specialty", "name_key", "first_name_key", "title", "source"]
            .map { "\($0) = excluded.\($0)" } + ["city", "postal_code"].map(keptFirst)
            // Listed again in the same run: their places so far, and these.
            + ["search_text"].map(keptFirst)
            + ["town_key = CASE WHEN referring_doctors.import_run = excluded.import_run THEN referring_doctors.town_key || ' ' || excluded.town_key ELSE excluded.town_key END"]
            + ["import_run = excluded.import_run", "inactive_since = NULL"]
        let rows = records.map { record -> [String] in
            let city = record.place?.city ?? "", postalCode = record.place?.postalCode ?? ""
            return [
                Column.id(timeOrderedID()), record.nationalID, record.firstName, record.lastName, record.profession, record.specialty,
                city, postalCode,
                ReferringDoctor.searchText(firstName: record.firstName, lastName: record.lastName, city: city, postalCode: postalCode),
                ReferringDoctor.key(record.lastName), ReferringDoctor.key(record.firstName), (towns[record.nationalID] ?? []).joined(separator: " "),
                record.title,
            ]
        }
        // The run and the source are the same on every row: literals, not values to bind.
        // A refresh finds most professionals as they were: those are left alone (not even marked:
        // `directory_listed` says the run listed them), so their index entries are not rewritten.
        let compared = ["first_name", "last_name", "profession", "specialty", "city", "postal_code", "search_text", "name_key",
                        "first_name_key", "town_key", "title", "source"]
        let changed = (["referring_doctors.import_run = excluded.import_run", "referring_doctors.inactive_since IS NOT NULL"]
            + compared.map { "referring_doctors.\($0) <> excluded.\($0)" }).joined(separator: " OR ")
        try await db.upsert(into: ReferringDoctor.table, columns: columns, constants: ["'rpps'", String(run)], rows: rows,
                            conflict: "national_id", set: set.joined(separator: ", ") + " WHERE " + changed, maximumBinds: maximumBindsPerStatement)
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
        let counts = try await closeRun(run, at: now, report: report, deactivate: deactivate)
        if database.engine == .postgres {
            // Fresh statistics for the planner, and the visibility map that lets the search read
            // its index alone (without it, p99 141 ms instead of 17; VACUUM cannot run in a transaction).
            try await database.withConnection { db in try await db.execute("VACUUM (ANALYZE) referring_doctors") }
        }
        return counts
    }

    private func closeRun(_ run: Int64, at now: Date, report: String,
                          deactivate: @Sendable (DirectoryImportCounts) -> Bool) async throws -> DirectoryImportCounts {
        try await database.transaction { db in
            func count(_ sql: SQLQueryString) async throws -> Int {
                try await db.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0
            }
            // Building an index sorts in up to the page cache's size: a smaller one keeps the import's
            // peak memory where the load's was.
            if self.database.engine == .sqlite { try await db.execute("PRAGMA cache_size = -4096") }
            let first = try await db.raw("SELECT first_import FROM directory_imports WHERE id = \(bind: run)").first()?.decode(column: "first_import", as: Bool.self) ?? false
            var counts: DirectoryImportCounts
            if first {
                // Into an empty directory: everyone listed was written with the run's mark, nobody is missing.
                counts = DirectoryImportCounts(
                    listed: try await count("SELECT COUNT(*) AS n FROM referring_doctors WHERE source = 'rpps' AND import_run = \(bind: run)"),
                    places: try await count("SELECT COUNT(*) AS n FROM referring_doctor_places WHERE import_run = \(bind: run)"),
                    missing: 0, deactivated: 0)
            } else {
                // Listed by the run: in `directory_listed` (a professional found unchanged was not written).
                // Indexed now, once, sorted: appends stayed cheap, and the anti-join and the grouping below
                // become index lookups (SQLite would otherwise scan the list once per professional).
                try await db.execute("CREATE INDEX IF NOT EXISTS ix_directory_listed ON directory_listed(national_id, run)")
                let notListed: SQLQueryString = """
                    source = 'rpps' AND inactive_since IS NULL
                    AND NOT EXISTS (SELECT 1 FROM directory_listed l WHERE l.run = \(bind: run) AND l.national_id = referring_doctors.national_id)
                    """
                counts = DirectoryImportCounts(
                    listed: try await count("SELECT COUNT(DISTINCT national_id) AS n FROM directory_listed WHERE run = \(bind: run)"),
                    places: try await count("SELECT COUNT(*) AS n FROM referring_doctor_places WHERE import_run = \(bind: run)"),
                    missing: try await count("SELECT COUNT(*) AS n FROM referring_doctors WHERE \(notListed)"),
                    deactivated: 0)
                if deactivate(counts) {
                    try await db.raw("UPDATE referring_doctors SET inactive_since = \(bind: Column.instant(now)) WHERE \(notListed)").run()
                    try await db.raw("DELETE FROM referring_doctor_places WHERE import_run <> \(bind: run)").run()
                    counts.deactivated = counts.missing
                }
                try await Self.gatherAcrossBatches(run: run, on: db)
                try await db.raw(self.database.engine == .postgres ? "TRUNCATE directory_listed" : "DELETE FROM directory_listed").run()
                try await db.execute("DROP INDEX IF EXISTS ix_directory_listed")
            }
            for index in Self.directoryIndexes { try await db.execute(index) }
            try await db.raw("""
                UPDATE directory_imports SET state = 'finished', finished_at = \(bind: Column.instant(now)), heartbeat_at = \(bind: Column.instant(now)),
                    report = \(bind: String(report.prefix(4_000)))
                WHERE id = \(bind: run)
                """).run()
            return counts
        }
    }

    /// Professionals the run listed in several batches: while batches are written (two at once), a
    /// later one may have found the row untouched by the earlier (it was unchanged) or written
    /// first. Their main place becomes the first batch's, their towns those of all the places the
    /// run listed, as if the file had listed them together.
    static func gatherAcrossBatches(run: Int64, on db: any SQLDatabase) async throws {
        var firstPlace: [String: String] = [:], order: [String] = []
        for row in try await db.raw("""
            SELECT national_id, batch, place_key FROM directory_listed
            WHERE run = \(bind: run) AND national_id IN (
                SELECT national_id FROM directory_listed WHERE run = \(bind: run) GROUP BY national_id HAVING COUNT(*) > 1)
            ORDER BY national_id, batch
            """).all() {
            let id = try row.string("national_id"), place = try row.string("place_key")
            if firstPlace[id] == nil { order.append(id); firstPlace[id] = place } else if firstPlace[id] == "" { firstPlace[id] = place }
        }
        for chunk in order.chunks(of: 500) {
            var list = SQLQueryString("")
            for (index, id) in chunk.enumerated() { list = list + (index == 0 ? "" : ", ") + "\(bind: id)" }
            var places: [String: [(key: String, city: String, postalCode: String)]] = [:]
            for row in try await db.raw("""
                SELECT national_id, place_key, city, postal_code FROM referring_doctor_places
                WHERE import_run = \(bind: run) AND national_id IN (\(list)) ORDER BY national_id, place_key
                """).all() {
                places[try row.string("national_id"), default: []].append((try row.string("place_key"), try row.string("city"), try row.string("postal_code")))
            }
            for row in try await db.raw("SELECT national_id, first_name, last_name FROM referring_doctors WHERE national_id IN (\(list))").all() {
                let id = try row.string("national_id"), all = places[id] ?? []
                let main = all.first { $0.key == firstPlace[id] } ?? all.first
                var towns: [String] = []
                for place in all {
                    let town = ReferringDoctor.townKey(city: place.city, postalCode: place.postalCode)
                    if !towns.contains(town) { towns.append(town) }
                }
                let city = main?.city ?? "", postalCode = main?.postalCode ?? ""
                let searchText = ReferringDoctor.searchText(firstName: try row.string("first_name"), lastName: try row.string("last_name"), city: city, postalCode: postalCode)
                try await db.raw("""
                    UPDATE referring_doctors SET city = \(bind: city), postal_code = \(bind: postalCode), search_text = \(bind: searchText),
                        town_key = \(bind: towns.joined(separator: " ")), import_run = \(bind: run)
                    WHERE national_id = \(bind: id) AND (city <> \(bind: city) OR postal_code <> \(bind: postalCode) OR town_key <> \(bind: towns.joined(separator: " ")))
                    """).run()
            }
        }
    }

    public func abandonDirectoryImport(run: Int64, at now: Date) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE directory_imports SET state = 'abandoned', heartbeat_at = \(bind: Column.instant(now))
                WHERE id = \(bind: run) AND state = 'running'
                """).run()
        }
        try await ensureDirectoryIndexes()
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
                            town_key = \(bind: row.doctor.townKey), search_text = \(bind: row.doctor.searchText)
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
