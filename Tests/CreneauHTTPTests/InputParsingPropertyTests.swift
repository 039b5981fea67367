import CreneauDomain
@testable import CreneauHTTP
import CreneauSeed
import Foundation
import Testing

/// What the HTTP layer parses from text — instants, days, times of day, origins — is
/// either a valid value or refused, for any input: never a trap, never a value out of
/// its bounds.
@Suite("HTTP input parsing never traps")
struct InputParsingPropertyTests {
    static let now = Date(timeIntervalSince1970: 1_795_417_200) // Monday 23 November 2026, 08:00 in Paris

    static func text(_ random: inout SeededRandom) -> String {
        let pieces = ["2026", "-", "11", "23", "T", "09", ":", "00", "Z", "+", "01", "9999", "0000", "99", ".", "5", "\u{0}", " ", "٠", "１",
                      "2026-11-23T09:00:00+01:00", "9999-12-31T23:59:59Z", "2026-02-29T00:00:00Z", "24", "60", "-9223372036854775808"]
        return (0..<Int(random.next() % 9)).map { _ in random.pick(pieces) }.joined()
    }

    @Test("RFC 3339: any text is an instant that prints back, or nil")
    func rfc3339() {
        var random = SeededRandom(seed: 3_339)
        let paris = Site.defaultZone
        for _ in 0..<30_000 {
            let text = Self.text(&random)
            if let instant = RFC3339.parse(text) {
                // Whatever parsed prints in UTC and parses back to the same instant, and prints in
                // Paris too (a year 9999 instant is already 10000 there: printed, not trapped).
                #expect(RFC3339.parse(RFC3339.format(instant, in: .gmt)) == instant, "\(text.debugDescription)")
                #expect(!RFC3339.format(instant, in: paris).isEmpty)
            }
        }
        #expect(RFC3339.parse("2026-11-23T09:00:00+01:00") == Self.now.addingTimeInterval(3_600))
        #expect(RFC3339.parse("2026-11-23T09:00:00") == nil)
    }

    @Test("slots, agenda days and birth dates from input are inside their bounds, or refused with a 400")
    func bounded() throws {
        var random = SeededRandom(seed: 5_000)
        let days = InputBounds.agendaDays(around: LocalDate(Self.now, in: .gmt))
        let instants = InputBounds.agendaInstants(around: Self.now)
        for _ in 0..<20_000 {
            let text = random.next() % 3 == 0 ? String(Int64(bitPattern: random.next())) : Self.text(&random)
            if let day = try? InputDates.agendaDay(text, field: "from", now: Self.now) { #expect(days.contains(day)) }
            if let day = try? InputDates.pageDay(text, field: "day", now: Self.now) { #expect(days.contains(day)) }
            if let birth = try? InputDates.birthDate(text, field: "birthDate") { #expect(InputBounds.birthDates.contains(birth)) }
            if let instant = try? InputDates.instant(rfc3339: text, field: "start", now: Self.now) { #expect(instants.contains(instant)) }
            if let instant = try? InputDates.instant(unixSeconds: text, field: "start", now: Self.now) { #expect(instants.contains(instant)) }
        }
        #expect(throws: APIError.self) { try InputDates.agendaDay("9999-12-31", field: "from", now: Self.now) }
        #expect(throws: APIError.self) { try InputDates.instant(unixSeconds: "9223372036854775807", field: "start", now: Self.now) }
        #expect(try InputDates.pageDay("lundi", field: "week", now: Self.now) == nil)
    }

    @Test("times of day and template rows from a form: valid minutes or refused")
    func timesOfDay() {
        var random = SeededRandom(seed: 1_440)
        for _ in 0..<20_000 {
            if let minutes = TemplateForm.minutes(Self.text(&random)) { #expect((0..<1_440).contains(minutes)) }
        }
        for rows in ["-5", "-9223372036854775808", "9223372036854775807", "x", ""] {
            #expect(TemplateForm.rows(from: ["rows": rows]).isEmpty)
        }
    }

    @Test("origins: a browser's Origin is read exactly or refused")
    func origins() {
        #expect(Origin(text: "https://rdv.hopital.fr")?.authority == "rdv.hopital.fr")
        #expect(Origin(text: "https://rdv.hopital.fr:443")?.text == "https://rdv.hopital.fr")
        #expect(Origin(text: "http://127.0.0.1:8080")?.authority == "127.0.0.1:8080")
        for text in ["null", "", "javascript:alert(1)", "file:///etc/passwd", "https://", String(repeating: "a", count: 400), "\u{0}"] {
            #expect(Origin(text: text) == nil, "\(text.prefix(20).debugDescription)")
        }
    }
}
