@testable import CreneauHTTP
import CreneauDomain
import CreneauSeed
import Foundation
import Testing

@Suite("The availability answer written by hand")
struct AvailabilityJSONTests {
    @Test("byte for byte what the JSON encoder writes, for generated answers and awkward strings")
    func sameAsEncoder() throws {
        var random = SeededRandom(seed: 77)
        let zones = try ["Europe/Paris", "America/Cayenne", "Pacific/Noumea"].map { try #require(TimeZone(identifier: $0)) }
        let awkward = ["", "a/b", "quote \" here", "back\\slash", "new\nline\ttab\r", "bell\u{07} nul\u{0}", "é à ü 日本", "emoji 🩺", "\u{1F}\u{7F}"]
        for round in 0..<300 {
            let zone = zones[round % zones.count]
            let count = Int(random.next() % 40)
            let start = 1_795_000_000 + Double(random.next() % 10_000_000)
            let slots = (0..<count).map { index -> SlotJSON in
                let at = Date(timeIntervalSince1970: start + Double(index) * 1_800)
                var slot = Slot(start: at, end: at.addingTimeInterval(1_200))
                slot.seatsLeft = Int(random.next() % 7)
                return SlotJSON(slot, timeZone: zone, group: random.chance(0.3))
            }
            let answer = AvailabilityJSON(
                practitioner: round % 10 == 0 ? awkward[round / 10 % awkward.count] : random.uuid().json,
                motive: random.uuid().json, channel: Channel.allCases[round % Channel.allCases.count],
                timeZone: round % 7 == 0 ? awkward[round % awkward.count] : zone.identifier,
                from: LocalDate(daysSinceEpoch: 20_000 + round).description, days: Int(random.next() % 90) + 1, slots: slots)
            #expect(Array(buffer: answer.written()) == Array(try JSON.encode(answer)), "round \(round)")
        }
    }
}
