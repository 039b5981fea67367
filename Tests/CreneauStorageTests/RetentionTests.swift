import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

/// The retention purge (migration 0028) on SQLite and PostgreSQL: what is past its time goes,
/// what is not stays, people still followed keep their identity, and the database itself keeps
/// any access-audit row younger than 180 days. The clock is today's: the audit floor is the
/// database's own time.
@Suite("Retention: texts cleared, dormant patients anonymised, old audit deleted")
struct RetentionTests {
    static let day: TimeInterval = 86_400

    func patient(_ test: TestDatabase, _ name: String, createdAt: Date) async throws -> Patient {
        let patient = Patient(id: UUID(), firstName: name, lastName: "Martin", birthDate: LocalDate(year: 1970, month: 6, day: 15)!,
                              email: "\(name.lowercased())@example.org", phone: "0612345678", ipp: "IPP-\(name)", createdAt: createdAt)
        try await test.store.insert(patient)
        return patient
    }

    /// A visit (with typed texts) `daysAgo` days before `now`, for `patient`, written as a booking would be.
    func visit(_ test: TestDatabase, _ fixture: BookingFixture, _ patient: Patient, daysAgo: Double, now: Date) async throws -> Appointment {
        let start = now.addingTimeInterval(-daysAgo * Self.day)
        var appointment = Appointment(
            id: UUID(), departmentID: fixture.org.department.id, motiveID: fixture.org.motive.id, practitionerID: fixture.org.practitioner.id,
            patientID: patient.id, resourceIDs: fixture.org.motive.requiredResourceIDs, startsAt: start, endsAt: start.addingTimeInterval(1_800),
            channel: .phone, createdAt: start.addingTimeInterval(-7 * Self.day))
        appointment.reason = "Douleur thoracique"
        appointment.notes = "Apporter l'ECG"
        let write = BookingWrite(appointment: appointment, newPatient: nil, manageToken: UUID().uuidString, holdID: nil,
                                 event: AppointmentEvent(id: UUID(), appointmentID: appointment.id, at: appointment.createdAt, actorAccountID: nil,
                                                         channel: .phone, action: .created),
                                 idempotency: nil)
        #expect(try await test.store.commit([write], now: appointment.createdAt) == [.booked])
        return appointment
    }

    func message(_ test: TestDatabase, state: String, daysAgo: Double, now: Date) async throws -> String {
        let id = UUID().uuidString.lowercased()
        let at = Int64(now.addingTimeInterval(-daysAgo * Self.day).timeIntervalSince1970)
        try await test.run("""
            INSERT INTO outbox_messages (id, recipient, subject, body_sealed, body_key_id, state, next_attempt_at, created_at)
            VALUES ('\(id)', 'lea@example.org', 'Votre compte', 'sealed', 'k1', '\(state)', \(at), \(at))
            """)
        return id
    }

    func audit(_ test: TestDatabase, daysAgo: Double, now: Date) async throws -> UUID {
        let id = UUID()
        try await test.store.append(AccessAuditEntry(id: id, at: now.addingTimeInterval(-daysAgo * Self.day), actorAccountID: nil,
                                                     action: "read_patient", patientID: nil, target: "patient:x", outcome: .allowed))
        return id
    }

    @Test("old texts, comments and messages go; dormant people are anonymised unless an open account still manages them; old audit rows go; a second pass finds nothing")
    func purge() async throws {
        try await TestDatabase.with { test in
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let fixture = try await BookingFixture.make(in: test.store)
            let longAgo = now.addingTimeInterval(-5 * 365 * Self.day)
            let dormant = try await patient(test, "Paul", createdAt: longAgo)
            let followed = try await patient(test, "Rose", createdAt: longAgo)
            let managed = try await patient(test, "Hugo", createdAt: longAgo)
            let account = UUID()
            try await test.store.insert(Account(id: account, email: "parent@example.org", displayName: "Parent", createdAt: longAgo))
            try await test.store.link(ManagedPatient(accountID: account, patientID: managed.id, relationship: .child))

            let ancient = try await visit(test, fixture, dormant, daysAgo: 4 * 365, now: now)
            let lastYear = try await visit(test, fixture, followed, daysAgo: 400, now: now)
            let recent = try await visit(test, fixture, followed, daysAgo: 100, now: now)
            _ = try await visit(test, fixture, managed, daysAgo: 4 * 365 + 7, now: now)
            try await test.run("""
                INSERT INTO survey_answers (appointment_id, practitioner_id, department_id, score, comment_sealed, comment_key_id, answered_at)
                VALUES ('\(lastYear.id.uuidString.lowercased())', '\(fixture.org.practitioner.id.uuidString.lowercased())',
                        '\(fixture.org.department.id.uuidString.lowercased())', 9, 'sealed', 'k1', \(Int64(now.timeIntervalSince1970) - 399 * 86_400))
                """)
            let oldSent = try await message(test, state: "sent", daysAgo: 500, now: now)
            let oldPending = try await message(test, state: "pending", daysAgo: 500, now: now)
            let newSent = try await message(test, state: "sent", daysAgo: 30, now: now)
            let oldAudit = try await audit(test, daysAgo: 400, now: now)
            let keptAudit = try await audit(test, daysAgo: 200, now: now)

            let purge = RetentionPurge(.init(retention: test.store, patients: test.store, audit: test.store, clock: .fixed(now), ids: .random),
                                       policy: RetentionPolicy(), batch: 1)
            let report = try await purge.run()
            #expect(report == RetentionPurge.Report(visitTexts: 3, surveyComments: 1, messages: 1, patients: 1, auditRows: 1))

            // Texts: cleared a year after the visit; the visit itself stays, as a fact.
            for (appointment, cleared) in [(ancient, true), (lastYear, true), (recent, false)] {
                let stored = try #require(try await test.store.appointment(id: appointment.id))
                #expect((stored.reason == nil && stored.notes == nil) == cleared)
                #expect(stored.startsAt == appointment.startsAt && stored.patientID == appointment.patientID)
            }
            #expect(try await test.rows("SELECT appointment_id FROM survey_answers WHERE comment_sealed IS NULL AND score = 9").count == 1)
            let messages = try await test.rows("SELECT id FROM outbox_messages").map { try $0.decode(column: "id", as: String.self) }
            #expect(Set(messages) == [oldPending, newSent] && !messages.contains(oldSent))

            // Identities: the dormant one anonymised (birth year kept), the others untouched.
            let anonymous = try #require(try await test.store.patient(id: dormant.id))
            #expect(anonymous.firstName == "Anonyme" && anonymous.lastName == "Anonyme" && anonymous.email == nil && anonymous.phone == nil)
            #expect(anonymous.ipp == nil && anonymous.birthDate == LocalDate(year: 1970, month: 1, day: 1))
            #expect(try await test.store.patient(id: followed.id) == followed)
            #expect(try await test.store.patient(id: managed.id) == managed)
            #expect(try await test.store.patient(id: fixture.org.patient.id)?.firstName == fixture.org.patient.firstName)

            // The audit: the 400-day-old row went, the 200-day-old one stays (12 months); the pass is audited.
            let audit = try await test.rows("SELECT id, action FROM access_audit")
            let ids = try audit.map { try $0.decode(column: "id", as: String.self) }
            #expect(!ids.contains(oldAudit.uuidString.lowercased()) && ids.contains(keptAudit.uuidString.lowercased()))
            #expect(try audit.filter { try $0.decode(column: "action", as: String.self) == "retention:purge" }.count == 1)

            // Once the account closes, its child is dormant too; then nothing is left to do.
            try await test.run("UPDATE accounts SET disabled_at = \(Int64(now.timeIntervalSince1970)) WHERE id = '\(account.uuidString.lowercased())'")
            #expect(try await purge.run() == RetentionPurge.Report(patients: 1))
            #expect(try await purge.run() == RetentionPurge.Report())
        }
    }

    @Test("the database refuses to delete an audit row younger than 180 days, or to change any")
    func auditFloor() async throws {
        try await TestDatabase.with { test in
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let young = try await audit(test, daysAgo: 170, now: now)
            let old = try await audit(test, daysAgo: 190, now: now)
            await #expect(throws: (any Error).self) { try await test.run("DELETE FROM access_audit WHERE id = '\(young.uuidString.lowercased())'") }
            await #expect(throws: (any Error).self) { try await test.run("UPDATE access_audit SET target = 'x' WHERE id = '\(old.uuidString.lowercased())'") }
            try await test.run("DELETE FROM access_audit WHERE id = '\(old.uuidString.lowercased())'")
            #expect(try await test.rows("SELECT id FROM access_audit").count == 1)
            // Even a purge told to keep less cannot go under the floor.
            let policy = RetentionPolicy(healthTextMonths: 12, dormantPatientMonths: 36, accessAuditMonths: 1)
            let purge = RetentionPurge(.init(retention: test.store, patients: test.store, audit: test.store, clock: .fixed(now), ids: .random), policy: policy)
            await #expect(throws: (any Error).self) { _ = try await purge.run() }
            #expect(try await test.rows("SELECT id FROM access_audit").count == 1)
        }
    }
}
