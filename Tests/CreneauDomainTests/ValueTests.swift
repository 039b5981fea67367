import CreneauDomain
import CreneauSeed
import Foundation
import Testing

@Suite("Domain values")
struct ValueTests {
    @Test("channel sets round-trip through their bit mask")
    func channels() {
        for mask in 0...ChannelSet.maximumRawValue {
            let set = ChannelSet(rawValue: mask)
            #expect(ChannelSet(channels: set.channels) == set)
        }
        #expect(ChannelSet.staff.contains(.phone))
        #expect(!ChannelSet.staff.contains(.online))
        #expect(ChannelSet.all.channels == Channel.allCases)
    }

    @Test("dates parse exactly YYYY-MM-DD and refuse impossible days", arguments: [
        ("2026-11-23", true), ("2024-02-29", true), ("2026-02-29", false), ("2026-13-01", false),
        ("2026-1-01", false), ("26-11-23", false), ("2026-11-23T10:00", false), ("", false), ("２０２６-11-23", false),
    ])
    func parsing(text: String, valid: Bool) {
        #expect((LocalDate(text) != nil) == valid)
        if valid { #expect(LocalDate(text)?.description == text) }
    }

    @Test("calendar arithmetic")
    func arithmetic() {
        let monday = LocalDate(year: 2026, month: 11, day: 23)!
        #expect(monday.isoWeekday == 1)
        #expect(monday.adding(days: 6).isoWeekday == 7)
        #expect(monday.adding(days: 39).description == "2027-01-01")
        #expect(monday.adding(days: -365).description == "2025-11-23")
        #expect(LocalDate("2026-03-31")! > LocalDate("2026-03-29")!)
    }

    @Test("local wall-clock times across the daylight-saving changes in Paris")
    func daylightSaving() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        // 09:00 is UTC+1 before the last Sunday of March and UTC+2 from it on.
        #expect(LocalDate("2026-03-28")!.instant(atMinute: 540, in: paris) == Date(timeIntervalSince1970: 1_774_684_800))
        #expect(LocalDate("2026-03-29")!.instant(atMinute: 540, in: paris) == Date(timeIntervalSince1970: 1_774_767_600))
        // The October night has 25 hours: midnight to midnight.
        let october = LocalDate("2026-10-25")!
        #expect(october.adding(days: 1).instant(atMinute: 0, in: paris).timeIntervalSince(october.instant(atMinute: 0, in: paris)) == 25 * 3_600)
        #expect(LocalDate(Date(timeIntervalSince1970: 1_795_417_200), in: paris).description == "2026-11-23")
    }

    @Test("search folding ignores accents, case and punctuation")
    func folding() {
        #expect(SearchText.fold("Bérénice") == "berenice")
        #expect(SearchText.fold("  LEFÈVRE-Château ") == "lefevre chateau")
        #expect(SearchText.fold("Œdipe") == "oedipe")
        #expect(SearchText.fold("100% <script>") == "100 script")
    }

    @Test("a patient's age in whole years")
    func age() {
        let hugo = Patient(id: UUID(), firstName: "Hugo", lastName: "Martin", birthDate: LocalDate("2020-06-15")!, createdAt: Date())
        #expect(hugo.age(on: LocalDate("2026-06-14")!) == 5)
        #expect(hugo.age(on: LocalDate("2026-06-15")!) == 6)
    }

    @Test("account emails are kept lower-case")
    func email() {
        #expect(Account(id: UUID(), email: "Lea.Martin@Example.ORG", displayName: "Léa", createdAt: Date()).email == "lea.martin@example.org")
    }
}

@Suite("Seed building blocks")
struct SeedBlockTests {
    @Test("Easter and French public holidays", arguments: [(2026, "2026-04-05"), (2027, "2027-03-28"), (2024, "2024-03-31"), (2038, "2038-04-25")])
    func easter(year: Int, expected: String) {
        #expect(PublicHolidays.easterSunday(year: year).description == expected)
        let holidays = PublicHolidays.days(year: year)
        #expect(holidays.count == 11)
        #expect(holidays.contains { $0.name == "Fête nationale" && $0.date.description == "\(year)-07-14" })
    }

    @Test("the seeded generator repeats itself and makes version-4 UUIDs")
    func random() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        let id = a.uuid().uuidString
        #expect(Array(id)[14] == "4")
        #expect("89AB".contains(Array(id)[19]))
    }
}
