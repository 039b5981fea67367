import CreneauDomain
import CreneauSeed
@testable import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import Testing

@Suite("Availability cache: the same answers as the database, and never stale")
struct CachedAvailabilityTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!

    func slots(_ repository: any AvailabilityRepository, _ requests: [(practitionerID: UUID, motive: Motive)]) async throws -> [UUID: [Slot]] {
        let from = Fixtures.today.instant(atMinute: 0, in: Self.paris)
        let agendas = try await repository.agendas(requests, from: from, to: from.addingTimeInterval(15 * 86_400))
        var result: [UUID: [Slot]] = [:]
        for (id, motive) in requests {
            guard let agenda = agendas[id] else { continue }
            result[id] = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: Fixtures.today, days: 14, now: Fixtures.now), in: agenda)
        }
        return result
    }

    @Test("on the avoine demo, cached and direct agendas give the same slots")
    func sameAnswers() async throws {
        try await TestDatabase.with { test in
            _ = try await Seeder(store: test.store, logger: Logger(label: "test")).seed(
                SeedOptions(profile: .avoine, seed: 3, today: Fixtures.today, now: Fixtures.now, demoPasswordHash: "x"))
            let everyone = try await test.store.searchPractitioners(query: nil, specialty: nil, siteID: nil, limit: 100)
            let motives = try await test.store.bookableMotives(practitionerIDs: everyone.map(\.practitioner.id), on: Fixtures.today)
            let requests = everyone.flatMap { profile in (motives[profile.practitioner.id] ?? []).map { (practitionerID: profile.practitioner.id, motive: $0) } }
            #expect(requests.count > 50)
            let cache = CachedAvailability(store: test.store, clock: .fixed(Fixtures.now))
            var total = 0
            for request in requests {
                let direct = try await slots(test.store, [request])
                let cold = try await slots(cache, [request])
                let warm = try await slots(cache, [request])
                #expect(direct == cold)
                #expect(direct == warm)
                total += direct.values.map(\.count).reduce(0, +)
            }
            #expect(total > 100)
        }
    }

    @Test("a booking, a cancellation or a template change made through another instance shows at once")
    func neverStale() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let range = OpeningRange(id: UUID(), weekday: 1, startMinute: 540, endMinute: 600, motiveIDs: [org.motive.id], channels: .all)
            var template = ScheduleTemplate(id: UUID(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                                            validFrom: Fixtures.today.adding(days: -7), ranges: [range])
            try await test.store.insert(template)
            let cache = CachedAvailability(store: test.store, clock: .fixed(Fixtures.now))
            let request = [(practitionerID: org.practitioner.id, motive: org.motive)]
            func starts() async throws -> [Int] {
                try await slots(cache, request)[org.practitioner.id]?.filter { $0.start < Fixtures.now.addingTimeInterval(86_400) }
                    .map { Int($0.start.timeIntervalSince(Fixtures.today.instant(atMinute: 0, in: Self.paris)) / 60) } ?? []
            }
            #expect(try await starts() == [540, 570])

            // Another instance, on its own connection pool, books 09:30 in the room, cancels it, then edits the template.
            let start = Fixtures.today.instant(atMinute: 570, in: Self.paris)
            var booked = Appointment(id: UUID(), departmentID: org.department.id, motiveID: org.motive.id, practitionerID: org.practitioner.id,
                                     patientID: org.patient.id, resourceIDs: [org.room.id], startsAt: start, endsAt: start.addingTimeInterval(1_800),
                                     channel: .phone, createdAt: Fixtures.now)
            try await test.withSecondInstance { other in try await other.insert(booked) }
            #expect(try await starts() == [540])

            booked.status = .cancelled
            booked.cancelledBy = .staff
            let cancelled = booked
            try await test.withSecondInstance { other in try await other.update(cancelled) }
            #expect(try await starts() == [540, 570])

            template.ranges[0].endMinute = 630
            let longer = template
            try await test.withSecondInstance { other in try await other.update(longer) }
            #expect(try await starts() == [540, 570, 600])
        }
    }

    @Test("a room taken by another practitioner's visit closes the slot")
    func sharedRoom() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let colleague = Practitioner(id: UUID(), firstName: "Inès", lastName: "Haddad", profession: "Médecin", specialty: "cardiologie")
            try await test.store.insert(colleague)
            for practitioner in [org.practitioner.id, colleague.id] {
                try await test.store.insert(ScheduleTemplate(id: UUID(), owner: .practitioner(practitioner), departmentID: org.department.id,
                                                             validFrom: Fixtures.today, ranges: [OpeningRange(id: UUID(), weekday: 1, startMinute: 540, endMinute: 600, motiveIDs: [org.motive.id], channels: .all)]))
            }
            let cache = CachedAvailability(store: test.store, clock: .fixed(Fixtures.now))
            let request = [(practitionerID: org.practitioner.id, motive: org.motive)]
            func today() async throws -> Int {
                try await slots(cache, request)[org.practitioner.id]?.filter { $0.start < Fixtures.now.addingTimeInterval(86_400) }.count ?? -1
            }
            #expect(try await today() == 2)
            let start = Fixtures.today.instant(atMinute: 540, in: Self.paris)
            try await test.store.insert(Appointment(
                id: UUID(), departmentID: org.department.id, motiveID: org.motive.id, practitionerID: colleague.id, patientID: org.patient.id,
                resourceIDs: [org.room.id], startsAt: start, endsAt: start.addingTimeInterval(1_800), channel: .online, createdAt: Fixtures.now))
            #expect(try await today() == 1)
        }
    }
}

@Suite("Directory cache")
struct CachedDirectoryTests {
    @Test("answers like the database, and follows every change")
    func followsChanges() async throws {
        try await TestDatabase.with { test in
            _ = try await Seeder(store: test.store, logger: Logger(label: "test")).seed(
                SeedOptions(profile: .avoine, seed: 5, today: Fixtures.today, now: Fixtures.now, demoPasswordHash: "x"))
            let cache = CachedDirectory(store: test.store, clock: .fixed(Fixtures.now))
            for (query, specialty) in [("morel", nil), (nil, "pediatrie"), ("e", "kinesitherapie"), ("zzz", nil)] as [(String?, String?)] {
                let direct = try await test.store.searchPractitioners(query: query, specialty: specialty, siteID: nil, limit: 50)
                let cached = try await cache.searchPractitioners(query: query, specialty: specialty, siteID: nil, limit: 50)
                #expect(direct == cached, "\(String(describing: query)) \(String(describing: specialty))")
            }
            let morel = try #require(try await cache.searchPractitioners(query: "paul morel", specialty: nil, siteID: nil, limit: 5).first)
            let today = Fixtures.today
            let directMotives = try await test.store.bookableMotives(practitionerIDs: [morel.practitioner.id], on: today)
            #expect(try await cache.bookableMotives(practitionerIDs: [morel.practitioner.id], on: today) == directMotives)

            // A practitioner renamed by an admin is found under the new name at once.
            var renamed = morel.practitioner
            renamed.lastName = "Morel-Dubois"
            try await test.store.update(renamed)
            #expect(try await cache.searchPractitioners(query: "dubois", specialty: nil, siteID: nil, limit: 5).map(\.practitioner.id) == [renamed.id])
            #expect(try await cache.practitionerProfile(id: renamed.id)?.practitioner.lastName == "Morel-Dubois")
        }
    }
}

@Suite("Availability cache serves from memory")
struct CachedAvailabilityMemoryTests {
    @Test("once warm, an answer from yesterday on needs no agenda query")
    func servesFromMemory() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            try await test.store.insert(ScheduleTemplate(id: UUID(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                                                         validFrom: Fixtures.today, ranges: [OpeningRange(id: UUID(), weekday: 1, startMinute: 540, endMinute: 600, motiveIDs: [], channels: .all)]))
            let cache = CachedAvailability(store: test.store, clock: .fixed(Fixtures.now))
            let paris = TimeZone(identifier: "Europe/Paris")!
            let from = Fixtures.today.adding(days: -1).instant(atMinute: 0, in: paris)
            let first = try await cache.agendas([(org.practitioner.id, org.motive)], from: from, to: from.addingTimeInterval(9 * 86_400))
            #expect(first[org.practitioner.id]?.practitioner.templates.count == 1)
            // Remove the ranges behind the cache's back: the triggers bump the version, so put it back as it was.
            let version = try await test.rows("SELECT version FROM agenda_versions WHERE owner_id = '*'").first?.decode(column: "version", as: Int64.self)
            try await test.run("DELETE FROM opening_ranges")
            try await test.run("UPDATE agenda_versions SET version = \(version ?? 0) WHERE owner_id = '*'")
            let second = try await cache.agendas([(org.practitioner.id, org.motive)], from: from, to: from.addingTimeInterval(9 * 86_400))
            // Still the held copy: it was served from memory.
            #expect(second[org.practitioner.id]?.practitioner.templates.first?.ranges.count == 1)
            // A real change (the version moves) is seen.
            try await test.run("UPDATE agenda_versions SET version = version + 1 WHERE owner_id = '*'")
            let third = try await cache.agendas([(org.practitioner.id, org.motive)], from: from, to: from.addingTimeInterval(9 * 86_400))
            #expect(third[org.practitioner.id]?.practitioner.templates.first?.ranges.isEmpty == true)
        }
    }

    /// The booking service with `cache` as its agenda cache and its writer following it.
    static func service(_ store: SQLStore, cache: CachedAvailability, follows: Bool = true) -> BookingService {
        BookingService(.init(
            directory: CachedDirectory(store: store, clock: .fixed(Fixtures.now)), motives: store, availability: cache,
            patients: store, referringDoctors: store, appointments: store, bookings: store,
            writer: GroupCommitWriter(store: store, clock: .fixed(Fixtures.now), cache: follows ? cache : nil), audit: store,
            clock: .fixed(Fixtures.now), ids: .random, tokens: .random))
    }

    @Test("bookings this instance commits are followed without reading them back; another instance's make it read again; answers stay the database's")
    func followsOwnBookings() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let practitioner = fixture.org.practitioner.id
            let probe = CachedAvailabilityTests()
            let cache = CachedAvailability(store: test.store, clock: .fixed(Fixtures.now))
            let mine = Self.service(test.store, cache: cache)
            // Another instance: its own cache, its own writer.
            let other = Self.service(test.store, cache: CachedAvailability(store: test.store, clock: .fixed(Fixtures.now)))
            let requests = [(practitionerID: practitioner, motive: fixture.org.motive), (practitionerID: practitioner, motive: fixture.followUp)]
            func version(_ owner: UUID) async throws -> Int64 {
                try #require(try await test.rows("SELECT version FROM agenda_versions WHERE owner_id = '\(owner.uuidString.lowercased())'").first)
                    .decode(column: "version", as: Int64.self)
            }
            func same() async throws {
                let cached = try await probe.slots(cache, requests), direct = try await probe.slots(test.store, requests)
                #expect(cached == direct)
            }
            try await same()
            let tuesday = BookingFixture.monday(9).addingTimeInterval(86_400)
            // A different person each time: the same one would be found again and reach the department's limit.
            var people = 0
            func someone(at start: Date) -> BookingRequest {
                people += 1
                return fixture.request(at: start, patient: .new(fixture.newPatient("Patient\(people)", email: "p\(people)@example.org")))
            }

            // My booking: the cache holds the database's version at once, with the visit in it (and in the room's agenda).
            _ = try await mine.book(someone(at: tuesday), by: .visitor)
            #expect(cache.heldVersion(practitionerID: practitioner) == (try await version(practitioner)))
            try await same()

            // A hold, then the booking that uses it: the hold's occupation goes, the visit's comes.
            let placed = try await mine.placeHold(practitionerID: practitioner, motiveID: fixture.org.motive.id, start: tuesday.addingTimeInterval(3_600),
                                                  channel: .online, by: .visitor)
            try await same()
            var request = someone(at: placed.hold.startsAt)
            request.holdID = placed.hold.id
            request.holdToken = placed.token
            _ = try await mine.book(request, by: .visitor)
            #expect(cache.heldVersion(practitionerID: practitioner) == (try await version(practitioner)))
            try await same()

            // Another instance books: my next booking cannot tell what happened in between, so it patches nothing…
            _ = try await other.book(someone(at: tuesday.addingTimeInterval(1_800)), by: .visitor)
            let before = cache.heldVersion(practitionerID: practitioner)
            _ = try await mine.book(someone(at: tuesday.addingTimeInterval(7_200)), by: .visitor)
            #expect(cache.heldVersion(practitionerID: practitioner) == before)
            #expect(before != (try await version(practitioner)))
            // …and the next answer reads the agenda again, like the database.
            try await same()
            let answer = try await probe.slots(cache, requests)
            #expect(answer[practitioner]?.contains { $0.start == tuesday.addingTimeInterval(1_800) } == false)
        }
    }
}
