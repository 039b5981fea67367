import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: PatientRepository {
    public func insert(_ patient: Patient) async throws { try await insertRow(patient) }
    public func update(_ patient: Patient) async throws { try await updateRow(patient) }
    public func patient(id: UUID) async throws -> Patient? { try await findRow(Patient.self, id: id) }

    public func patients(ids: [UUID]) async throws -> [UUID: Patient] {
        let unique = Array(Set(ids))
        var found: [UUID: Patient] = [:]
        for chunk in stride(from: 0, to: unique.count, by: 500).map({ Array(unique[$0..<min($0 + 500, unique.count)]) }) {
            let rows = try await database.withConnection { db in
                try await db.select().column("*").from(Patient.table).where("id", .in, idList(chunk)).all().map { try Patient(row: $0) }
            }
            for patient in rows { found[patient.id] = patient }
        }
        return found
    }

    public func link(_ managed: ManagedPatient) async throws { try await insertRow(managed) }

    public func insertManaged(_ patient: Patient, _ link: ManagedPatient) async throws {
        try await database.transaction { db in
            try await insertRow(patient, on: db)
            try await insertRow(link, on: db)
        }
    }

    public func unlink(accountID: UUID, patientID: UUID, at: Date) async throws {
        try await database.transaction { db in
            let rows = try await db.raw("""
                UPDATE managed_patients SET removed_at = \(bind: Column.instant(at))
                WHERE account_id = \(bind: Column.id(accountID)) AND patient_id = \(bind: Column.id(patientID)) AND removed_at IS NULL
                RETURNING patient_id
                """).all()
            guard !rows.isEmpty else { throw RepositoryError.notFound(entity: ManagedPatient.table, id: Column.id(patientID)) }
        }
    }

    public func managedPatients(accountID: UUID) async throws -> [ManagedPatient] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM managed_patients WHERE account_id = \(bind: Column.id(accountID)) AND removed_at IS NULL ORDER BY patient_id
                """).all().map { try ManagedPatient(row: $0) }
        }
    }

    public func patients(searchText: String, birthDate: LocalDate, limit: Int) async throws -> [Patient] {
        try await database.withConnection { db in
            try await db.select().column("*").from(Patient.table)
                .where("search_text", .equal, SQLBind(searchText)).where("birth_date", .equal, SQLBind(birthDate.description))
                .where("merged_into", .is, SQLLiteral.null)
                .orderBy("id").limit(max(1, min(limit, 100)))
                .all().map { try Patient(row: $0) }
        }
    }

    public func searchPatients(_ query: String, birthDate: LocalDate?, limit: Int) async throws -> [Patient] {
        let words = SearchText.fold(query).split(separator: " ").prefix(6)
        guard !words.isEmpty || birthDate != nil else { return [] }
        return try await database.withConnection { db in
            // Merged duplicates are found through the record they were merged into.
            var select = db.select().column("*").from(Patient.table).where("merged_into", .is, SQLLiteral.null)
            for word in words {
                // Folded text holds only letters, digits and spaces: no LIKE wildcard can come from the query.
                select = select.where("search_text", .like, SQLBind("%\(word)%"))
            }
            if let birthDate { select = select.where("birth_date", .equal, SQLBind(birthDate.description)) }
            return try await select.orderBy("last_name").orderBy("first_name").orderBy("id").limit(max(1, min(limit, 100)))
                .all().map { try Patient(row: $0) }
        }
    }

    /// Fills `search_text` for patients written before it existed (migration 0011), a
    /// thousand at a time; a no-op once done. Folding accents needs Swift, not SQL.
    public func backfillPatientSearch() async throws -> Int {
        var filled = 0
        while true {
            let batch = try await database.withConnection { db in
                try await db.raw("SELECT * FROM patients WHERE search_text IS NULL LIMIT 1000").all().map { try Patient(row: $0) }
            }
            if batch.isEmpty { return filled }
            try await database.transaction { db in
                for patient in batch {
                    try await db.raw("UPDATE patients SET search_text = \(bind: patient.searchText) WHERE id = \(bind: Column.id(patient.id))").run()
                }
            }
            filled += batch.count
        }
    }

    /// Seals the cancellation reasons written in plain text before migration 0015, a thousand
    /// rows a transaction; returns how many. Idempotent: run after every migration.
    public func sealCancellationReasons() async throws -> Int {
        var sealed = 0
        while true {
            let batch = try await database.withConnection { db in
                try await db.raw("SELECT id, cancellation_reason FROM appointments WHERE cancellation_reason IS NOT NULL LIMIT 1000").all()
                    .map { (id: try $0.uuid("id"), text: try $0.string("cancellation_reason")) }
            }
            if batch.isEmpty { return sealed }
            try await database.transaction { db in
                for row in batch {
                    let box = try cipher.seal(row.text, context: AppointmentRow.context("cancellation_reason", row.id))
                    try await db.raw("""
                        UPDATE appointments SET cancellation_reason = NULL, cancellation_reason_sealed = \(bind: box.ciphertext),
                            cancellation_key_id = \(bind: box.keyID) WHERE id = \(bind: Column.id(row.id))
                        """).run()
                }
            }
            sealed += batch.count
        }
    }

    public func insert(_ known: KnownPatient) async throws { try await insertRow(known) }

    public func isKnown(patientID: UUID, departmentID: UUID) async throws -> Bool {
        try await database.withConnection { db in
            try await db.select().column("patient_id").from(KnownPatient.table)
                .where("patient_id", .equal, SQLBind(Column.id(patientID)))
                .where("department_id", .equal, SQLBind(Column.id(departmentID)))
                .first() != nil
        }
    }
}

extension SQLStore: AccountRepository {
    public func insert(_ account: Account) async throws { try await insertRow(account) }
    public func update(_ account: Account) async throws { try await updateRow(account) }
    public func account(id: UUID) async throws -> Account? { try await findRow(Account.self, id: id) }
    public func account(email: String) async throws -> Account? {
        try await listRows(Account.self, where: "email", equals: email.lowercased()).first
    }

    public func insertPatientAccount(_ account: Account, selfPatient: Patient, grantID: UUID) async throws {
        try await database.transaction { db in
            try await insertRow(account, on: db)
            try await insertRow(selfPatient, on: db)
            try await insertRow(ManagedPatient(accountID: account.id, patientID: selfPatient.id, relationship: .self), on: db)
            try await insertRow(RoleGrant(id: grantID, accountID: account.id, role: .patient, scope: .everywhere), on: db)
        }
    }

    public func setPassword(hash: String, accountID: UUID, at: Date) async throws {
        try await database.transaction { db in
            let rows = try await db.raw("""
                UPDATE accounts SET password_hash = \(bind: hash), password_changed_at = \(bind: Column.instant(at))
                WHERE id = \(bind: Column.id(accountID)) RETURNING id
                """).all()
            guard !rows.isEmpty else { throw RepositoryError.notFound(entity: Account.table, id: Column.id(accountID)) }
        }
    }

    public func markEmailVerified(accountID: UUID, at: Date) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE accounts SET email_verified_at = \(bind: Column.instant(at))
                WHERE id = \(bind: Column.id(accountID)) AND email_verified_at IS NULL
                """).run()
        }
    }

    public func insert(_ grant: RoleGrant) async throws { try await insertRow(grant) }
    public func grants(accountID: UUID) async throws -> [RoleGrant] {
        try await listRows(RoleGrant.self, where: "account_id", equals: Column.id(accountID), orderBy: ["role"])
    }
}

extension SQLStore: ReferringDoctorRepository {
    public func insert(_ doctor: ReferringDoctor) async throws { try await insertRow(doctor) }
    public func update(_ doctor: ReferringDoctor) async throws { try await updateRow(doctor) }
    public func referringDoctor(id: UUID) async throws -> ReferringDoctor? { try await findRow(ReferringDoctor.self, id: id) }

    public func referringDoctorExists(id: UUID) async throws -> Bool {
        if knownDoctors.contains(id) { return true }
        let found = try await database.withConnection { db in
            try await db.select().column("id").from(ReferringDoctor.table).where("id", .equal, SQLBind(Column.id(id))).first() != nil
        }
        if found { knownDoctors.insert(id) }
        return found
    }

    /// Active doctors whose last name starts with one of the query's words (of three letters or
    /// more, or two words run together: "n guyen"), and who match every word somewhere — name, or
    /// the town or postcode of one of their places (the doctor's keys, all in the name index).
    /// "dupont pontoise" reads a few hundred rows of two million. When no last name matches,
    /// first names are tried ("bérénice").
    public func searchReferringDoctors(_ query: String, limit: Int) async throws -> [ReferringDoctor] {
        var words: [String] = []
        for word in SearchText.fold(query).split(separator: " ").map(String.init) where !words.contains(word) && words.count < 6 {
            words.append(word)
        }
        // Words of three letters or more, and two words run together, are tried as last names
        // first; two-letter words ("le", "la", "du") begin a twentieth of all names, so they are
        // tried only when nothing else matched (a doctor named Ly or Ba).
        var keys = words.filter { $0.count >= 3 }
        for (word, next) in zip(words, words.dropFirst()) where !keys.contains(word + next) { keys.append(word + next) }
        let short = words.filter { $0.count == 2 }
        for attempt in [(keys, "name_key"), (short, "name_key"), (keys + short, "first_name_key")] where !attempt.0.isEmpty {
            let found = try await searchReferringDoctors(words: words, keys: attempt.0, column: attempt.1, limit: limit)
            if !found.isEmpty { return found }
        }
        return []
    }

    private func searchReferringDoctors(words: [String], keys: [String], column: String, limit: Int) async throws -> [ReferringDoctor] {
        // The inner queries read the name index alone (every column they name is in it), one a
        // key range: PostgreSQL scans an OR of ranges through a bitmap, which must read the table
        // to filter, where one range is an index-only scan. The outer query reads the answers' rows.
        var filter: SQLQueryString = " AND k.inactive_since IS NULL"
        for word in words {
            // Folded text holds only letters, digits and spaces, so no LIKE wildcard can come from the query.
            let pattern = "%\(word)%"
            filter += " AND (k.name_key LIKE \(bind: pattern) OR k.first_name_key LIKE \(bind: pattern) OR k.town_key LIKE \(bind: pattern))"
        }
        var sql: SQLQueryString = "SELECT d.* FROM referring_doctors d WHERE d.national_id IN ("
        for (index, key) in keys.enumerated() {
            sql += "\(unsafeRaw: index == 0 ? "" : " UNION ")SELECT k.national_id FROM referring_doctors k WHERE k.\(unsafeRaw: column) >= \(bind: key) AND k.\(unsafeRaw: column) < \(bind: Self.prefixEnd(key))"
            sql += filter
        }
        sql += ") ORDER BY d.last_name, d.first_name, d.id LIMIT \(literal: max(1, min(limit, 100)))"
        let query = sql
        return try await database.withConnection { db in
            try await db.raw(query).all().map { try ReferringDoctor(row: $0) }
        }
    }

    /// The first text after every text starting with `prefix`, in byte order: its last character
    /// moved one up ("dupont" → "duponu").
    static func prefixEnd(_ prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            if let next = Unicode.Scalar(last.value + 1) ?? Unicode.Scalar(last.value + 0x801) {
                scalars.append(next)
                return String(String.UnicodeScalarView(scalars))
            }
        }
        return "\u{10FFFF}"
    }
}

extension SQLStore: AuditRepository {
    public func append(_ entry: AccessAuditEntry) async throws { try await insertRow(entry) }
    public func append(contentsOf entries: [AccessAuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await database.transaction { db in
            try await insertRows(entries, on: db)
        }
    }
    public func entries(patientID: UUID) async throws -> [AccessAuditEntry] {
        try await listRows(AccessAuditEntry.self, where: "patient_id", equals: Column.id(patientID), orderBy: ["at", "id"])
    }
}

extension SQLStore: SMSConsentRepository {
    /// Numbers are stored as typed ("06 12 34 56 78", "+33 6…"): candidates end with the same two
    /// digits, and each is compared in E.164.
    public func setSMSStopped(e164: String, at stoppedAt: Date?) async throws -> Int {
        let tail = String(e164.suffix(2))
        return try await database.transaction { db in
            let rows = try await db.raw("SELECT id, phone FROM patients WHERE phone LIKE \(bind: "%" + tail)").all()
            var changed = 0
            for row in rows where PhoneNumber(try row.string("phone"))?.e164 == e164 {
                try await db.raw("UPDATE patients SET sms_stopped_at = \(bind: Column.instant(stoppedAt)) WHERE id = \(bind: try row.string("id"))").run()
                changed += 1
            }
            return changed
        }
    }
}

extension SQLStore: GuardianContactRepository {
    public func guardianContact(patientID: UUID) async throws -> NoticeRecipient? {
        try await database.withConnection { db in
            let row = try await db.raw("""
                SELECT a.email AS email, a.language AS language, holder.phone AS phone, holder.wants_sms AS wants_sms, holder.sms_stopped_at AS stopped
                FROM managed_patients m
                JOIN accounts a ON a.id = m.account_id AND a.disabled_at IS NULL
                LEFT JOIN managed_patients s ON s.account_id = a.id AND s.relationship = 'self' AND s.removed_at IS NULL
                LEFT JOIN patients holder ON holder.id = s.patient_id
                WHERE m.patient_id = \(bind: Column.id(patientID)) AND m.removed_at IS NULL
                ORDER BY CASE m.relationship WHEN 'self' THEN 0 ELSE 1 END, m.account_id
                LIMIT 1
                """).first()
            guard let row else { return nil }
            let phone = try row.optionalString("phone").flatMap(PhoneNumber.init)
            let smsAllowed = (try? row.bool("wants_sms")) ?? true && (try? row.optionalInstant("stopped")) ?? nil == nil
            return NoticeRecipient(email: try row.string("email"), mobile: smsAllowed && phone?.receivesSMS == true ? phone : nil,
                                   language: try row.enumeration("language"))
        }
    }
}
