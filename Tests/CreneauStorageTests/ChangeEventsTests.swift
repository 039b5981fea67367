import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

/// The change feed: every way an appointment changes or time comes back writes its event
/// in the same transaction, numbered in commit order, on both engines.
@Suite("Change events: one feed for 'this appointment changed' and 'this time is free again'")
struct ChangeEventsTests {
    @Test("booking, move, cancel, arrival, holds released and lapsed, templates and openings each write their events, in order")
    func everyWay() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await BookingServiceTests().secretary(test)
            let time = MovableClock()
            let service = fixture.service(store: test.store, clock: time.clock)
            let practitioner = fixture.org.practitioner.id, room = fixture.org.room.id
            var seen: Int64 = 0
            func next() async throws -> [ChangeEvent] {
                let events = try await test.store.changes(after: seen, limit: 100)
                seen = events.last?.sequence ?? seen
                return events
            }
            #expect(try await next().allSatisfy { $0.kind == .capacityFreed }) // the fixture's template

            // A booking (on Tuesday: a patient moves or cancels online until four hours before).
            let tuesday = { (hour: Int) in BookingFixture.monday(hour).addingTimeInterval(86_400) }
            let (visit, token) = try await service.book(fixture.request(at: tuesday(9)), by: .visitor)
            let created = try await next()
            #expect(created.map(\.kind) == [.appointmentCreated])
            #expect(created.first?.appointmentID == visit.id && created.first?.ownerID == practitioner && created.first?.from == tuesday(9))

            // A move: the news, and the old time back on the practitioner's and the room's agendas.
            _ = try await service.perform(.move(start: tuesday(10), end: tuesday(10), reason: nil), appointmentID: visit.id, by: .visitor, manageToken: token)
            let moved = try await next()
            #expect(moved.map(\.kind) == [.appointmentMoved, .capacityFreed, .capacityFreed])
            #expect(Set(moved.filter { $0.kind == .capacityFreed }.map(\.ownerID)) == [practitioner, room])
            #expect(moved.filter { $0.kind == .capacityFreed }.allSatisfy { $0.from == tuesday(9) })

            // A cancellation.
            _ = try await service.perform(.cancel(reason: "empêchement"), appointmentID: visit.id, by: .visitor, manageToken: token)
            let cancelled = try await next()
            #expect(cancelled.map(\.kind) == [.appointmentCancelled, .capacityFreed, .capacityFreed])
            #expect(cancelled.filter { $0.kind == .capacityFreed }.allSatisfy { $0.from == tuesday(10) })

            // An arrival: news, no time freed.
            let (phone, _) = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .existing(fixture.org.patient.id), channel: .phone),
                                                    by: secretary)
            time.advance(by: 3 * 3_600)
            _ = try await service.perform(.arrive, appointmentID: phone.id, by: secretary, manageToken: nil)
            #expect(try await next().map(\.kind) == [.appointmentCreated, .appointmentStatusChanged])

            // A hold given back, and one that lapses and is cleared.
            let placed = try await service.placeHold(practitionerID: practitioner, motiveID: fixture.org.motive.id, start: tuesday(11),
                                                     channel: .online, by: .visitor)
            try await service.releaseHold(id: placed.hold.id, by: .visitor, token: placed.token)
            let released = try await next()
            #expect(released.map(\.kind) == [.capacityFreed] && released.first?.from == placed.hold.startsAt)
            let lapsing = try await service.placeHold(practitionerID: practitioner, motiveID: fixture.org.motive.id,
                                                      start: tuesday(11).addingTimeInterval(1_800), channel: .online, by: .visitor)
            time.advance(by: 15 * 60)
            _ = try await test.store.purgeExpired(now: time.clock.now())
            let lapsed = try await next()
            #expect(lapsed.map(\.kind) == [.capacityFreed] && lapsed.first?.from == lapsing.hold.startsAt)

            // An extra opening gives time; an absence takes it (no event).
            try await test.store.insert(ScheduleException(id: UUID(), owner: .practitioner(practitioner), kind: .absence,
                                                          startsAt: BookingFixture.monday(14), endsAt: BookingFixture.monday(16), reason: "formation"))
            #expect(try await next().isEmpty)
            try await test.store.insert(ScheduleException(id: UUID(), owner: .practitioner(practitioner), kind: .extraOpening,
                                                          startsAt: BookingFixture.monday(17), endsAt: BookingFixture.monday(19), reason: "rattrapage",
                                                          channels: [.online], motiveIDs: []))
            let opened = try await next()
            #expect(opened.map(\.kind) == [.capacityFreed] && opened.first?.from == BookingFixture.monday(17))

            // A template changed.
            var template = try #require(try await test.store.templates(departmentID: fixture.org.department.id).first)
            template.ranges.removeLast()
            try await test.store.update(template)
            let edited = try await next()
            #expect(edited.map(\.kind) == [.capacityFreed] && edited.first?.ownerID == practitioner)

            // Numbered in order, and read in pages.
            let all = try await test.store.changes(after: 0, limit: 1_000)
            #expect(all.map(\.sequence) == all.map(\.sequence).sorted() && Set(all.map(\.sequence)).count == all.count)
            let page = try await test.store.changes(after: all[1].sequence, limit: 2)
            #expect(page.map(\.sequence) == [all[2].sequence, all[3].sequence])
        }
    }

    @Test("a refused write leaves no event: a taken slot, a move to a taken slot")
    func refusedWrites() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            let (first, token) = try await service.book(fixture.request(at: BookingFixture.monday(9)), by: .visitor)
            _ = try await service.book(fixture.request(at: BookingFixture.monday(10), patient: .new(fixture.newPatient("Paul", email: "paul@example.org"))), by: .visitor)
            let before = try await test.store.changes(after: 0, limit: 1_000).count
            await #expect(throws: BookingError.self) {
                _ = try await service.book(fixture.request(at: BookingFixture.monday(9), patient: .new(fixture.newPatient("Zoé", email: "zoe@example.org"))), by: .visitor)
            }
            await #expect(throws: BookingError.self) {
                _ = try await service.perform(.move(start: BookingFixture.monday(10), end: BookingFixture.monday(10), reason: nil), appointmentID: first.id,
                                              by: .visitor, manageToken: token)
            }
            #expect(try await test.store.changes(after: 0, limit: 1_000).count == before)
        }
    }
}
