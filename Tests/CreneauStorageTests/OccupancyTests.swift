import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import SQLKit
import Testing

/// No double booking, enforced by the database (migration 0009), on SQLite and PostgreSQL.
@Suite("Occupancy: the database refuses overlapping holders")
struct OccupancyTests {
    func appointment(_ fixture: BookingFixture, motive: Motive? = nil, at start: Date, patient: UUID? = nil) -> Appointment {
        let motive = motive ?? fixture.org.motive
        return Appointment(
            id: UUID(), departmentID: fixture.org.department.id, motiveID: motive.id, practitionerID: fixture.org.practitioner.id,
            patientID: patient ?? fixture.org.patient.id, resourceIDs: motive.requiredResourceIDs, startsAt: start,
            endsAt: start.addingTimeInterval(TimeInterval(motive.durationMinutes * 60)), channel: .phone, createdAt: Fixtures.now)
    }

    func write(_ appointment: Appointment) -> BookingWrite {
        BookingWrite(
            appointment: appointment, newPatient: nil, manageToken: UUID().uuidString, holdID: nil,
            event: AppointmentEvent(id: UUID(), appointmentID: appointment.id, at: Fixtures.now, actorAccountID: nil, channel: .phone, action: .created),
            idempotency: nil)
    }

    @Test("a 15-minute visit inside a 30-minute one is refused; the next quarter hour is free")
    func overlappingDurations() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let first = appointment(fixture, at: BookingFixture.monday(9))
            #expect(try await test.store.commit([write(first)], now: Fixtures.now) == [.booked])
            let inside = appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(9, 15))
            let after = appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(9, 30))
            #expect(try await test.store.commit([write(inside), write(after)], now: Fixtures.now) == [.slotTaken, .booked])
            // The refused one left nothing behind: no row, no event, no claim.
            #expect(try await test.store.appointment(id: inside.id) == nil)
            #expect(try await test.rows("SELECT * FROM occupancy_claims WHERE holder_id = '\(inside.id.uuidString.lowercased())'").isEmpty)
            #expect(try await test.rows("SELECT * FROM appointment_events WHERE appointment_id = '\(inside.id.uuidString.lowercased())'").isEmpty)
            // The generic write path is held to the same rule.
            #expect(await failure { try await test.store.insert(appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(9, 45))) } == .none)
            #expect(await failure { try await test.store.insert(appointment(fixture, at: BookingFixture.monday(9, 40))) } == .duplicate)
        }
    }

    @Test("the room is taken too: another practitioner cannot use it at the same time")
    func sharedRoom() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let colleague = Practitioner(id: UUID(), title: "Dr", firstName: "Paul", lastName: "Roux", profession: "Médecin", specialty: "cardiologie")
            try await test.store.insert(colleague)
            try await test.store.insert(Membership(practitionerID: colleague.id, departmentID: fixture.org.department.id))
            #expect(try await test.store.commit([write(appointment(fixture, at: BookingFixture.monday(10)))], now: Fixtures.now) == [.booked])
            var other = appointment(fixture, at: BookingFixture.monday(10, 15))
            other.practitionerID = colleague.id
            #expect(try await test.store.commit([write(other)], now: Fixtures.now) == [.slotTaken])
            other.startsAt = BookingFixture.monday(10, 30)
            other.endsAt = BookingFixture.monday(11)
            #expect(try await test.store.commit([write(other)], now: Fixtures.now) == [.booked])
        }
    }

    @Test("a group session takes seats up to its capacity, and nothing else may overlap it")
    func groupSession() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let group = Motive(id: UUID(), departmentID: fixture.org.department.id, name: "Éducation thérapeutique (groupe)",
                               durationMinutes: 60, capacity: 3)
            try await test.store.insert(group)
            let start = BookingFixture.monday(11)
            let seats = (0..<4).map { _ in write(appointment(fixture, motive: group, at: start)) }
            #expect(try await test.store.commit(seats, now: Fixtures.now) == [.booked, .booked, .booked, .slotTaken])
            #expect(try await test.store.commit([write(appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(11, 30)))], now: Fixtures.now) == [.slotTaken])
            // A seat given back can be taken again; when the last leaves, the hour is free for anything.
            let booked = try await test.store.appointments(practitionerID: fixture.org.practitioner.id, from: start, to: start.addingTimeInterval(3_600))
            #expect(booked.count == 3)
            for (index, seat) in booked.enumerated() {
                var cancelled = seat
                cancelled.status = .cancelled
                cancelled.cancelledBy = .staff
                let event = AppointmentEvent(id: UUID(), appointmentID: seat.id, at: Fixtures.now, actorAccountID: nil, channel: .phone, action: .cancelled)
                #expect(try await test.store.apply(AppointmentChange(before: seat, after: cancelled, event: event)) == .applied)
                if index == 0 {
                    #expect(try await test.store.commit([write(appointment(fixture, motive: group, at: start))], now: Fixtures.now) == [.booked])
                }
            }
            #expect(try await test.rows("SELECT * FROM occupancy WHERE share_key LIKE 'group:%'").count == 12)
            let last = try await test.store.appointments(practitionerID: fixture.org.practitioner.id, from: start, to: start.addingTimeInterval(3_600))
                .filter { $0.status == .booked }
            #expect(last.count == 1)
            var cancelled = last[0]
            cancelled.status = .cancelled
            cancelled.cancelledBy = .patient
            let event = AppointmentEvent(id: UUID(), appointmentID: cancelled.id, at: Fixtures.now, actorAccountID: nil, channel: .online, action: .cancelled)
            #expect(try await test.store.apply(AppointmentChange(before: last[0], after: cancelled, event: event)) == .applied)
            #expect(try await test.rows("SELECT * FROM occupancy").isEmpty)
            #expect(try await test.store.commit([write(appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(11, 30)))], now: Fixtures.now) == [.booked])
        }
    }

    @Test("a move to a taken slot changes nothing; a move to a free one releases the old slot in the same transaction")
    func moves() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mine = appointment(fixture, at: BookingFixture.monday(9))
            let theirs = appointment(fixture, at: BookingFixture.monday(10))
            #expect(try await test.store.commit([write(mine), write(theirs)], now: Fixtures.now) == [.booked, .booked])
            func moved(to start: Date) -> AppointmentChange {
                var next = mine
                next.startsAt = start
                next.endsAt = start.addingTimeInterval(1_800)
                next.moveCount = 1
                return AppointmentChange(before: mine, after: next, event: AppointmentEvent(
                    id: UUID(), appointmentID: mine.id, at: Fixtures.now, actorAccountID: nil, channel: .phone, action: .moved))
            }
            #expect(try await test.store.apply(moved(to: BookingFixture.monday(10, 15))) == .slotTaken)
            #expect(try await test.store.appointment(id: mine.id)?.startsAt == BookingFixture.monday(9))
            #expect(try await test.store.events(appointmentID: mine.id).map(\.action) == [.created])
            // Overlapping its own old time is fine: the old claim is released first, in the same transaction.
            #expect(try await test.store.apply(moved(to: BookingFixture.monday(9, 15))) == .applied)
            #expect(try await test.store.apply(moved(to: BookingFixture.monday(9, 15))) == .changedMeanwhile)
            #expect(try await test.store.commit([write(appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(9)))], now: Fixtures.now) == [.booked])
            #expect(try await test.store.events(appointmentID: mine.id).map(\.action.rawValue).sorted() == ["created", "moved"])
        }
    }

    @Test("a hold keeps the slot until it expires or is released")
    func holds() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let start = BookingFixture.monday(9)
            let hold = Hold(id: UUID(), practitionerID: fixture.org.practitioner.id, motiveID: fixture.org.motive.id, startsAt: start,
                            endsAt: start.addingTimeInterval(1_800), channel: .online, expiresAt: Fixtures.now.addingTimeInterval(600), createdAt: Fixtures.now)
            #expect(try await test.store.place(hold, token: "token-hold", now: Fixtures.now))
            var second = hold
            second.id = UUID()
            #expect(try await test.store.place(second, token: "token-second", now: Fixtures.now) == false)
            #expect(try await test.store.commit([write(appointment(fixture, at: start))], now: Fixtures.now) == [.slotTaken])
            // Ten minutes later the hold has lapsed: the next writer clears it and books.
            let later = Fixtures.now.addingTimeInterval(601)
            #expect(try await test.store.commit([write(appointment(fixture, at: start))], now: later) == [.booked])
            #expect(try await test.store.hold(id: hold.id) == nil)

            let other = BookingFixture.monday(11)
            var third = hold
            third.id = UUID()
            third.startsAt = other
            third.endsAt = other.addingTimeInterval(1_800)
            #expect(try await test.store.place(third, token: "token-third", now: Fixtures.now))
            #expect(try await test.store.releaseHold(id: third.id, now: Fixtures.now))
            #expect(try await test.store.releaseHold(id: third.id, now: Fixtures.now) == false)
            #expect(try await test.store.commit([write(appointment(fixture, at: other))], now: Fixtures.now) == [.booked])
        }
    }

    @Test("two instances racing for one slot: exactly one wins")
    func raceAcrossInstances() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await test.withSecondInstance { other in
                let writers = [GroupCommitWriter(store: test.store, clock: .fixed(Fixtures.now)), GroupCommitWriter(store: other, clock: .fixed(Fixtures.now))]
                let outcomes = await withTaskGroup(of: Result<BookingWriteOutcome, any Error>.self) { group in
                    for index in 0..<100 {
                        // Half 30-minute visits at 09:00, half 15-minute ones at 09:15: every pair overlaps.
                        let motive = index % 2 == 0 ? fixture.org.motive : fixture.followUp
                        let start = index % 2 == 0 ? BookingFixture.monday(9) : BookingFixture.monday(9, 15)
                        let booking = write(appointment(fixture, motive: motive, at: start))
                        group.addTask {
                            do { return .success(try await writers[index % 2].write(booking)) } catch { return .failure(error) }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                // Exactly one wins. On SQLite the two instances share one file lock: when the whole test
                // run starves the machine, a batch can wait past the busy timeout and answer "unavailable"
                // (a 503, nothing written) — never a second booking. Anything else is a failure.
                let booked = outcomes.filter { (try? $0.get()) == .booked }.count
                let taken = outcomes.filter { (try? $0.get()) == .slotTaken }.count
                let unavailable = outcomes.filter {
                    guard case .failure(let error) = $0, case .unavailable = error as? RepositoryError else { return false }
                    return true
                }.count
                #expect(booked == 1)
                #expect(taken + unavailable == 99, "\(outcomes)")
                #expect(unavailable == 0 || TestDatabase.engine == .sqlite, "PostgreSQL has no file lock to wait on")
            }
            #expect(try await test.rows("SELECT id FROM appointments").count == 1)
        }
    }

    @Test("occupancy rebuilt from stored appointments matches what bookings wrote")
    func rebuild() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            _ = try await test.store.commit([write(appointment(fixture, at: BookingFixture.monday(9))),
                                             write(appointment(fixture, motive: fixture.followUp, at: BookingFixture.monday(10)))], now: Fixtures.now)
            let query = "SELECT owner_id, quantum, share_key, taken, capacity FROM occupancy ORDER BY owner_id, quantum"
            func snapshot() async throws -> [String] {
                try await test.rows(query).map {
                    "\(try $0.decode(column: "owner_id", as: String.self)) \(try $0.decode(column: "quantum", as: Int64.self)) \(try $0.decode(column: "share_key", as: String.self)) \(try $0.decode(column: "taken", as: Int.self))"
                }
            }
            let written = try await snapshot()
            #expect(written.count == 6 + 6 + 3)
            try await test.store.rebuildOccupancy()
            #expect(try await snapshot() == written)
        }
    }
}
