import CreneauDomain
import CreneauSeed
import Foundation
import Testing

/// Every value a request can carry is either parsed into a valid value or refused — never
/// a trap. These run thousands of generated inputs, far and malformed ones first: a date
/// past 9999 once stopped the whole server (SECURITY.md, finding 1).
@Suite("Values parsed from input never trap")
struct InputPropertyTests {
    /// Integers a fuzzer would try: the edges of every type, then anything.
    static func wildInteger(_ random: inout SeededRandom) -> Int {
        let edges = [Int.min, Int.min + 1, -1, 0, 1, 9_999, 10_000, 99_999, Int(Int32.max), Int(Int32.min), Int.max - 1, Int.max]
        return random.next() % 3 == 0 ? random.pick(edges) : Int(truncatingIfNeeded: random.next())
    }

    static func wildText(_ random: inout SeededRandom) -> String {
        let pieces = ["9999-12-31", "10000-01-01", "0000-00-00", "-0001-01-01", "2026-02-30", "2026-11-23", "1900-01-01", "2200-12-31",
                      "T", ":", "+", "-", "Z", ".", "\u{0}", "\n", "٢٠٢٦", "２０２６", "99999999999999999999", "1e309", "NaN", " ", "é", "🩺"]
        return (0..<Int(random.next() % 6)).map { _ in random.pick(pieces) }.joined()
    }

    @Test("any year, month and day: a valid date or nil; a valid date prints and parses back")
    func dateComponents() {
        var random = SeededRandom(seed: 9_999)
        for _ in 0..<20_000 {
            let year = random.next() % 2 == 0 ? Int(random.next() % 12_000) - 1_000 : Self.wildInteger(&random)
            let month = Int(random.next() % 15) - 1, day = Int(random.next() % 34) - 1
            if let date = LocalDate(year: year, month: month, day: day) {
                #expect((1...9_999).contains(date.year))
                #expect(LocalDate(date.description) == date)
                #expect(LocalDate(daysSinceEpoch: date.daysSinceEpoch) == date)
            }
        }
    }

    @Test("any text: a date or nil")
    func dateText() {
        var random = SeededRandom(seed: 31)
        for _ in 0..<20_000 {
            let text = Self.wildText(&random)
            if let date = LocalDate(text) { #expect(date.description == text) }
        }
    }

    @Test("day arithmetic never traps and agrees with the Gregorian calendar inside years 1…9999")
    func arithmetic() {
        var random = SeededRandom(seed: 1_792)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let edges = [LocalDate(year: 1, month: 1, day: 1)!, LocalDate(year: 9_999, month: 12, day: 31)!, LocalDate(year: 2026, month: 11, day: 23)!]
        for index in 0..<20_000 {
            let start = index < 300 ? edges[index % 3] : LocalDate(daysSinceEpoch: Int(random.next() % 4_000_000) - 800_000)
            let offset = index % 4 == 0 ? Self.wildInteger(&random) : Int(random.next() % 20_000) - 10_000
            let moved = start.adding(days: offset)
            #expect((1...9_999).contains(moved.year))
            #expect((1...7).contains(moved.isoWeekday))
            // Inside the range, the result is exact (and matches Foundation for ordinary years).
            let target = start.daysSinceEpoch.addingReportingOverflow(offset)
            if !target.overflow, (edges[0].daysSinceEpoch...edges[1].daysSinceEpoch).contains(target.partialValue) {
                #expect(start.days(until: moved) == offset)
                if (1_600...2_400).contains(start.year), abs(offset) < 10_000,
                   let noon = calendar.date(from: DateComponents(year: start.year, month: start.month, day: start.day, hour: 12)),
                   let expected = calendar.date(byAdding: .day, value: offset, to: noon) {
                    let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: expected)
                    #expect((moved.year, moved.month, moved.day) == (parts.year, parts.month, parts.day))
                    #expect(moved.isoWeekday == (parts.weekday == 1 ? 7 : (parts.weekday ?? 0) - 1))
                }
            }
        }
    }

    @Test("any instant, however far or strange, falls on a day in every zone")
    func instants() {
        var random = SeededRandom(seed: 57)
        let zones = ["Europe/Paris", "America/Cayenne", "Pacific/Kiritimati", "UTC"].compactMap(TimeZone.init(identifier:))
        let specials: [Double] = [.infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9.2e18, -9.2e18, 253_402_300_799, 253_402_300_800]
        for index in 0..<5_000 {
            let seconds = index < specials.count ? specials[index] : Double(Self.wildInteger(&random)) / Double(1 + random.next() % 1_000)
            let zone = random.pick(zones)
            let day = LocalDate(Date(timeIntervalSince1970: seconds), in: zone)
            #expect((1...9_999).contains(day.year))
            _ = day.instant(atMinute: Int(random.next() % 1_440), in: zone)
        }
    }

    @Test("bounds: birth dates 1900–2200, agendas and slots within five years of today")
    func bounds() {
        let today = LocalDate(year: 2026, month: 11, day: 23)!
        #expect(InputBounds.birthDates.lowerBound.description == "1900-01-01")
        #expect(InputBounds.birthDates.upperBound.description == "2200-12-31")
        let agenda = InputBounds.agendaDays(around: today)
        #expect(agenda.contains(LocalDate(year: 2031, month: 11, day: 1)!))
        #expect(!agenda.contains(LocalDate(year: 9_999, month: 12, day: 31)!))
        #expect(!agenda.contains(LocalDate(year: 2020, month: 1, day: 1)!))
        let now = Date(timeIntervalSince1970: 1_795_420_800)
        #expect(InputBounds.instant(unixSeconds: "9223372036854775807", around: now) == nil)
        #expect(InputBounds.instant(unixSeconds: "-9223372036854775808", around: now) == nil)
        #expect(InputBounds.instant(unixSeconds: "1795424400", around: now) != nil)
        var random = SeededRandom(seed: 5)
        for _ in 0..<5_000 {
            let text = random.next() % 2 == 0 ? String(Self.wildInteger(&random)) : Self.wildText(&random)
            if let instant = InputBounds.instant(unixSeconds: text, around: now) {
                #expect(abs(instant.timeIntervalSince(now)) <= Double(InputBounds.agendaYears * 366 * 86_400))
            }
        }
    }

    @Test("names with line breaks or other control characters are refused; emails and phones are checked whatever they hold")
    func patientDetails() {
        let today = LocalDate(year: 2026, month: 11, day: 23)!
        let birth = LocalDate(year: 1990, month: 1, day: 1)!
        for name in ["Léa\nBcc: everyone@example.org", "Léa\r", "Léa\u{0}", "Lé\ta", "Léa\u{85}"] {
            let details = PatientDetails(firstName: name, lastName: "Martin", birthDate: birth, email: "lea@example.org")
            #expect(PatientRules.check(details, today: today, channel: .online)?.code == .invalidPatient, "\(name.debugDescription)")
        }
        #expect(PatientRules.check(PatientDetails(firstName: "Léa-Marie", lastName: "N'Diaye", birthDate: birth, email: "lea@example.org"),
                                   today: today, channel: .online) == nil)
        var random = SeededRandom(seed: 112)
        for _ in 0..<5_000 {
            let details = PatientDetails(firstName: Self.wildText(&random), lastName: Self.wildText(&random), birthDate: birth,
                                         email: Self.wildText(&random), phone: Self.wildText(&random))
            if PatientRules.check(details, today: today, channel: .online) == nil {
                #expect(!PatientRules.hasControlCharacters(details.firstName + details.lastName + (details.email ?? "")))
            }
        }
    }
}
