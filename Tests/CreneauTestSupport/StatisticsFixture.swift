import CreneauDomain
import CreneauStorage
import Foundation
import SQLKit

/// Seven appointments whose statistics are worked out by hand (`StatisticsStorageTests`), in two departments of one site.
public struct StatisticsFixture: Sendable {
    public let org: Fixtures.Organisation
    public let second: Practitioner
    public let pneumo: Department
    public let pneumoMotive: Motive
    public let third: Practitioner
    public let ids: [String: UUID]

    /// Paris wall-clock time on a day of 2026 (UTC+1 from November, UTC+2 in October before the 25th).
    public static func paris(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        LocalDate(year: 2026, month: month, day: day)!.instant(atMinute: hour * 60 + minute, in: Site.defaultZone)
    }


    /// Seven appointments (see each line), a waiting-list refill and two survey answers, in two departments of one site.
    public static func make(in store: SQLStore, extraOnline: Int = 0) async throws -> StatisticsFixture {
        let org = try await Fixtures.organisation(in: store)
        let second = Practitioner(id: UUID(), title: "Dr", firstName: "Paul", lastName: "Arnaud", profession: "Médecin", specialty: "cardiologie")
        try await store.insert(second)
        try await store.insert(Membership(practitionerID: second.id, departmentID: org.department.id))
        let pneumo = Department(id: UUID(), siteID: org.site.id, name: "Pneumologie", specialty: "pneumologie")
        try await store.insert(pneumo)
        let pneumoMotive = Motive(id: UUID(), departmentID: pneumo.id, name: "Explorations fonctionnelles", durationMinutes: 45, patients: .both,
                                  channels: [.online, .phone, .desk])
        try await store.insert(pneumoMotive)
        let third = Practitioner(id: UUID(), title: "Dr", firstName: "Anne", lastName: "Roux", profession: "Médecin", specialty: "pneumologie")
        try await store.insert(third)
        try await store.insert(Membership(practitionerID: third.id, departmentID: pneumo.id))

        var ids: [String: UUID] = [:]
        func add(_ name: String, practitioner: UUID, motive: Motive, channel: Channel, kind: PatientKind, status: AppointmentStatus,
                 created: Date, start: Date, cancelledBy: CancelledBy? = nil, updated: Date? = nil, moves: Int = 0) async throws {
            let id = UUID()
            ids[name] = id
            try await store.insert(Appointment(
                id: id, departmentID: motive.departmentID, motiveID: motive.id, practitionerID: practitioner, patientID: org.patient.id,
                startsAt: start, endsAt: start.addingTimeInterval(TimeInterval(motive.durationMinutes * 60)), status: status, channel: channel,
                cancelledBy: cancelledBy, moveCount: moves, createdAt: created, updatedAt: updated ?? created, patientKind: kind))
        }
        let m1 = org.motive, p1 = org.practitioner.id
        // A1: booked online in October by a new patient, seen on Monday 2 November, survey 10.
        try await add("A1", practitioner: p1, motive: m1, channel: .online, kind: .new, status: .fulfilled, created: paris(10, 20, 9), start: paris(11, 2, 10))
        // A2: online, new, booked 1 November, not honoured on 3 November.
        try await add("A2", practitioner: p1, motive: m1, channel: .online, kind: .new, status: .noshow, created: paris(11, 1, 9), start: paris(11, 3, 10))
        // A3: by phone, known, booked 1 November, seen on 4 November, survey 5.
        try await add("A3", practitioner: p1, motive: m1, channel: .phone, kind: .known, status: .fulfilled, created: paris(11, 1, 10), start: paris(11, 4, 10))
        // A4: by phone, new, for 10 November at 10:00, cancelled by the patient 24 hours before (late).
        try await add("A4", practitioner: second.id, motive: m1, channel: .phone, kind: .new, status: .cancelled, created: paris(11, 1, 11),
                      start: paris(11, 10, 10), cancelledBy: .patient, updated: paris(11, 9, 10))
        // A5: online in October, known, for 12 November, cancelled by the hospital 72 hours before.
        try await add("A5", practitioner: second.id, motive: m1, channel: .online, kind: .known, status: .cancelled, created: paris(10, 28, 9),
                      start: paris(11, 12, 10), cancelledBy: .staff, updated: paris(11, 9, 10))
        // A6: at the desk in pneumology, new, booked 5 November for 1 December, moved once.
        try await add("A6", practitioner: third.id, motive: pneumoMotive, channel: .desk, kind: .new, status: .booked, created: paris(11, 5, 9),
                      start: paris(12, 1, 9), moves: 1)
        // A7: the slot A5 gave back, offered to a patient on the waiting list who took it online (refilled), seen.
        try await add("A7", practitioner: second.id, motive: m1, channel: .online, kind: .new, status: .fulfilled, created: paris(11, 9, 11),
                      start: paris(11, 12, 10))
        let entry = UUID().uuidString.lowercased(), a7 = (ids["A7"] ?? UUID()).uuidString.lowercased()
        let start = Int64(paris(11, 12, 10).timeIntervalSince1970), offered = Int64(paris(11, 9, 10, 30).timeIntervalSince1970)
        try await store.database.withConnection { db in
            try await db.raw("""
                INSERT INTO waitlist_entries (id, patient_id, department_id, motive_id, first_day, last_day, ends_at, weekdays, day_part, notice_hours,
                                              reach, channel, state, created_at, closed_at, appointment_id)
                VALUES (\(bind: entry), \(bind: org.patient.id.uuidString.lowercased()), \(bind: org.department.id.uuidString.lowercased()),
                        \(bind: m1.id.uuidString.lowercased()), '2026-11-01', '2026-11-30', \(bind: start + 86_400 * 20), 31, 'any', 0, 'sms', 'online',
                        'booked', \(bind: offered - 86_400), \(bind: offered + 1_800), \(bind: a7))
                """).run()
            try await db.raw("""
                INSERT INTO waitlist_offers (id, entry_id, practitioner_id, motive_id, starts_at, ends_at, hold_id, state, offered_at, expires_at, answered_at, appointment_id)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: entry), \(bind: second.id.uuidString.lowercased()), \(bind: m1.id.uuidString.lowercased()),
                        \(bind: start), \(bind: start + 1_800), \(bind: UUID().uuidString.lowercased()), 'accepted', \(bind: offered), \(bind: offered + 900),
                        \(bind: offered + 600), \(bind: a7))
                """).run()
        }
        for (name, score) in [("A1", 10), ("A3", 5)] {
            try await store.saveAnswer(SurveyAnswer(appointmentID: ids[name] ?? UUID(), practitionerID: p1, departmentID: org.department.id, score: score,
                                                    comment: nil, answeredAt: paris(11, 5, 12)))
        }
        // Optional: more online first visits seen in mid-November, for counts past the small-count threshold.
        for index in 0..<extraOnline {
            try await add("E\(index)", practitioner: p1, motive: m1, channel: .online, kind: .new, status: .fulfilled, created: paris(11, 2, 9),
                          start: paris(11, 16 + index % 5, 14 + index / 5))
        }
        return StatisticsFixture(org: org, second: second, pneumo: pneumo, pneumoMotive: pneumoMotive, third: third, ids: ids)
    }

}
