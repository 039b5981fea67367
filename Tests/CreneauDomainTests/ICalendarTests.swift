@testable import CreneauDomain
import Foundation
import Testing

@Suite("iCalendar writer (RFC 5545)")
struct ICalendarTests {
    @Test("TEXT values escape backslash, semicolon, comma and line breaks")
    func escaping() {
        #expect(ICalendar.escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf")
    }

    @Test("lines fold at 75 octets without cutting a UTF-8 character, and unfold to the original")
    func folding() {
        let line = "DESCRIPTION:" + String(repeating: "é", count: 100) + String(repeating: "a", count: 50)
        let folded = ICalendar.fold(line)
        let physical = folded.components(separatedBy: "\r\n")
        #expect(physical.count > 1)
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        #expect(physical.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(physical.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined() == line)
    }

    @Test("a document: CRLF everywhere, UTC times, one event with its sequence and status")
    func document() {
        let start = Date(timeIntervalSince1970: 1_795_420_800)  // Monday 23 November 2026 08:00 UTC
        let text = ICalendar.document([CalendarEvent(
            uid: "abc@creneau", start: start, end: start.addingTimeInterval(1_800), summary: "Première consultation", location: "Cardiologie, Avoine",
            description: "Apportez vos examens", status: .confirmed, sequence: 2, stamp: start)])
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.contains("DTSTART:20261123T080000Z\r\nDTEND:20261123T083000Z\r\n"))
        #expect(text.contains("SEQUENCE:2\r\nSTATUS:CONFIRMED\r\n"))
        #expect(text.contains("LOCATION:Cardiologie\\, Avoine\r\n"))
    }
}
