import CreneauDomain
import Testing

@Suite("Public holidays: computed for any year, with the regional ones")
struct PublicHolidaysTests {
    /// From the official calendars (service-public.fr, "Jours fériés 2027" and "2030").
    static let known: [Int: [String]] = [
        2027: ["2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17",
               "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"],
        2030: ["2030-01-01", "2030-04-22", "2030-05-01", "2030-05-08", "2030-05-30", "2030-06-10",
               "2030-07-14", "2030-08-15", "2030-11-01", "2030-11-11", "2030-12-25"],
    ]

    @Test("2027 and 2030 match the official metropolitan calendar", arguments: [2027, 2030])
    func metropolitan(year: Int) throws {
        let expected = try #require(Self.known[year])
        #expect(PublicHolidays.days(year: year).map(\.date.description) == expected)
    }

    @Test("Alsace-Moselle adds Good Friday and 26 December; each overseas territory its abolition day")
    func regional() {
        let alsace = PublicHolidays.days(year: 2027, calendar: .alsaceMoselle).map(\.date.description)
        #expect(alsace.count == 13)
        #expect(alsace.contains("2027-03-26") && alsace.contains("2027-12-26"))
        let abolition: [(HolidayCalendar, String)] = [
            (.guadeloupe, "2030-05-27"), (.martinique, "2030-05-22"), (.reunion, "2030-12-20"),
            (.mayotte, "2030-04-27"), (.saintMartin, "2030-05-28"), (.saintBarthelemy, "2030-10-09"),
        ]
        for (calendar, day) in abolition {
            let days = PublicHolidays.days(year: 2030, calendar: calendar)
            #expect(days.count == 12, "\(calendar)")
            #expect(days.contains { $0.date.description == day && $0.name == "Abolition de l'esclavage" }, "\(calendar)")
        }
        // In 2030 Guyane's 10 June is also Whit Monday: one closed day that names both.
        let guyane = PublicHolidays.days(year: 2030, calendar: .guyane)
        #expect(guyane.count == 11)
        #expect(guyane.first { $0.date.description == "2030-06-10" }?.name == "Abolition de l'esclavage / Lundi de Pentecôte")
        #expect(PublicHolidays.days(year: 2030, calendar: .none).isEmpty)
    }

    @Test("asking about one day agrees with the year's list, for every calendar, over fifty years")
    func oneDayAgreesWithTheList() {
        for calendar in HolidayCalendar.allCases {
            for year in 2000...2050 {
                let listed = Set(PublicHolidays.days(year: year, calendar: calendar).map(\.date))
                var asked = Set<LocalDate>()
                var day = LocalDate(year: year, month: 1, day: 1)!
                while day.year == year {
                    if PublicHolidays.name(of: day, calendar: calendar) != nil { asked.insert(day) }
                    day = day.adding(days: 1)
                }
                #expect(asked == listed, "\(calendar) \(year)")
            }
        }
    }

    @Test("no year is missing: the far future and the year 1 compute without trapping")
    func anyYear() {
        #expect(PublicHolidays.days(year: 9999).count >= 10)
        #expect(PublicHolidays.days(year: 1).count >= 10)
        #expect(PublicHolidays.days(year: 10_000).isEmpty)
        #expect(ClosedDays(calendar: .metropolitan).contains(LocalDate(year: 2031, month: 1, day: 1)!))
        #expect(!ClosedDays(calendar: .metropolitan).contains(LocalDate(year: 2031, month: 1, day: 2)!))
        #expect(ClosedDays(calendar: .none, closures: [LocalDate(year: 2031, month: 1, day: 2)!]).contains(LocalDate(year: 2031, month: 1, day: 2)!))
    }
}
