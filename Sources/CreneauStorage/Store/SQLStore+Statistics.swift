import CreneauDomain
import Foundation
import SQLKit

/// The statistics summaries (migration 0026). Facts per appointment are computed in Swift (periods
/// in the site's zone: `AppointmentFact`); the summaries are sums over facts written by SQL
/// (`rollup`), the same statements for the incremental pass (minus the old facts, plus the new)
/// and for a rebuild (plus every fact), so the two cannot drift apart.
extension SQLStore: StatisticsRepository {
    static let countColumns = [
        "booked", "visits", "attended", "noshow", "cancelled", "cancelled_by_patient", "cancelled_by_hospital", "cancelled_late", "cancelled_week",
        "freed", "moved", "refilled",
        "booked_minutes", "survey_answers", "survey_score_sum", "survey_promoters", "survey_detractors",
    ]

    /// What one fact adds to the period of its visit, per column of `countColumns` (its booking adds `booked` only).
    /// `StatisticsCounts.of(_:booking:)` says the same in Swift; `StatisticsStorageTests` holds them together.
    static let visitExpressions = [
        "0",
        "CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END",
        "CASE WHEN status IN ('arrived', 'fulfilled') THEN 1 ELSE 0 END",
        "CASE WHEN status = 'noshow' THEN 1 ELSE 0 END",
        "CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END",
        "CASE WHEN status = 'cancelled' AND cancelled_by = 'patient' THEN 1 ELSE 0 END",
        "CASE WHEN status = 'cancelled' AND cancelled_by IN ('staff', 'system') THEN 1 ELSE 0 END",
        "CASE WHEN status = 'cancelled' AND notice_hours IS NOT NULL AND notice_hours < \(AppointmentFact.lateNoticeHours) THEN 1 ELSE 0 END",
        "CASE WHEN status = 'cancelled' AND notice_hours IS NOT NULL AND notice_hours < \(AppointmentFact.weekNoticeHours) THEN 1 ELSE 0 END",
        "CASE WHEN status = 'cancelled' AND notice_hours IS NOT NULL AND notice_hours >= 0 THEN 1 ELSE 0 END",
        "CASE WHEN status <> 'cancelled' AND moved = 1 THEN 1 ELSE 0 END",
        "CASE WHEN status <> 'cancelled' AND refilled = 1 THEN 1 ELSE 0 END",
        "CASE WHEN status <> 'cancelled' THEN minutes ELSE 0 END",
        "CASE WHEN survey_score IS NOT NULL THEN 1 ELSE 0 END",
        "COALESCE(survey_score, 0)",
        "CASE WHEN survey_score >= 9 THEN 1 ELSE 0 END",
        "CASE WHEN survey_score <= 6 THEN 1 ELSE 0 END",
    ]

    static func itemColumn(_ level: StatisticsLevel) -> String {
        switch level {
        case .department: "''"
        case .motive: "motive_id"
        case .practitioner: "practitioner_id"
        }
    }

    /// Adds (`sign` 1) or takes away (−1) the facts `filter` selects from every summary.
    func rollupCounts(_ filter: SQLQueryString, sign: Int, on db: any SQLDatabase) async throws {
        let columns = Self.countColumns.joined(separator: ", ")
        let sums = Self.countColumns.map { "CAST(SUM(\($0)) AS BIGINT) * \(sign)" }.joined(separator: ", ")
        let updates = Self.countColumns.map { "\($0) = stats_counts.\($0) + excluded.\($0)" }.joined(separator: ", ")
        let booking = (["1"] + Array(repeating: "0", count: Self.countColumns.count - 1)).enumerated().map { "\($1) AS \(Self.countColumns[$0])" }.joined(separator: ", ")
        let visit = Self.visitExpressions.enumerated().map { "\($1) AS \(Self.countColumns[$0])" }.joined(separator: ", ")
        for level in StatisticsLevel.allCases {
            for grain in StatisticsGrain.allCases {
                let item = Self.itemColumn(level)
                var sql = SQLQueryString("""
                    INSERT INTO stats_counts (level, grain, period, site_id, department_id, item_id, channel, patient_kind, \(unsafeRaw: columns))
                    SELECT '\(unsafeRaw: level.rawValue)', '\(unsafeRaw: grain.rawValue)', period, site_id, department_id, item_id, channel, patient_kind, \(unsafeRaw: sums)
                    FROM (
                        SELECT booked_\(unsafeRaw: grain.rawValue) AS period, site_id, department_id, \(unsafeRaw: item) AS item_id, channel, patient_kind, \(unsafeRaw: booking)
                        FROM stats_facts WHERE
                    """)
                sql.appendLiteral(" ")
                sql.appendInterpolation(filter)
                sql.appendLiteral("""

                        UNION ALL
                        SELECT visit_\(grain.rawValue) AS period, site_id, department_id, \(item) AS item_id, channel, patient_kind, \(visit)
                        FROM stats_facts WHERE
                    """)
                sql.appendLiteral(" ")
                sql.appendInterpolation(filter)
                sql.appendLiteral("""

                    ) AS facts WHERE 1 = 1
                    GROUP BY period, site_id, department_id, item_id, channel, patient_kind
                    ON CONFLICT (level, grain, period, department_id, item_id, channel, patient_kind) DO UPDATE SET \(updates)
                    """)
                try await db.raw(sql).run()
            }
        }
    }

    /// The same for open minutes (`stats_open_days` → `stats_open`).
    func rollupOpen(_ filter: SQLQueryString, sign: Int, on db: any SQLDatabase) async throws {
        for level in [StatisticsLevel.department, .practitioner] {
            for grain in StatisticsGrain.allCases {
                var sql = SQLQueryString("""
                    INSERT INTO stats_open (level, grain, period, site_id, department_id, item_id, open_minutes)
                    SELECT '\(unsafeRaw: level.rawValue)', '\(unsafeRaw: grain.rawValue)', \(unsafeRaw: grain.rawValue), site_id, department_id,
                           \(unsafeRaw: Self.itemColumn(level)), CAST(SUM(minutes) AS BIGINT) * \(unsafeRaw: String(sign))
                    FROM stats_open_days WHERE
                    """)
                sql.appendLiteral(" ")
                sql.appendInterpolation(filter)
                sql.appendLiteral("""

                    GROUP BY \(grain.rawValue), site_id, department_id\(level == .practitioner ? ", practitioner_id" : "")
                    ON CONFLICT (level, grain, period, department_id, item_id) DO UPDATE SET open_minutes = stats_open.open_minutes + excluded.open_minutes
                    """)
                try await db.raw(sql).run()
            }
        }
    }

    /// Adds the delays recorded on `day` to their month and week.
    func rollupAccess(day: LocalDate, on db: any SQLDatabase) async throws {
        for grain in StatisticsGrain.allCases {
            try await db.raw("""
                INSERT INTO stats_access_periods (grain, period, site_id, department_id, motive_id, specialty, days_sum, days_count, beyond)
                SELECT \(bind: grain.rawValue), \(bind: grain.start(of: day).description), site_id, department_id, motive_id, MIN(specialty),
                       CAST(COALESCE(SUM(days_to_third), 0) AS BIGINT), COUNT(days_to_third),
                       CAST(SUM(CASE WHEN days_to_third IS NULL THEN 1 ELSE 0 END) AS BIGINT)
                FROM stats_access WHERE day = \(bind: day.description)
                GROUP BY site_id, department_id, motive_id
                ON CONFLICT (grain, period, department_id, motive_id) DO UPDATE SET days_sum = stats_access_periods.days_sum + excluded.days_sum,
                    days_count = stats_access_periods.days_count + excluded.days_count, beyond = stats_access_periods.beyond + excluded.beyond
                """).run()
        }
    }

    // MARK: Facts

    /// The appointment columns a fact is made from; `filter` narrows them (`a.` is the appointment).
    static func factQuery(_ filter: SQLQueryString) -> SQLQueryString {
        var sql = SQLQueryString("""
            SELECT a.id, a.department_id, d.site_id, s.time_zone, a.practitioner_id, a.motive_id, a.patient_id, a.channel, a.status, a.cancelled_by,
                   a.starts_at, a.ends_at, a.created_at, a.updated_at, a.move_count,
                   COALESCE(a.patient_kind, CASE WHEN EXISTS (
                       SELECT 1 FROM known_patients k WHERE k.department_id = a.department_id AND k.patient_id = a.patient_id AND k.since <= a.created_at)
                       THEN 'known' ELSE 'new' END) AS kind,
                   CASE WHEN EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.appointment_id = a.id AND o.state = 'accepted') THEN 1 ELSE 0 END AS refilled,
                   sv.score AS survey_score
            FROM appointments a
            JOIN departments d ON d.id = a.department_id
            JOIN sites s ON s.id = d.site_id
            LEFT JOIN survey_answers sv ON sv.appointment_id = a.id
            WHERE
            """)
        sql.appendLiteral(" ")
        sql.appendInterpolation(filter)
        return sql
    }

    static func fact(from row: any SQLRow, zones: inout [String: TimeZone]) throws -> AppointmentFact {
        let zoneName = try row.string("time_zone")
        let zone = zones[zoneName] ?? TimeZone(identifier: zoneName) ?? Site.defaultZone
        zones[zoneName] = zone
        let status: AppointmentStatus = try row.enumeration("status")
        let appointment = Appointment(
            id: try row.uuid("id"), departmentID: try row.uuid("department_id"), motiveID: try row.uuid("motive_id"),
            practitionerID: try row.uuid("practitioner_id"), patientID: try row.uuid("patient_id"), startsAt: try row.instant("starts_at"),
            endsAt: try row.instant("ends_at"), status: status, channel: try row.enumeration("channel"),
            cancelledBy: try row.optionalEnumeration("cancelled_by"), moveCount: try row.int("move_count"),
            createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"))
        return AppointmentFact(
            appointment, siteID: try row.uuid("site_id"), zone: zone, patientKind: try row.enumeration("kind"),
            cancelledAt: status == .cancelled ? appointment.updatedAt : nil, refilled: try row.int("refilled") == 1,
            surveyScore: try row.optionalInt("survey_score"))
    }

    static let factColumns = [
        "appointment_id", "site_id", "department_id", "practitioner_id", "motive_id", "channel", "patient_kind", "booked_month", "booked_week",
        "visit_month", "visit_week", "status", "cancelled_by", "notice_hours", "moved", "minutes", "refilled", "survey_score",
    ]

    static func factValues(_ fact: AppointmentFact) -> [SQLExpression] {
        let values: [any Encodable & Sendable] = [
            Column.id(fact.appointmentID), Column.id(fact.siteID), Column.id(fact.departmentID), Column.id(fact.practitionerID),
            Column.id(fact.motiveID), fact.channel.rawValue, fact.patientKind.rawValue, fact.bookedMonth.description, fact.bookedWeek.description,
            fact.visitMonth.description, fact.visitWeek.description, fact.status.rawValue, fact.cancelledBy?.rawValue,
            fact.noticeHours.map(Int64.init), fact.moved ? 1 : 0, fact.minutes, fact.refilled ? 1 : 0, fact.surveyScore,
        ]
        return values.map { SQLBind($0) }
    }

    func insertFacts(_ facts: [AppointmentFact], on db: any SQLDatabase) async throws {
        let perStatement = max(1, Self.maximumBindsPerStatement / Self.factColumns.count)
        for start in stride(from: 0, to: facts.count, by: perStatement) {
            var insert = db.insert(into: "stats_facts").columns(Self.factColumns)
            for fact in facts[start..<min(start + perStatement, facts.count)] { insert = insert.values(Self.factValues(fact)) }
            try await insert.run()
        }
    }

    // MARK: Keeping the summaries current

    public func refreshStatistics(limit: Int) async throws -> Int? {
        let (cursor, rebuilding) = try await statisticsCursor()
        if cursor < 0 {
            // Nothing counted yet (a new database, an upgrade): the history needs counting, unless another instance is at it.
            return rebuilding ? 0 : nil
        }
        let (events, last, ids) = try await database.withConnection { db -> (Int, Int64, [UUID]) in
            let rows = try await db.raw("""
                SELECT seq, appointment_id FROM change_events WHERE seq > \(bind: cursor) ORDER BY seq LIMIT \(bind: max(1, min(limit, 10_000)))
                """).all()
            var ids: [UUID] = [], seen: Set<UUID> = []
            var last = cursor
            for row in rows {
                last = max(last, try row.decode(column: "seq", as: Int64.self))
                if let id = try row.optionalUUID("appointment_id"), seen.insert(id).inserted { ids.append(id) }
            }
            return (rows.count, last, ids)
        }
        guard events > 0 else { return 0 }
        do {
            try await database.transaction { db in
                var zones: [String: TimeZone] = [:]
                // Another instance that counted these events first moved the cursor: this pass gives way (rolls back).
                guard !(try await db.raw("UPDATE stats_cursor SET seq = \(bind: last) WHERE id = 1 AND seq = \(bind: cursor) RETURNING id").all().isEmpty) else {
                    throw StatisticsPassLost()
                }
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = ids[start..<min(start + 500, ids.count)]
                    // Read inside the transaction: the facts written are those of the appointments as committed now.
                    let facts = try await db.raw(Self.factQuery("a.id IN \(idList(chunk))")).all().map { try Self.fact(from: $0, zones: &zones) }
                    try await rollupCounts("appointment_id IN \(idList(chunk))", sign: -1, on: db)
                    try await db.raw("DELETE FROM stats_facts WHERE appointment_id IN \(idList(chunk))").run()
                    try await insertFacts(facts, on: db)
                    try await rollupCounts("appointment_id IN \(idList(chunk))", sign: 1, on: db)
                }
            }
        } catch is StatisticsPassLost {
            return 0
        }
        return events
    }

    struct StatisticsPassLost: Error {}

    func statisticsCursor() async throws -> (seq: Int64, rebuilding: Bool) {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT seq, rebuild_started FROM stats_cursor WHERE id = 1").first() else { return (-1, false) }
            let started = try row.decode(column: "rebuild_started", as: Int64?.self)
            let now = Int64(Date().timeIntervalSince1970)
            return (try row.decode(column: "seq", as: Int64.self), started.map { $0 > now - Self.rebuildLease } ?? false)
        }
    }

    /// A rebuild not finished after this long is taken to have died (its instance stopped): another may start.
    static let rebuildLease: Int64 = 1_800

    public func rebuildStatistics() async throws -> Int {
        let now = Int64(Date().timeIntervalSince1970)
        // Claim the rebuild, note where the feed stands, and empty the summaries: changes from here on are
        // counted by the passes that follow (they replace whatever fact the rebuild wrote for them).
        let start: Int64 = try await database.transaction { db in
            guard !(try await db.raw("""
                UPDATE stats_cursor SET seq = -1, rebuild_started = \(bind: now)
                WHERE id = 1 AND (rebuild_started IS NULL OR rebuild_started < \(bind: now - Self.rebuildLease)) RETURNING id
                """).all().isEmpty) else { throw StatisticsRebuildRunning() }
            let seq = try await db.raw("SELECT COALESCE(MAX(seq), 0) AS seq FROM change_events").first()?.decode(column: "seq", as: Int64.self) ?? 0
            for table in ["stats_facts", "stats_counts", "stats_open", "stats_access_periods"] { try await db.raw("DELETE FROM \(unsafeRaw: table)").run() }
            return seq
        }
        var counted = 0
        var after = ""
        // Facts in batches by id, each in its own transaction: writers are not held for the whole count.
        while true {
            let from = after
            let (facts, last) = try await database.withConnection { db -> ([AppointmentFact], String?) in
                var zones: [String: TimeZone] = [:]
                let rows = try await db.raw(Self.factQuery("a.id > \(bind: from) ORDER BY a.id LIMIT 20000")).all()
                return (try rows.map { try Self.fact(from: $0, zones: &zones) }, try rows.last?.string("id"))
            }
            guard let last else { break }
            try await database.bulkTransaction { bulk in
                try await bulk.append(into: "stats_facts", columns: Self.factColumns, constants: [], rows: facts.map(Self.factText),
                                      maximumBinds: Self.maximumBindsPerStatement)
            }
            counted += facts.count
            after = last
        }
        try await database.transaction { db in
            try await rollupCounts("1 = 1", sign: 1, on: db)
            try await rollupOpen("1 = 1", sign: 1, on: db)
            for row in try await db.raw("SELECT DISTINCT day FROM stats_access ORDER BY day").all() {
                if let day = LocalDate(try row.string("day")) { try await rollupAccess(day: day, on: db) }
            }
            try await db.raw("UPDATE stats_cursor SET seq = \(bind: start), rebuild_started = NULL WHERE id = 1").run()
        }
        return counted
    }

    public func statisticsCounted() async throws -> Bool {
        try await statisticsCursor().seq >= 0
    }

    public func statisticsSpan() async throws -> (first: LocalDate, last: LocalDate)? {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT MIN(visit_week) AS first, MAX(visit_month) AS last FROM stats_facts").first(),
                  let first = try row.optionalString("first").flatMap(LocalDate.init), let last = try row.optionalString("last").flatMap(LocalDate.init)
            else { return nil }
            return (first, StatisticsGrain.month.next(after: last).adding(days: -1))
        }
    }

    /// A fact as the text values `BulkStatements` sends (NULL as nil).
    static func factText(_ fact: AppointmentFact) -> [String?] {
        [Column.id(fact.appointmentID), Column.id(fact.siteID), Column.id(fact.departmentID), Column.id(fact.practitionerID), Column.id(fact.motiveID),
         fact.channel.rawValue, fact.patientKind.rawValue, fact.bookedMonth.description, fact.bookedWeek.description, fact.visitMonth.description,
         fact.visitWeek.description, fact.status.rawValue, fact.cancelledBy?.rawValue, fact.noticeHours.map(String.init), fact.moved ? "1" : "0",
         String(fact.minutes), fact.refilled ? "1" : "0", fact.surveyScore.map(String.init)]
    }

    // MARK: Recording the agendas' offer

    public func accessRecorded(day: LocalDate) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("SELECT 1 AS one FROM stats_access_runs WHERE day = \(bind: day.description)").first() != nil
        }
    }

    public func recordAccess(day: LocalDate, records: [AccessRecord], at: Date) async throws -> Bool {
        do {
            try await database.transaction { db in
                try await db.raw("INSERT INTO stats_access_runs (day, recorded_at, motives) VALUES (\(bind: day.description), \(bind: Column.instant(at)), \(bind: records.count))").run()
                let columns = ["day", "motive_id", "department_id", "site_id", "specialty", "days_to_third", "horizon_days", "recorded_at"]
                let perStatement = max(1, Self.maximumBindsPerStatement / columns.count)
                for start in stride(from: 0, to: records.count, by: perStatement) {
                    var insert = db.insert(into: "stats_access").columns(columns)
                    for record in records[start..<min(start + perStatement, records.count)] {
                        insert = insert.values(SQLBind(day.description), SQLBind(Column.id(record.motiveID)), SQLBind(Column.id(record.departmentID)),
                                               SQLBind(Column.id(record.siteID)), SQLBind(record.specialty), SQLBind(record.daysToThird),
                                               SQLBind(record.horizonDays), SQLBind(Column.instant(at)))
                    }
                    try await insert.run()
                }
                try await rollupAccess(day: day, on: db)
            }
            return true
        } catch {
            // The day's row already there: another instance recorded it first.
            if case .duplicate = StorageErrors.map(error) as? RepositoryError { return false }
            throw StorageErrors.map(error)
        }
    }

    public func recordOpenTime(_ days: [OpenDay]) async throws {
        guard let first = days.map(\.day).min(), let last = days.map(\.day).max() else { return }
        let practitioners = Array(Set(days.map(\.practitionerID)))
        try await database.transaction { db in
            for start in stride(from: 0, to: practitioners.count, by: 500) {
                let chunk = practitioners[start..<min(start + 500, practitioners.count)]
                let filter: SQLQueryString = "practitioner_id IN \(idList(chunk)) AND day >= \(bind: first.description) AND day <= \(bind: last.description)"
                try await rollupOpen(filter, sign: -1, on: db)
                try await db.raw("DELETE FROM stats_open_days WHERE \(filter)").run()
            }
            let columns = ["practitioner_id", "department_id", "day", "site_id", "month", "week", "minutes"]
            let perStatement = max(1, Self.maximumBindsPerStatement / columns.count)
            for start in stride(from: 0, to: days.count, by: perStatement) {
                var insert = db.insert(into: "stats_open_days").columns(columns)
                for day in days[start..<min(start + perStatement, days.count)] {
                    insert = insert.values(SQLBind(Column.id(day.practitionerID)), SQLBind(Column.id(day.departmentID)), SQLBind(day.day.description),
                                           SQLBind(Column.id(day.siteID)), SQLBind(StatisticsGrain.month.start(of: day.day).description),
                                           SQLBind(StatisticsGrain.week.start(of: day.day).description), SQLBind(max(0, min(1_440, day.minutes))))
                }
                try await insert.run()
            }
            for start in stride(from: 0, to: practitioners.count, by: 500) {
                let chunk = practitioners[start..<min(start + 500, practitioners.count)]
                try await rollupOpen("practitioner_id IN \(idList(chunk)) AND day >= \(bind: first.description) AND day <= \(bind: last.description)", sign: 1, on: db)
            }
        }
    }

    // MARK: Reading

    static func column(_ dimension: StatisticsDimension, table: String) -> String? {
        switch dimension {
        case .period: "period"
        case .site: "site_id"
        case .department: "department_id"
        case .item: table == "stats_access_periods" ? "motive_id" : "item_id"
        case .channel: table == "stats_counts" ? "channel" : nil
        case .kind: table == "stats_counts" ? "patient_kind" : nil
        case .specialty: table == "stats_access_periods" ? "specialty" : nil
        }
    }

    /// `WHERE` for a selection on one summary table (`level` nil: the table has none).
    static func selectionFilter(_ selection: StatisticsSelection, table: String, level: StatisticsLevel?) -> SQLQueryString {
        // Periods are named by their first day: a selection from any day starts with its period.
        let from = selection.grain.start(of: selection.from).description, to = selection.to.description
        var sql: SQLQueryString = "grain = \(bind: selection.grain.rawValue) AND period >= \(bind: from) AND period <= \(bind: to)"
        if let level { sql.appendInterpolation(" AND level = \(bind: level.rawValue)" as SQLQueryString) }
        if let sites = selection.siteIDs {
            sql.appendInterpolation(sites.isEmpty ? " AND 1 = 0" : " AND site_id IN \(idList(sites.sorted { $0.uuidString < $1.uuidString }))" as SQLQueryString)
        }
        if let departments = selection.departmentIDs {
            sql.appendInterpolation(departments.isEmpty
                ? " AND 1 = 0" : " AND department_id IN \(idList(departments.sorted { $0.uuidString < $1.uuidString }))" as SQLQueryString)
        }
        if let item = selection.itemID, let column = column(.item, table: table) {
            sql.appendInterpolation(" AND \(unsafeRaw: column) = \(bind: Column.id(item))" as SQLQueryString)
        }
        if table == "stats_counts" {
            if let channel = selection.channel { sql.appendInterpolation(" AND channel = \(bind: channel.rawValue)" as SQLQueryString) }
            if let kind = selection.kind { sql.appendInterpolation(" AND patient_kind = \(bind: kind.rawValue)" as SQLQueryString) }
        }
        return sql
    }

    static func key(_ row: any SQLRow, _ dimensions: [(StatisticsDimension, String)]) throws -> StatisticsKey {
        var key = StatisticsKey()
        for (dimension, column) in dimensions {
            let text = try row.string(column)
            switch dimension {
            case .period: key.period = LocalDate(text)
            case .site: key.siteID = UUID(uuidString: text)
            case .department: key.departmentID = UUID(uuidString: text)
            case .item: key.itemID = UUID(uuidString: text)
            case .channel: key.channel = Channel(rawValue: text)
            case .kind: key.kind = PatientKind(rawValue: text)
            case .specialty: key.specialty = text
            }
        }
        return key
    }

    func grouped(_ table: String, sums: [String], selection: StatisticsSelection, level: StatisticsLevel?,
                 by dimensions: Set<StatisticsDimension>) async throws -> [(StatisticsKey, [Int])] {
        let columns = StatisticsDimension.allCases.filter(dimensions.contains).compactMap { dimension in Self.column(dimension, table: table).map { (dimension, $0) } }
        let select = (columns.map(\.1) + sums.enumerated().map { "CAST(SUM(\($1)) AS BIGINT) AS s\($0)" }).joined(separator: ", ")
        var sql = SQLQueryString("SELECT \(unsafeRaw: select) FROM \(unsafeRaw: table) WHERE ")
        sql.appendInterpolation(Self.selectionFilter(selection, table: table, level: level))
        if !columns.isEmpty { sql.appendLiteral(" GROUP BY " + columns.map(\.1).joined(separator: ", ")) }
        let query = sql
        return try await database.withConnection { db in
            try await db.raw(query).all().compactMap { row in
                // An aggregate over no rows answers one row of NULLs: no group.
                guard let first = try row.decode(column: "s0", as: Int?.self) else { return nil }
                var values = [first]
                for index in 1..<sums.count { values.append(try row.decode(column: "s\(index)", as: Int?.self) ?? 0) }
                return (try Self.key(row, columns), values)
            }
        }
    }

    public func counts(level: StatisticsLevel, selection: StatisticsSelection, by dimensions: Set<StatisticsDimension>) async throws -> [StatisticsKey: StatisticsCounts] {
        var result: [StatisticsKey: StatisticsCounts] = [:]
        for (key, values) in try await grouped("stats_counts", sums: Self.countColumns, selection: selection, level: level, by: dimensions) {
            var counts = StatisticsCounts()
            (counts.booked, counts.visits, counts.attended, counts.noShows, counts.cancelled) = (values[0], values[1], values[2], values[3], values[4])
            (counts.cancelledByPatient, counts.cancelledByHospital, counts.cancelledLate, counts.cancelledWithinWeek) = (values[5], values[6], values[7], values[8])
            (counts.freed, counts.moved, counts.refilled) = (values[9], values[10], values[11])
            (counts.bookedMinutes, counts.surveyAnswers, counts.surveyScoreSum) = (values[12], values[13], values[14])
            (counts.surveyPromoters, counts.surveyDetractors) = (values[15], values[16])
            result[key, default: .init()].add(counts)
        }
        return result
    }

    public func openMinutes(level: StatisticsLevel, selection: StatisticsSelection, by dimensions: Set<StatisticsDimension>) async throws -> [StatisticsKey: Int] {
        var result: [StatisticsKey: Int] = [:]
        let level: StatisticsLevel = level == .practitioner ? .practitioner : .department
        for (key, values) in try await grouped("stats_open", sums: ["open_minutes"], selection: selection, level: level, by: dimensions) {
            result[key, default: 0] += values[0]
        }
        return result
    }

    public func accessDelays(selection: StatisticsSelection, by dimensions: Set<StatisticsDimension>) async throws -> [StatisticsKey: AccessDelay] {
        var result: [StatisticsKey: AccessDelay] = [:]
        for (key, values) in try await grouped("stats_access_periods", sums: ["days_sum", "days_count", "beyond"], selection: selection, level: nil, by: dimensions) {
            result[key, default: .init()].add(AccessDelay(daysSum: values[0], recorded: values[1], beyond: values[2]))
        }
        return result
    }
}

/// `creneau stats rebuild` while another rebuild runs (on this or another instance).
public struct StatisticsRebuildRunning: Error, CustomStringConvertible {
    public var description: String { "A recount of the statistics is already running (on this or another instance). Wait for it to end, or 30 minutes if it was stopped." }
}
