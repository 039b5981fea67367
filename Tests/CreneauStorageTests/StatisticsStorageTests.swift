import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import SQLKit
import Testing

/// The statistics summaries on a real database (both engines in CI): a fixture whose every number is
/// worked out by hand, the incremental counting against a recount, the recorded access delays and
/// open time.
@Suite("Statistics: summaries by hand, incremental = recount, access and open time")
struct StatisticsStorageTests {
    static func paris(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date { StatisticsFixture.paris(month, day, hour, minute) }
    static func setUp(_ store: SQLStore) async throws -> StatisticsFixture { try await StatisticsFixture.make(in: store) }

    static let november = LocalDate(year: 2026, month: 11, day: 1)!
    static let october = LocalDate(year: 2026, month: 10, day: 1)!
    static let december = LocalDate(year: 2026, month: 12, day: 1)!

    @Test("every measure of the fixture, worked out by hand, per department, channel, kind, practitioner, motive, month and week")
    func byHand() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let setup = try await Self.setUp(store)
            try await store.rebuildStatistics()
            let cardio = setup.org.department.id, pneumo = setup.pneumo.id
            let months = StatisticsSelection(grain: .month, from: Self.october, to: Self.december)

            let byDepartment = try await store.counts(level: .department, selection: months, by: [.period, .department])
            let nov = try #require(byDepartment[StatisticsKey(period: Self.november, departmentID: cardio)])
            #expect(nov.booked == 4)            // A2, A3, A4, A7 booked in November (A1, A5 in October)
            #expect(nov.visits == 4)            // A1, A2, A3, A7 (A4 and A5 cancelled)
            #expect(nov.attended == 3 && nov.noShows == 1)
            #expect(nov.noShowRate == 1.0 / 4)
            #expect(nov.cancelled == 2 && nov.cancelledByPatient == 1 && nov.cancelledByHospital == 1 && nov.cancelledLate == 1 && nov.freed == 2)
            #expect(nov.cancelledWithinWeek == 2)  // A4 a day ahead, A5 three days ahead
            #expect(nov.bookedMinutes == 120 && nov.moved == 0 && nov.refilled == 1)
            #expect(nov.refillRate == 0.5)      // one of the two freed slots given again
            #expect(nov.surveyAnswers == 2 && nov.surveyScoreSum == 15 && nov.surveyPromoters == 1 && nov.surveyDetractors == 1)
            #expect(nov.surveyMean == 7.5 && nov.netPromoterScore == 0)
            let oct = try #require(byDepartment[StatisticsKey(period: Self.october, departmentID: cardio)])
            #expect(oct.booked == 2 && oct.visits == 0)
            let dec = try #require(byDepartment[StatisticsKey(period: Self.december, departmentID: pneumo)])
            #expect(dec.visits == 1 && dec.moved == 1 && dec.bookedMinutes == 45 && dec.booked == 0)
            #expect(byDepartment[StatisticsKey(period: Self.november, departmentID: pneumo)]?.booked == 1)

            // Online share of November's bookings in cardiology: two of four.
            let channels = try await store.counts(level: .department, selection: StatisticsSelection(grain: .month, from: Self.november, to: Self.november,
                                                                                                    departmentIDs: [cardio]), by: [.channel])
            #expect(channels[StatisticsKey(channel: .online)]?.booked == 2 && channels[StatisticsKey(channel: .phone)]?.booked == 2)
            #expect(channels[StatisticsKey(channel: .online)]?.noShows == 1 && channels[StatisticsKey(channel: .phone)]?.attended == 1)

            // New vs known, November visits: new 2 attended (A1, A7) 1 no-show (A2), known 1 attended (0%).
            let kinds = try await store.counts(level: .department, selection: StatisticsSelection(grain: .month, from: Self.november, to: Self.november,
                                                                                                 departmentIDs: [cardio]), by: [.kind])
            #expect(kinds[StatisticsKey(kind: .new)]?.noShowRate == 1.0 / 3 && kinds[StatisticsKey(kind: .known)]?.noShowRate == 0)

            // Filters: online only.
            var online = months
            online.channel = .online
            let onlineTotal = try await store.counts(level: .department, selection: online, by: [])
            #expect(onlineTotal[StatisticsKey()]?.booked == 4) // A1, A2, A5, A7

            // Practitioners and motives.
            let practitioners = try await store.counts(level: .practitioner, selection: StatisticsSelection(grain: .month, from: Self.november, to: Self.november,
                                                                                                            departmentIDs: [cardio]), by: [.item])
            #expect(practitioners[StatisticsKey(itemID: setup.org.practitioner.id)]?.visits == 3)
            #expect(practitioners[StatisticsKey(itemID: setup.second.id)]?.cancelled == 2 && practitioners[StatisticsKey(itemID: setup.second.id)]?.refilled == 1)
            let motives = try await store.counts(level: .motive, selection: months, by: [.item])
            #expect(motives[StatisticsKey(itemID: setup.org.motive.id)]?.booked == 6 && motives[StatisticsKey(itemID: setup.pneumoMotive.id)]?.booked == 1)

            // Weeks: Monday 2 November holds A1's visit; Monday 26 October holds A5's booking (the 28th).
            let weeks = try await store.counts(level: .department, selection: StatisticsSelection(grain: .week, from: LocalDate(year: 2026, month: 10, day: 19)!,
                                                                                                 to: LocalDate(year: 2026, month: 11, day: 30)!), by: [.period])
            #expect(weeks[StatisticsKey(period: LocalDate(year: 2026, month: 11, day: 2)!)]?.attended == 2)  // A1 (2nd), A3 (4th)
            #expect(weeks[StatisticsKey(period: LocalDate(year: 2026, month: 11, day: 9)!)]?.refilled == 1)  // A7 (12th)
            #expect(weeks[StatisticsKey(period: LocalDate(year: 2026, month: 10, day: 26)!)]?.booked == 4)   // A5 (28 Oct), A2, A3, A4 (Sunday 1 November)
            #expect(weeks[StatisticsKey(period: LocalDate(year: 2026, month: 10, day: 19)!)]?.booked == 1)   // A1 (20 Oct)

            // A site filter that excludes everything answers nothing (not one empty group).
            var elsewhere = months
            elsewhere.siteIDs = [UUID()]
            #expect(try await store.counts(level: .department, selection: elsewhere, by: []).isEmpty)
        }
    }

    @Test("the summaries kept from the change feed equal a recount, through bookings, moves, cancellations, no-shows and survey answers")
    func incrementalEqualsRecount() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let fixture = try await BookingFixture.make(in: store)
            let service = fixture.service(store: store)
            // The first pass finds nothing counted: the history needs a recount.
            #expect(try await store.refreshStatistics(limit: 100) == nil)
            try await store.rebuildStatistics()
            #expect(try await store.refreshStatistics(limit: 100) == 0)

            let secretary = try await BookingServiceTests().secretary(test)
            let tuesday = { (hour: Int) in BookingFixture.monday(hour).addingTimeInterval(86_400) }
            let (first, token) = try await service.book(fixture.request(at: tuesday(9)), by: .visitor)
            let (second, _) = try await service.book(fixture.request(at: tuesday(10), patient: .existing(fixture.org.patient.id), channel: .phone), by: secretary)
            let (third, thirdToken) = try await service.book(fixture.request(at: tuesday(11), patient: .new(fixture.newPatient("Zoé", email: "zoe@example.org"))),
                                                             by: .visitor)
            _ = try await service.perform(.move(start: BookingFixture.monday(10), end: BookingFixture.monday(10), reason: nil), appointmentID: first.id,
                                          by: .visitor, manageToken: token)
            _ = try await service.perform(.cancel(reason: "empêchement"), appointmentID: third.id, by: .visitor, manageToken: thirdToken)
            #expect(try await store.refreshStatistics(limit: 3) == 3) // a partial pass, then the rest
            #expect(try await store.refreshStatistics(limit: 100) ?? 0 > 0)

            let later = fixture.service(store: store, clock: .fixed(tuesday(13)))
            _ = try await later.perform(.noShow, appointmentID: second.id, by: secretary, manageToken: nil)
            try await store.saveAnswer(SurveyAnswer(appointmentID: second.id, practitionerID: fixture.org.practitioner.id,
                                                    departmentID: fixture.org.department.id, score: 9, comment: nil, answeredAt: tuesday(14)))
            _ = try await store.refreshStatistics(limit: 100)

            func everything() async throws -> [String: StatisticsCounts] {
                var all: [String: StatisticsCounts] = [:]
                for level in StatisticsLevel.allCases {
                    for grain in StatisticsGrain.allCases {
                        let rows = try await store.counts(level: level, selection: StatisticsSelection(grain: grain, from: LocalDate(year: 2026, month: 1, day: 1)!,
                                                                                                       to: LocalDate(year: 2026, month: 12, day: 31)!),
                                                          by: [.period, .department, .item, .channel, .kind])
                        for (key, counts) in rows where counts != StatisticsCounts() { all["\(level)-\(grain)-\(key)"] = counts }
                    }
                }
                return all
            }
            let incremental = try await everything()
            let total = incremental.filter { $0.key.hasPrefix("department-month") }.values.reduce(StatisticsCounts(), +)
            #expect(total.booked == 3 && total.cancelled == 1 && total.noShows == 1 && total.moved == 1 && total.surveyAnswers == 1 && total.freed == 1)
            #expect(total.visits == 2)
            try await store.rebuildStatistics()
            #expect(try await everything() == incremental)

            // New and known were recorded at booking: the visitor's two first visits new, the secretary's booking for the fixture's patient new too.
            let kinds = try await store.counts(level: .department, selection: StatisticsSelection(grain: .month, from: Fixtures.today, to: Fixtures.today), by: [.kind])
            #expect(kinds[StatisticsKey(kind: .new)]?.booked == 3)
        }
    }

    @Test("the SQL sums and StatisticsCounts.of agree on every fact")
    func sqlAndSwiftAgree() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setUp(test.store)
            try await test.store.rebuildStatistics()
            // Recompute by hand in Swift from the same appointments, as facts.
            var expected = StatisticsCounts()
            let scores: [UUID: Int] = [setup.ids["A1"]!: 10, setup.ids["A3"]!: 5]
            let refilled: Set<UUID> = [setup.ids["A7"]!]
            for id in setup.ids.values {
                let appointment = try #require(try await test.store.appointment(id: id))
                let fact = AppointmentFact(appointment, siteID: setup.org.site.id, zone: Site.defaultZone, patientKind: appointment.patientKind ?? .new,
                                           cancelledAt: appointment.status == .cancelled ? appointment.updatedAt : nil, refilled: refilled.contains(id),
                                           surveyScore: scores[id])
                expected.add(StatisticsCounts.of(fact, booking: true))
                expected.add(StatisticsCounts.of(fact, booking: false))
            }
            let summed = try await test.store.counts(level: .motive, selection: StatisticsSelection(grain: .week, from: Self.october, to: Self.december), by: [])
            #expect(summed[StatisticsKey()] == expected)
        }
    }

    @Test("access delays recorded once a day, their month's mean; open minutes per department and their rollup, rewritten without double counting")
    func accessAndOpenTime() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let fixture = try await BookingFixture.make(in: store)
            let recorder = StatisticsRecorder(directory: CachedDirectory(store: store, clock: .fixed(Fixtures.now)), agendas: store, repository: store,
                                              clock: .fixed(Fixtures.now))
            // A server stopping cancels the day's recording: it gives up without recording the day, so the next start does it.
            let stopped = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await recorder.recordToday()
            }
            await #expect(throws: CancellationError.self) { try await stopped.value }
            #expect(try await store.accessRecorded(day: Fixtures.today) == false)
            // Monday 23 November 08:00: openings 9:00–12:00 on weekdays, 30-minute first visits: the third is today at 10:00 (0 days).
            #expect(try await recorder.recordToday() != nil)
            #expect(try await recorder.recordToday() == nil) // once a day
            let month = StatisticsSelection(grain: .month, from: Self.november, to: Self.november)
            let delays = try await store.accessDelays(selection: month, by: [.item])
            #expect(delays[StatisticsKey(itemID: fixture.org.motive.id)] == AccessDelay(daysSum: 0, recorded: 1, beyond: 0))
            let bySpecialty = try await store.accessDelays(selection: month, by: [.specialty])
            #expect(bySpecialty[StatisticsKey(specialty: "cardiologie")]?.recorded == 2) // the first visit and the follow-up

            // Fill three slots of today's morning: the third free one moves to 10:30 the same day... and two days on, it is still 0.
            #expect(StatisticsRecorder.daysToThird([BookingFixture.monday(9), BookingFixture.monday(9).addingTimeInterval(86_400 * 2),
                                                    BookingFixture.monday(9).addingTimeInterval(86_400 * 9)], today: Fixtures.today, zone: Site.defaultZone) == 9)
            #expect(StatisticsRecorder.daysToThird([BookingFixture.monday(9)], today: Fixtures.today, zone: Site.defaultZone) == nil)

            // Open time: 3 hours on each weekday, from 16 November (a week back) to 21 December (four weeks on).
            let open = try await store.openMinutes(level: .department, selection: month, by: [.department])
            // Weekdays from Monday 16 to Monday 30 November: 11 days × 180 minutes.
            #expect(open[StatisticsKey(departmentID: fixture.org.department.id)] == 11 * 180)
            // Rewriting the same days (the next day's recording) does not count them twice.
            try await recorder.recordOpenTime(from: Fixtures.today, to: Fixtures.today.adding(days: 7))
            let again = try await store.openMinutes(level: .practitioner, selection: month, by: [.item])
            #expect(again[StatisticsKey(itemID: fixture.org.practitioner.id)] == 11 * 180)
            // An absence on Tuesday 24 all day, recorded again: three hours fewer.
            try await store.insert(ScheduleException(id: UUID(), owner: .practitioner(fixture.org.practitioner.id), kind: .absence,
                                                     startsAt: BookingFixture.monday(0).addingTimeInterval(86_400), endsAt: BookingFixture.monday(0).addingTimeInterval(2 * 86_400),
                                                     reason: "congé"))
            try await recorder.recordOpenTime(from: Fixtures.today, to: Fixtures.today.adding(days: 7))
            let fewer = try await store.openMinutes(level: .department, selection: month, by: [])
            #expect(fewer[StatisticsKey()] == 10 * 180)
            // A recount keeps the recorded days.
            try await store.rebuildStatistics()
            #expect(try await store.openMinutes(level: .department, selection: month, by: [])[StatisticsKey()] == 10 * 180)
            #expect(try await store.accessDelays(selection: month, by: [])[StatisticsKey()]?.recorded == 2)
        }
    }
}
