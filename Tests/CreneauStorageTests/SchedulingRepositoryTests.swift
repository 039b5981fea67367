import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Motives, templates and exceptions")
struct SchedulingRepositoryTests {
    @Test("motives keep their rules and required resources")
    func motives() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            #expect(try await store.motive(id: org.motive.id) == org.motive)

            var motive = org.motive
            motive.durationMinutes = 45
            motive.bufferAfterMinutes = 10
            motive.capacity = 6
            motive.patients = .known
            motive.channels = [.referral, .phone]
            motive.horizonDays = 180
            motive.requiredResourceIDs = []
            motive.isActive = false
            try await store.update(motive)

            #expect(try await store.motive(id: motive.id) == motive)
            #expect(try await store.motives(departmentID: org.department.id) == [motive])
        }
    }

    @Test("motive invariants: positive duration, known channels")
    func motiveConstraints() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            var zero = org.motive
            zero.id = UUID()
            zero.name = "Zéro"
            zero.durationMinutes = 0
            zero.requiredResourceIDs = []
            #expect(await failure { try await test.store.insert(zero) } == .invalidValue)

            var noChannel = zero
            noChannel.durationMinutes = 15
            noChannel.channels = []
            #expect(await failure { try await test.store.insert(noChannel) } == .invalidValue)
            // the motive row was rolled back with its failed resource links
            #expect(try await test.store.motive(id: zero.id) == nil)
        }
    }

    @Test("templates keep their ranges, motives and held-back release rules")
    func templates() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            let ids = Fixtures.IDs()
            let heldBack = OpeningRange(
                id: ids.next(), weekday: 1, startMinute: 510, endMinute: 540, motiveIDs: [org.motive.id], channels: .staff,
                release: .init(channels: .online, daysBefore: 1, atMinute: 1080))
            let open = OpeningRange(id: ids.next(), weekday: 1, startMinute: 540, endMinute: 750, motiveIDs: [org.motive.id], channels: .all)
            var template = ScheduleTemplate(
                id: ids.next(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                validFrom: Fixtures.today, validUntil: Fixtures.today.adding(days: 180), ranges: [heldBack, open])
            try await store.insert(template)
            #expect(try await store.template(id: template.id) == template)

            // replacing the ranges
            template.ranges = [OpeningRange(id: ids.next(), weekday: 3, startMinute: 840, endMinute: 1110, motiveIDs: [], channels: .online)]
            template.validUntil = nil
            try await store.update(template)
            #expect(try await store.template(id: template.id) == template)
            #expect(try await test.rows("SELECT id FROM opening_ranges").count == 1)

            // A department's practitioners' templates, with their ranges; rooms' templates are not listed.
            let later = ScheduleTemplate(
                id: ids.next(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id, validFrom: Fixtures.today.adding(days: 200),
                ranges: [heldBack, open].map { var range = $0; range.id = ids.next(); return range })
            try await store.insert(later)
            try await store.insert(ScheduleTemplate(id: ids.next(), owner: .resource(org.room.id), departmentID: org.department.id, validFrom: Fixtures.today,
                                                    ranges: [OpeningRange(id: ids.next(), weekday: 2, startMinute: 480, endMinute: 1_080, motiveIDs: [], channels: .all)]))
            #expect(try await store.templates(departmentID: org.department.id) == [template, later])
            #expect(try await store.templates(departmentID: UUID()).isEmpty)
        }
    }

    @Test("template and range invariants are the database's")
    func templateConstraints() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let backwards = ScheduleTemplate(
                id: UUID(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                validFrom: Fixtures.today, validUntil: Fixtures.today.adding(days: -1), ranges: [])
            #expect(await failure { try await test.store.insert(backwards) } == .invalidValue)

            let badRange = ScheduleTemplate(
                id: UUID(), owner: .resource(org.room.id), departmentID: org.department.id, validFrom: Fixtures.today,
                ranges: [OpeningRange(id: UUID(), weekday: 8, startMinute: 600, endMinute: 540, motiveIDs: [], channels: .all)])
            #expect(await failure { try await test.store.insert(badRange) } == .invalidValue)
            // all or nothing: the template row did not stay without its range
            #expect(try await test.store.template(id: badRange.id) == nil)
        }
    }

    @Test("absences and extra openings")
    func exceptions() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            var absence = ScheduleException(
                id: UUID(), owner: .practitioner(org.practitioner.id), kind: .absence,
                startsAt: Fixtures.now, endsAt: Fixtures.now.addingTimeInterval(86_400), reason: "Congrès")
            try await store.insert(absence)
            absence.reason = "Congrès de cardiologie"
            try await store.update(absence)
            #expect(try await store.exception(id: absence.id) == absence)

            let opening = ScheduleException(
                id: UUID(), owner: .resource(org.room.id), kind: .extraOpening, startsAt: Fixtures.now,
                endsAt: Fixtures.now.addingTimeInterval(3_600), reason: "Vacation supplémentaire", channels: .online,
                motiveIDs: [org.motive.id])
            try await store.insert(opening)
            #expect(try await store.exception(id: opening.id) == opening)

            var reversed = absence
            reversed.id = UUID()
            reversed.endsAt = reversed.startsAt
            #expect(await failure { try await store.insert(reversed) } == .invalidValue)
        }
    }
}
