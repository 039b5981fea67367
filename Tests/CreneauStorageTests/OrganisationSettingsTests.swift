import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Organisation settings: holiday calendars, closures, online booking per department, motive rules")
struct OrganisationSettingsTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!

    @Test("a site's address, phone, calendar and status, a department's switches and a motive's rules are stored and read back")
    func roundTrip() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            var site = org.site
            site.address = "149 rue de Sèvres, 75015 Paris"
            site.phone = "01 99 00 00 42"
            site.holidayCalendar = .alsaceMoselle
            site.isActive = false
            try await test.store.update(site)
            #expect(try await test.store.site(id: site.id) == site)

            var department = org.department
            department.onlineBooking = false
            department.newPatientsNeedReferral = false
            try await test.store.update(department)
            #expect(try await test.store.department(id: department.id) == department)

            var motive = org.motive
            motive.referral = .required
            motive.onlineHorizonDays = 14
            try await test.store.update(motive)
            #expect(try await test.store.motive(id: motive.id)?.referral == .required)
            #expect(try await test.store.motive(id: motive.id)?.onlineHorizonDays == 14)
        }
    }

    @Test("the database refuses an online horizon under a day and an unknown referral rule")
    func constraints() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            var motive = org.motive
            motive.onlineHorizonDays = 0
            await #expect(throws: RepositoryError.self) { try await test.store.update(motive) }
            #expect(try await test.store.motive(id: motive.id)?.onlineHorizonDays == nil)
        }
    }

    /// A practitioner open every weekday morning for the fixture's motive.
    func openEveryMorning(_ org: Fixtures.Organisation, in test: TestDatabase) async throws {
        let ranges = (1...5).map { OpeningRange(id: UUID(), weekday: $0, startMinute: 540, endMinute: 600, motiveIDs: [org.motive.id], channels: .all) }
        try await test.store.insert(ScheduleTemplate(id: UUID(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                                                     validFrom: Fixtures.today.adding(days: -7), ranges: ranges))
    }

    /// The days with a free slot, by phone, for a year-long motive that needs no room.
    func days(_ test: TestDatabase, _ org: Fixtures.Organisation, from: LocalDate, count: Int) async throws -> Set<LocalDate> {
        var motive = org.motive
        motive.horizonDays = 365
        motive.requiredResourceIDs = []
        let start = from.instant(atMinute: 0, in: Self.paris), end = from.adding(days: count).instant(atMinute: 0, in: Self.paris)
        let agendas = try await test.store.agendas([(org.practitioner.id, motive)], from: start, to: end)
        let agenda = try #require(agendas[org.practitioner.id])
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .phone, from: from, days: count, now: Fixtures.now), in: agenda)
        return Set(slots.map { LocalDate($0.start, in: Self.paris) })
    }

    @Test("public holidays close the site in every year without anyone entering them; closures entered by admins too")
    func holidaysAndClosures() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            try await openEveryMorning(org, in: test)
            // Friday 1 January 2027 and Monday 29 March 2027 (Easter Monday) are closed; the days around them open.
            let newYear = try await days(test, org, from: LocalDate(year: 2026, month: 12, day: 31)!, count: 5)
            #expect(newYear.contains(LocalDate(year: 2026, month: 12, day: 31)!))
            #expect(!newYear.contains(LocalDate(year: 2027, month: 1, day: 1)!))
            #expect(newYear.contains(LocalDate(year: 2027, month: 1, day: 4)!))
            let easter = try await days(test, org, from: LocalDate(year: 2027, month: 3, day: 26)!, count: 5)
            #expect(easter.contains(LocalDate(year: 2027, month: 3, day: 26)!))
            #expect(!easter.contains(LocalDate(year: 2027, month: 3, day: 29)!))

            // In Alsace-Moselle Good Friday closes too; a closure entered for a bridge day closes it.
            var site = org.site
            site.holidayCalendar = .alsaceMoselle
            try await test.store.update(site)
            try await test.store.insert(PublicHoliday(siteID: site.id, date: LocalDate(year: 2027, month: 3, day: 30)!, name: "Déménagement"))
            let alsace = try await days(test, org, from: LocalDate(year: 2027, month: 3, day: 26)!, count: 6)
            #expect(!alsace.contains(LocalDate(year: 2027, month: 3, day: 26)!))
            #expect(!alsace.contains(LocalDate(year: 2027, month: 3, day: 30)!))
            #expect(alsace.contains(LocalDate(year: 2027, month: 3, day: 31)!))
        }
    }

    @Test("a department with online booking off lists its motives without the online channel; out of service, not at all")
    func onlineSwitch() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            try await openEveryMorning(org, in: test)
            func offered() async throws -> Motive? {
                try await test.store.bookableMotives(practitionerIDs: [org.practitioner.id], on: Fixtures.today)[org.practitioner.id]?.first
            }
            #expect(try await offered()?.channels.contains(.online) == true)
            var department = org.department
            department.onlineBooking = false
            try await test.store.update(department)
            #expect(try await offered()?.channels == [.phone])
            department.isActive = false
            try await test.store.update(department)
            #expect(try await offered() == nil)
            // Nor does the department's practitioner appear in the patients' search any more.
            #expect(try await test.store.searchPractitioners(query: "lefevre", specialty: nil, siteID: nil, limit: 10).isEmpty)
        }
    }
}
