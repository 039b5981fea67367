import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: PatientIndexRepository {
    public func likelyDuplicates(limit: Int) async throws -> [[Patient]] {
        try await database.withConnection { db in
            let rows = try await db.raw("""
                SELECT p.* FROM patients p
                JOIN (SELECT search_text, birth_date FROM patients WHERE merged_into IS NULL
                      GROUP BY search_text, birth_date HAVING COUNT(*) > 1 ORDER BY search_text, birth_date LIMIT \(bind: max(1, min(limit, 500)))) d
                  ON d.search_text = p.search_text AND d.birth_date = p.birth_date
                WHERE p.merged_into IS NULL
                ORDER BY p.search_text, p.birth_date, p.created_at, p.id
                """).all()
            var groups: [[Patient]] = []
            for patient in try rows.map({ try Patient(row: $0) }) {
                if let last = groups.last?.last, last.searchText == patient.searchText, last.birthDate == patient.birthDate {
                    groups[groups.count - 1].append(patient)
                } else {
                    groups.append([patient])
                }
            }
            return groups
        }
    }

    public func merge(_ duplicate: UUID, into keep: UUID, at now: Date, audit: AccessAuditEntry) async throws -> PatientMergeResult {
        let dup = Column.id(duplicate), kept = Column.id(keep), when = Column.instant(now)
        return try await database.transaction { db in
            let both = try await db.raw("SELECT * FROM patients WHERE id IN (\(bind: dup), \(bind: kept)) AND merged_into IS NULL")
                .all().map { try Patient(row: $0) }
            guard duplicate != keep, let from = both.first(where: { $0.id == duplicate }), let into = both.first(where: { $0.id == keep }) else {
                throw RepositoryError.notFound(entity: "patients", id: dup)
            }
            let selves = try await db.raw("""
                SELECT patient_id FROM managed_patients WHERE patient_id IN (\(bind: dup), \(bind: kept)) AND relationship = 'self' AND removed_at IS NULL
                """).all()
            if selves.count == 2 { throw PatientMergeRefused.bothHoldAccounts }

            let appointments = try await db.raw("UPDATE appointments SET patient_id = \(bind: kept) WHERE patient_id = \(bind: dup) RETURNING id").all().count
            let known = try await db.raw("""
                INSERT INTO known_patients (department_id, patient_id, source, since)
                SELECT department_id, \(bind: kept), source, since FROM known_patients WHERE patient_id = \(bind: dup)
                ON CONFLICT (department_id, patient_id) DO NOTHING RETURNING department_id
                """).all().count
            try await db.raw("DELETE FROM known_patients WHERE patient_id = \(bind: dup)").run()
            let accounts = try await db.raw("""
                UPDATE managed_patients SET patient_id = \(bind: kept)
                WHERE patient_id = \(bind: dup) AND account_id NOT IN (SELECT account_id FROM managed_patients WHERE patient_id = \(bind: kept))
                RETURNING account_id
                """).all().count
            // Accounts that already managed both keep one link: the duplicate's is closed.
            try await db.raw("UPDATE managed_patients SET removed_at = \(bind: when) WHERE patient_id = \(bind: dup) AND removed_at IS NULL").run()

            // The kept record takes the identifiers and contacts it lacked (unique ones leave the duplicate first).
            var merged = into
            merged.ipp = into.ipp ?? from.ipp
            merged.ins = into.ins ?? from.ins
            merged.email = into.email ?? from.email
            merged.phone = into.phone ?? from.phone
            try await db.raw("""
                UPDATE patients SET merged_into = \(bind: kept), merged_at = \(bind: when), ipp = NULL, ins = NULL WHERE id = \(bind: dup)
                """).run()
            try await updateRow(merged, on: db)
            try await insertRow(audit, on: db)
            return PatientMergeResult(appointments: appointments, departmentsKnown: known, accounts: accounts)
        }
    }

    public func markKnown(_ known: KnownPatient) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO known_patients (department_id, patient_id, source, since)
                VALUES (\(bind: Column.id(known.departmentID)), \(bind: Column.id(known.patientID)), \(bind: known.source.rawValue), \(bind: Column.instant(known.since)))
                ON CONFLICT (department_id, patient_id) DO NOTHING RETURNING patient_id
                """).all().isEmpty == false
        }
    }

    public func importIndex(_ rows: [PatientIndexRow], at now: Date) async throws -> PatientIndexCounts {
        guard !rows.isEmpty else { return PatientIndexCounts() }
        return try await database.transaction { db in
            // Three reads for the whole batch: by IPP, by INS, by identity (records not yet in the index).
            func patients(_ column: String, _ values: Set<String>, extra: SQLQueryString = "") async throws -> [Patient] {
                guard !values.isEmpty else { return [] }
                return try await db.raw("SELECT * FROM patients WHERE \(ident: column) IN \(SQLGroupExpression(values.map { SQLBind($0) })) AND merged_into IS NULL \(extra)")
                    .all().map { try Patient(row: $0) }
            }
            let byIPP = Dictionary(try await patients("ipp", Set(rows.map(\.ipp))).map { ($0.ipp ?? "", $0) }) { first, _ in first }
            let byINS = Dictionary(try await patients("ins", Set(rows.compactMap(\.ins))).map { ($0.ins ?? "", $0) }) { first, _ in first }
            let names = Set(rows.map { SearchText.fold("\($0.firstName) \($0.lastName)") })
            let unindexed = try await patients("search_text", names, extra: "AND ipp IS NULL")
            var counts = PatientIndexCounts()
            var claimedINS: [String: UUID] = byINS.mapValues(\.id)
            var known: [(UUID, UUID)] = []
            for row in rows {
                let name = SearchText.fold("\(row.firstName) \(row.lastName)")
                let email = row.email?.lowercased(), phone = row.phone.map(PatientRules.phoneDigits)
                let sameIdentity = unindexed.filter { candidate in
                    candidate.searchText == name && candidate.birthDate == row.birthDate
                        && ((email != nil && candidate.email?.lowercased() == email) || (phone != nil && candidate.phone.map(PatientRules.phoneDigits) == phone))
                }
                let existing = byIPP[row.ipp] ?? row.ins.flatMap { byINS[$0] } ?? (sameIdentity.count == 1 ? sameIdentity[0] : nil)
                var patient = existing ?? Patient(id: UUID(), firstName: row.firstName, lastName: row.lastName, birthDate: row.birthDate, createdAt: now)
                // The index is the hospital's reference for identity; contacts it lacks are kept.
                patient.firstName = row.firstName
                patient.lastName = row.lastName
                patient.birthDate = row.birthDate
                patient.ipp = row.ipp
                patient.email = row.email ?? patient.email
                patient.phone = row.phone ?? patient.phone
                // An INS already held by another record stays there (a human reconciles the two).
                if let ins = row.ins, claimedINS[ins] == nil || claimedINS[ins] == patient.id {
                    patient.ins = ins
                    claimedINS[ins] = patient.id
                }
                if existing == nil {
                    try await insertRow(patient, on: db)
                    counts.created += 1
                } else {
                    try await updateRow(patient, on: db)
                    counts.updated += 1
                }
                known += row.knownIn.map { ($0, patient.id) }
            }
            for (department, patient) in known {
                let added = try await db.raw("""
                    INSERT INTO known_patients (department_id, patient_id, source, since)
                    VALUES (\(bind: Column.id(department)), \(bind: Column.id(patient)), 'imported_index', \(bind: Column.instant(now)))
                    ON CONFLICT (department_id, patient_id) DO NOTHING RETURNING patient_id
                    """).all()
                counts.knownLinks += added.count
            }
            return counts
        }
    }
}

extension SQLStore: NoShowRepository {
    public func noShows(patientID: UUID, siteID: UUID, since: Date) async throws -> NoShowRecord {
        try await database.withConnection { db in
            let lift = try await db.raw("""
                SELECT lifted_at FROM noshow_lifts WHERE site_id = \(bind: Column.id(siteID)) AND patient_id = \(bind: Column.id(patientID))
                """).first()
            let liftedAt = try lift?.instant("lifted_at")
            let from = max(since, liftedAt ?? since)
            let row = try await db.raw("""
                SELECT COUNT(*) AS n FROM appointments a JOIN departments d ON d.id = a.department_id
                WHERE a.patient_id = \(bind: Column.id(patientID)) AND d.site_id = \(bind: Column.id(siteID)) AND a.status = 'noshow'
                  AND a.starts_at >= \(bind: Column.instant(from))
                """).first()
            return NoShowRecord(count: try row?.int("n") ?? 0, liftedAt: liftedAt)
        }
    }

    public func liftNoShows(patientID: UUID, siteID: UUID, at: Date, by accountID: UUID) async throws {
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO noshow_lifts (site_id, patient_id, lifted_at, lifted_by)
                VALUES (\(bind: Column.id(siteID)), \(bind: Column.id(patientID)), \(bind: Column.instant(at)), \(bind: Column.id(accountID)))
                ON CONFLICT (site_id, patient_id) DO UPDATE SET lifted_at = excluded.lifted_at, lifted_by = excluded.lifted_by
                """).run()
        }
    }
}
