@testable import CreneauHTTP
import CreneauDomain
import CreneauSeed
import Foundation
import Testing

/// The pages' dates are written by hand (a Foundation formatter costs milliseconds to build on
/// Linux, and a page of slots shows hundreds): they must read exactly as Foundation's.
@Suite("Page dates written as Foundation writes them")
struct PageFormatTests {
    @Test("days, short days and times in French and English, in Paris, Cayenne and Nouméa, over three years and both DST changes")
    func sameAsFoundation() throws {
        var random = SeededRandom(seed: 31)
        let zones = try ["Europe/Paris", "America/Cayenne", "Pacific/Noumea", "Indian/Reunion"].map { try #require(TimeZone(identifier: $0)) }
        var checked = 0
        for zone in zones {
            for language in [Language.fr, .en] {
                let day = PageFormat.formatter("EEEEdMMMM", zone, language), short = PageFormat.formatter("EEEdMMM", zone, language)
                let time = DateFormatter()
                time.locale = Locale(identifier: "en_US_POSIX")
                time.timeZone = zone
                time.dateFormat = "HH:mm"
                // Every day of a year (every month and weekday name), and random instants over three.
                let start = 1_767_225_600.0 // 2026-01-01T00:00:00Z
                var instants = (0..<366).map { Date(timeIntervalSince1970: start + Double($0) * 86_400 + 3_600 * 11) }
                instants += (0..<400).map { _ in Date(timeIntervalSince1970: start + Double(random.next() % (3 * 365 * 86_400))) }
                // Around the DST changes of 2026 in Paris (29 March, 25 October), minute by minute.
                for change in [1_774_746_000.0, 1_792_890_000.0] {
                    instants += (-90...90).map { Date(timeIntervalSince1970: change + Double($0) * 60) }
                }
                for instant in instants {
                    #expect(PageFormat.day(instant, zone, language) == day.string(from: instant), "\(instant) \(zone.identifier) \(language)")
                    #expect(PageFormat.shortDay(instant, zone, language) == short.string(from: instant), "\(instant) \(zone.identifier) \(language)")
                    #expect(PageFormat.time(instant, zone, language) == time.string(from: instant), "\(instant) \(zone.identifier)")
                    checked += 1
                }
            }
        }
        #expect(checked > 5_000)
    }
}
