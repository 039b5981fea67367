import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: OutboxRepository {
    static func outboxContext(_ id: UUID) -> String { "outbox.body:\(Column.id(id))" }

    public func enqueue(_ message: OutboxMessage) async throws -> Bool {
        try await database.withConnection { db in try await self.insertMessage(message, on: db) }
    }

    /// Writes a message inside the caller's transaction (a booking, a change); a copy already
    /// queued under the same dedupe key is left alone (ON CONFLICT: PostgreSQL's transaction goes on).
    @discardableResult
    func insertMessage(_ message: OutboxMessage, on db: any SQLDatabase) async throws -> Bool {
        try await insertMessages([message], on: db) == 1
    }

    static let messageColumns = "id, dedupe_key, channel, kind, appointment_id, planned_start, recipient, subject, body_sealed, body_key_id, state, attempts, next_attempt_at, created_at, offer_id"

    /// Several messages per statement (a backfill writes hundreds of thousands); returns how many were new.
    @discardableResult
    func insertMessages(_ messages: [OutboxMessage], on db: any SQLDatabase) async throws -> Int {
        var added = 0
        for start in stride(from: 0, to: messages.count, by: 500) {
            let chunk = messages[start..<min(start + 500, messages.count)]
            let rows = try chunk.map { message -> SQLQueryString in
                // An account email or an offer keeps its words; an appointment message, what only the change knew (sealed: a reason is health data).
                let body = message.kind.isWrittenWhenQueued ? message.body : String(decoding: try JSONEncoder().encode(message.notice ?? AppointmentNotice()), as: UTF8.self)
                let sealed = try cipher.seal(body, context: Self.outboxContext(message.id))
                return """
                    (\(bind: Column.id(message.id)), \(bind: message.dedupeKey), \(bind: message.channel.rawValue), \(bind: message.kind.rawValue),
                     \(bind: Column.id(message.appointmentID)), \(bind: Column.instant(message.plannedStart)), \(bind: message.recipient),
                     \(bind: message.subject), \(bind: sealed.ciphertext), \(bind: sealed.keyID), 'pending', 0,
                     \(bind: Column.instant(message.nextAttemptAt)), \(bind: Column.instant(message.createdAt)), \(bind: Column.id(message.offerID)))
                    """
            }
            added += try await db.raw("""
                INSERT INTO outbox_messages (\(unsafeRaw: Self.messageColumns)) VALUES \(SQLList(rows, separator: SQLRaw(", ")))
                ON CONFLICT DO NOTHING RETURNING id
                """).all().count
        }
        return added
    }

    /// A change's messages, in its transaction; reminders and a pending confirmation for the
    /// appointment's previous state are skipped first (the new ones carry a new key).
    func addMessages(_ messages: [OutboxMessage], replacingFor change: AppointmentChange?, on db: any SQLDatabase) async throws {
        if let change, change.before.status != change.after.status || change.before.startsAt != change.after.startsAt {
            try await db.raw("""
                UPDATE outbox_messages SET state = 'skipped', last_error = 'The visit changed before this message was due.'
                WHERE appointment_id = \(bind: Column.id(change.before.id)) AND state = 'pending' AND kind IN ('reminder', 'survey')
                """).run()
        }
        try await insertMessages(messages, on: db)
    }

    func outboxMessage(_ row: any SQLRow) throws -> OutboxMessage {
        let id = try row.uuid("id")
        let kind: OutboxMessage.Kind = try row.enumeration("kind")
        let body = try cipher.open(try row.string("body_sealed"), keyID: try row.string("body_key_id"), context: Self.outboxContext(id))
        return OutboxMessage(
            id: id, dedupeKey: try row.optionalString("dedupe_key"), channel: try row.enumeration("channel"), kind: kind,
            appointmentID: try row.optionalUUID("appointment_id"), plannedStart: try row.optionalInstant("planned_start"),
            recipient: try row.string("recipient"), subject: try row.string("subject"), body: kind.isWrittenWhenQueued ? body : "",
            notice: kind.isWrittenWhenQueued ? nil : try? JSONDecoder().decode(AppointmentNotice.self, from: Data(body.utf8)),
            state: try row.enumeration("state"), attempts: try row.int("attempts"), nextAttemptAt: try row.instant("next_attempt_at"),
            createdAt: try row.instant("created_at"), sentAt: try row.optionalInstant("sent_at"), lastError: try row.optionalString("last_error"),
            offerID: try row.optionalUUID("offer_id"))
    }

    public func claim(limit: Int, now: Date, leaseUntil: Date) async throws -> [OutboxMessage] {
        let limit = max(1, min(limit, 500))
        // Ordered by the due index alone: a tie-breaker outside it made every claim sort the whole
        // due set (a busy morning's 35,000 rows) to take fifty.
        // PostgreSQL: concurrent senders skip each other's rows; SQLite has one writer at a time.
        let lock: SQLQueryString = database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await database.transaction { db in
            try await db.raw("""
                UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = \(bind: Column.instant(leaseUntil))
                WHERE id IN (SELECT id FROM outbox_messages WHERE state = 'pending' AND next_attempt_at <= \(bind: Column.instant(now))
                             ORDER BY next_attempt_at LIMIT \(bind: limit) \(lock))
                RETURNING *
                """).all()
        }
        return try rows.map(outboxMessage)
    }

    public func markSent(id: UUID, at: Date) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE outbox_messages SET state = 'sent', sent_at = \(bind: Column.instant(at)), last_error = NULL WHERE id = \(bind: Column.id(id))
                """).run()
        }
    }

    public func markSent(ids: [UUID], at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await database.transaction { db in
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                try await db.raw("""
                    UPDATE outbox_messages SET state = 'sent', sent_at = \(bind: Column.instant(at)), last_error = NULL
                    WHERE id IN (\(SQLList(chunk.map { SQLBind(Column.id($0)) })))
                    """).run()
            }
        }
    }

    public func markSkipped(_ skipped: [(id: UUID, why: String)]) async throws {
        guard !skipped.isEmpty else { return }
        try await database.transaction { db in
            // Few distinct reasons: one statement per reason.
            for (why, group) in Dictionary(grouping: skipped, by: \.why) {
                let ids = group.map(\.id)
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = ids[start..<min(start + 500, ids.count)]
                    try await db.raw("""
                        UPDATE outbox_messages SET state = 'skipped', last_error = \(bind: String(why.prefix(500)))
                        WHERE id IN (\(SQLList(chunk.map { SQLBind(Column.id($0)) }))) AND state = 'pending'
                        """).run()
                }
            }
        }
    }

    public func markFailed(id: UUID, error: String, retryAt: Date?) async throws {
        try await database.withConnection { db in
            if let retryAt {
                try await db.raw("""
                    UPDATE outbox_messages SET next_attempt_at = \(bind: Column.instant(retryAt)), last_error = \(bind: String(error.prefix(500)))
                    WHERE id = \(bind: Column.id(id)) AND state = 'pending'
                    """).run()
            } else {
                try await db.raw("""
                    UPDATE outbox_messages SET state = 'failed', last_error = \(bind: String(error.prefix(500))) WHERE id = \(bind: Column.id(id))
                    """).run()
            }
        }
    }

    public func markSkipped(id: UUID, why: String) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE outbox_messages SET state = 'skipped', last_error = \(bind: String(why.prefix(500))) WHERE id = \(bind: Column.id(id)) AND state = 'pending'
                """).run()
        }
    }

    public func failedMessages(limit: Int) async throws -> [OutboxMessage] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM outbox_messages WHERE state = 'failed' ORDER BY created_at DESC, id LIMIT \(bind: max(1, min(limit, 500)))").all()
        }.map(outboxMessage)
    }

    public func retry(id: UUID, at: Date) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE outbox_messages SET state = 'pending', attempts = 0, next_attempt_at = \(bind: Column.instant(at))
                WHERE id = \(bind: Column.id(id)) AND state = 'failed'
                RETURNING id
                """).all().isEmpty == false
        }
    }

    public func messages(appointmentIDs: [UUID]) async throws -> [UUID: [OutboxMessage]] {
        guard !appointmentIDs.isEmpty else { return [:] }
        var result: [UUID: [OutboxMessage]] = [:]
        for chunk in stride(from: 0, to: appointmentIDs.count, by: 200).map({ Array(appointmentIDs[$0..<min($0 + 200, appointmentIDs.count)]) }) {
            let rows = try await database.withConnection { db in
                try await db.raw("""
                    SELECT * FROM outbox_messages WHERE appointment_id IN (\(SQLList(chunk.map { SQLBind(Column.id($0)) })))
                    ORDER BY created_at, next_attempt_at, id
                    """).all()
            }
            for row in rows {
                let message = try outboxMessage(row)
                if let id = message.appointmentID { result[id, default: []].append(message) }
            }
        }
        return result
    }

    public func statistics(now: Date) async throws -> (counts: [OutboxCount], due: Int, oldestDue: Date?) {
        try await database.withConnection { db in
            // Waiting and given-up messages only (the index on state finds them; sent ones are counted by the senders as they go).
            let counts = try await db.raw("""
                SELECT kind, channel, state, COUNT(*) AS n FROM outbox_messages WHERE state IN ('pending', 'failed') GROUP BY kind, channel, state
                """).all().map { row in
                OutboxCount(kind: try row.enumeration("kind"), channel: try row.enumeration("channel"), state: try row.enumeration("state"), count: try row.int("n"))
            }
            let due = try await db.raw("""
                SELECT COUNT(*) AS n, MIN(next_attempt_at) AS oldest FROM outbox_messages
                WHERE state = 'pending' AND next_attempt_at <= \(bind: Column.instant(now))
                """).first()
            return (counts, try due?.int("n") ?? 0, try due?.optionalInstant("oldest"))
        }
    }

    public func purge(before: Date) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("""
                DELETE FROM outbox_messages WHERE state IN ('sent', 'skipped') AND created_at < \(bind: Column.instant(before))
                    AND next_attempt_at < \(bind: Column.instant(before)) RETURNING id
                """).all().count
        }
    }
}

extension SQLStore: NoticeFactsRepository {
    /// A round's appointments and patients in two queries (a sender's round is fifty messages),
    /// the organisation rows once each (a day's reminders name the same few sites and motives).
    /// The appointments' health texts stay sealed: no message carries them.
    public func noticeFacts(appointmentIDs: [UUID]) async throws -> [UUID: NoticeFacts] {
        let ids = Array(Set(appointmentIDs))
        guard !ids.isEmpty else { return [:] }
        let (appointments, patients) = try await database.withConnection { db -> ([Appointment], [UUID: Patient]) in
            var appointments: [Appointment] = [], patients: [UUID: Patient] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                appointments += try await db.raw("SELECT * FROM appointments WHERE id IN (\(SQLList(chunk.map { SQLBind(Column.id($0)) })))")
                    .all().map { try AppointmentRow(row: $0).appointment }
            }
            let patientIDs = Array(Set(appointments.map(\.patientID)))
            for start in stride(from: 0, to: patientIDs.count, by: 500) {
                let chunk = patientIDs[start..<min(start + 500, patientIDs.count)]
                for patient in try await db.raw("SELECT * FROM patients WHERE id IN (\(SQLList(chunk.map { SQLBind(Column.id($0)) })))")
                    .all().map({ try Patient(row: $0) }) {
                    patients[patient.id] = patient
                }
            }
            return (appointments, patients)
        }
        var motives: [UUID: Motive] = [:], departments: [UUID: Department] = [:], sites: [UUID: Site] = [:], names: [UUID: String] = [:]
        var result: [UUID: NoticeFacts] = [:]
        for appointment in appointments {
            guard let patient = patients[appointment.patientID] else { continue }
            if motives[appointment.motiveID] == nil { motives[appointment.motiveID] = try await motive(id: appointment.motiveID) }
            if departments[appointment.departmentID] == nil { departments[appointment.departmentID] = try await department(id: appointment.departmentID) }
            guard let motive = motives[appointment.motiveID], let department = departments[appointment.departmentID] else { continue }
            if sites[department.siteID] == nil { sites[department.siteID] = try await site(id: department.siteID) }
            if names[appointment.practitionerID] == nil { names[appointment.practitionerID] = try await practitioner(id: appointment.practitionerID)?.displayName ?? "" }
            guard let site = sites[department.siteID] else { continue }
            result[appointment.id] = NoticeFacts(appointment: appointment, patient: patient, motive: motive, practitionerName: names[appointment.practitionerID] ?? "",
                                                 departmentName: department.name, site: site)
        }
        return result
    }
}

extension SQLStore: ReminderBackfillRepository {
    public func remindableVisits(from: Date, to: Date, after: UUID?, limit: Int) async throws -> [RemindableVisit] {
        let rows = try await database.withConnection { db in
            try await db.raw("""
                SELECT a.id, a.department_id, a.motive_id, a.practitioner_id, a.patient_id, a.starts_at, a.ends_at, a.status, a.channel,
                       a.move_count, a.created_at, a.updated_at,
                       p.email, p.phone, p.language, p.wants_email, p.wants_sms, p.sms_stopped_at,
                       s.time_zone, s.reminders AS site_reminders, m.reminders AS motive_reminders
                FROM appointments a
                JOIN patients p ON p.id = a.patient_id
                JOIN motives m ON m.id = a.motive_id
                JOIN departments d ON d.id = a.department_id
                JOIN sites s ON s.id = d.site_id
                WHERE a.status = 'booked' AND a.starts_at >= \(bind: Column.instant(from)) AND a.starts_at < \(bind: Column.instant(to))
                  AND a.id > \(bind: after.map { Column.id($0) } ?? "")
                ORDER BY a.id LIMIT \(bind: max(1, min(limit, 10_000)))
                """).all()
        }
        var zones: [String: TimeZone] = [:]
        return try rows.map { row in
            let appointment = Appointment(
                id: try row.uuid("id"), departmentID: try row.uuid("department_id"), motiveID: try row.uuid("motive_id"),
                practitionerID: try row.uuid("practitioner_id"), patientID: try row.uuid("patient_id"), startsAt: try row.instant("starts_at"),
                endsAt: try row.instant("ends_at"), status: try row.enumeration("status"), channel: try row.enumeration("channel"),
                moveCount: try row.int("move_count"), createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"))
            let patient = Patient(
                id: appointment.patientID, firstName: "", lastName: "", birthDate: LocalDate(daysSinceEpoch: 0), email: try row.optionalString("email"),
                phone: try row.optionalString("phone"), createdAt: appointment.createdAt, language: try row.enumeration("language"),
                wantsEmail: try row.bool("wants_email"), wantsSMS: try row.bool("wants_sms"), smsStoppedAt: try row.optionalInstant("sms_stopped_at"))
            let zoneName = try row.string("time_zone")
            if zones[zoneName] == nil { zones[zoneName] = TimeZone(identifier: zoneName) ?? Site.defaultZone }
            let site = (try? row.optionalString("site_reminders")).flatMap { $0 }.flatMap { try? ReminderSchedule(parsing: $0) }
            let motive = (try? row.optionalString("motive_reminders")).flatMap { $0 }.flatMap { try? ReminderSchedule(parsing: $0) }
            return RemindableVisit(appointment: appointment, recipient: NoticeRecipient(patient), schedule: .effective(motive: motive, site: site),
                                   zone: zones[zoneName] ?? Site.defaultZone)
        }
    }

    public func enqueue(batch: [OutboxMessage]) async throws -> Int {
        guard !batch.isEmpty else { return 0 }
        return try await database.transaction { db in try await self.insertMessages(batch, on: db) }
    }
}
