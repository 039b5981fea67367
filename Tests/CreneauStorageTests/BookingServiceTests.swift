import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

/// The booking service on a real database, for bookers the API cannot sign in yet (staff, referring doctors).
@Suite("Booking service: channels, staff, lifecycle")
struct BookingServiceTests {
    /// A secretary's account, stored (appointments and events refer to their creator).
    func secretary(_ test: TestDatabase) async throws -> Booker {
        let id = UUID()
        try await test.store.insert(Account(id: id, email: "sandrine.\(id.uuidString.prefix(8))@hopital.test", displayName: "Sandrine", createdAt: Fixtures.now))
        return Booker(.staff(accountID: id, role: .secretary))
    }

    func refusal(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as BookingError {
            switch error {
            case .refused(let violation): return violation.code.rawValue
            case .invalidTransition: return "invalid_transition"
            case .forbidden: return "forbidden"
            case .notFound: return "not_found"
            case .slotTaken: return "slot_taken"
            case .changedMeanwhile: return "changed_meanwhile"
            }
        } catch {
            return "\(error)"
        }
    }

    @Test("a secretary books by phone for a patient in the records; the channel and creator are recorded")
    func phoneBooking() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await secretary(test)
            let service = fixture.service(store: test.store)
            let (appointment, _) = try await service.book(fixture.request(at: BookingFixture.monday(9), patient: .existing(fixture.org.patient.id), channel: .phone), by: secretary)
            let stored = try #require(try await test.store.appointment(id: appointment.id))
            #expect(stored.channel == .phone)
            #expect(stored.createdByAccountID == secretary.accountID)
            #expect(stored.referringDoctorID == fixture.doctor.id)
            #expect(try await test.store.events(appointmentID: appointment.id).first?.actorAccountID == secretary.accountID)
            // A visitor cannot book for someone in the records, nor by phone.
            #expect(await refusal { _ = try await service.book(fixture.request(at: BookingFixture.monday(10), patient: .existing(fixture.org.patient.id)), by: .visitor) } == "forbidden")
            #expect(await refusal { _ = try await service.book(fixture.request(at: BookingFixture.monday(10), channel: .phone), by: .visitor) } == "forbidden")
        }
    }

    @Test("a referring doctor books a referral slot and is recorded as the referrer")
    func referral() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await secretary(test)
            let referral = Motive(id: UUID(), departmentID: fixture.org.department.id, name: "Avis cardiologique", durationMinutes: 30,
                                  patients: .new, channels: [.referral])
            try await test.store.insert(referral)
            try await test.run("INSERT INTO opening_range_motives (range_id, motive_id) SELECT id, '\(referral.id.uuidString.lowercased())' FROM opening_ranges")
            let doctorAccount = UUID()
            try await test.store.insert(Account(id: doctorAccount, email: "jean.dupont@medecin.test", displayName: "Dr Jean Dupont",
                                                referringDoctorID: fixture.doctor.id, createdAt: Fixtures.now))
            let doctor = Booker(.referringDoctor(accountID: doctorAccount, doctorID: fixture.doctor.id))
            let service = fixture.service(store: test.store)
            var request = fixture.request(at: BookingFixture.monday(11), motive: referral, channel: .referral)
            request.referringDoctorID = nil
            let (appointment, _) = try await service.book(request, by: doctor)
            #expect(appointment.referringDoctorID == fixture.doctor.id)
            #expect(appointment.channel == .referral)
            #expect(await refusal { _ = try await service.book(fixture.request(at: BookingFixture.monday(10), motive: referral), by: .visitor) } == "channel_not_allowed")
        }
    }

    @Test("booked → arrived → fulfilled makes the patient known; booked → noshow; wrong transitions are refused")
    func lifecycle() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await secretary(test)
            let time = MovableClock()
            let service = fixture.service(store: test.store, clock: time.clock)
            let patient = fixture.org.patient.id
            let (visit, token) = try await service.book(fixture.request(at: BookingFixture.monday(9), patient: .existing(patient), channel: .phone), by: secretary)
            let (missed, _) = try await service.book(fixture.request(at: BookingFixture.monday(10), patient: .existing(patient), channel: .phone), by: secretary)

            #expect(await refusal { _ = try await service.perform(.arrive, appointmentID: visit.id, by: .visitor, manageToken: token) } == "forbidden")
            #expect(await refusal { _ = try await service.perform(.fulfil, appointmentID: visit.id, by: secretary, manageToken: nil) } == "invalid_transition")
            #expect(await refusal { _ = try await service.perform(.noShow, appointmentID: missed.id, by: secretary, manageToken: nil) } == "too_early_for_status")
            #expect(try await test.store.isKnown(patientID: patient, departmentID: fixture.org.department.id) == false)

            time.advance(by: 3_600)
            #expect(try await service.perform(.arrive, appointmentID: visit.id, by: secretary, manageToken: nil).status == .arrived)
            #expect(await refusal { _ = try await service.perform(.cancel(reason: "x"), appointmentID: visit.id, by: secretary, manageToken: nil) } == "invalid_transition")
            #expect(try await service.perform(.fulfil, appointmentID: visit.id, by: secretary, manageToken: nil).status == .fulfilled)
            #expect(try await test.store.isKnown(patientID: patient, departmentID: fixture.org.department.id))

            time.advance(by: 2 * 3_600)
            #expect(try await service.perform(.noShow, appointmentID: missed.id, by: secretary, manageToken: nil).status == .noshow)
            #expect(await refusal { _ = try await service.perform(.arrive, appointmentID: missed.id, by: secretary, manageToken: nil) } == "invalid_transition")
            let actions = try await test.store.events(appointmentID: visit.id).map(\.action)
            #expect(actions.filter { $0 == .statusChanged }.count == 2)
        }
    }

    @Test("staff pass the patient's cut-off and move limit only with a reason")
    func staffOverride() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await secretary(test)
            let time = MovableClock()
            let service = fixture.service(store: test.store, clock: time.clock)
            let (appointment, _) = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .existing(fixture.org.patient.id), channel: .phone), by: secretary)
            time.advance(by: 2 * 3_600)  // 10:00, within the 4-hour cut-off
            #expect(await refusal { _ = try await service.perform(.cancel(reason: nil), appointmentID: appointment.id, by: secretary, manageToken: nil) } == "reason_required")
            #expect(await refusal { _ = try await service.perform(.move(start: BookingFixture.monday(11, 30), end: BookingFixture.monday(12), reason: nil), appointmentID: appointment.id, by: secretary, manageToken: nil) } == "reason_required")
            let moved = try await service.perform(.move(start: BookingFixture.monday(11, 30), end: BookingFixture.monday(12), reason: "Retard du praticien"), appointmentID: appointment.id, by: secretary, manageToken: nil)
            #expect(moved.startsAt == BookingFixture.monday(11, 30) && moved.endsAt == BookingFixture.monday(12))
            let cancelled = try await service.perform(.cancel(reason: "Praticien absent"), appointmentID: appointment.id, by: secretary, manageToken: nil)
            #expect(cancelled.cancelledBy == .staff && cancelled.cancellationReason == "Praticien absent")
        }
    }

    @Test("anti-hoarding: at most N upcoming appointments per department, and a gap between the same specialty")
    func antiHoarding() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await secretary(test)
            var department = fixture.org.department
            department.maxFutureAppointmentsPerPatient = 2
            try await test.store.update(department)
            let account = UUID()
            try await test.store.insert(Account(id: account, email: "karim@example.org", displayName: "Karim Benali", createdAt: Fixtures.now))
            try await test.store.link(ManagedPatient(accountID: account, patientID: fixture.org.patient.id, relationship: .self))
            let patient = Booker(.patient(accountID: account))
            let service = fixture.service(store: test.store)
            for hour in [9, 10] {
                _ = try await service.book(fixture.request(at: BookingFixture.monday(hour), patient: .existing(fixture.org.patient.id)), by: patient)
            }
            #expect(await refusal { _ = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .existing(fixture.org.patient.id)), by: patient) } == "too_many_upcoming")
            // Staff may book past it (two operations to plan on the phone).
            _ = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .existing(fixture.org.patient.id), channel: .phone), by: secretary)

            department.maxFutureAppointmentsPerPatient = 10
            department.sameSpecialtyGapDays = 7
            try await test.store.update(department)
            let fresh = fixture.service(store: test.store)
            #expect(await refusal { _ = try await fresh.book(fixture.request(at: BookingFixture.monday(11, 30), patient: .existing(fixture.org.patient.id)), by: patient) } == "same_specialty_too_close")
            // Another account's patient is not theirs to book for.
            #expect(await refusal { _ = try await fresh.book(fixture.request(at: BookingFixture.monday(11, 30), patient: .existing(UUID())), by: patient) } == "not_found")
        }
    }
}
