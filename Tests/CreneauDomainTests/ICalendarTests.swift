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

    @Test("a feed in a zone: local times with TZID, a VTIMEZONE with the offset at the start and each change over the span (spring forward dated in the old offset)")
    func zoned() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        // Monday 29 March 2027 09:00 in Paris is 07:00 UTC (summer time since Sunday 02:00).
        let start = Date(timeIntervalSince1970: 1_806_303_600)
        let event = CalendarEvent(uid: "a@creneau", start: start, end: start.addingTimeInterval(1_800), summary: "Consultation — L. M.", location: "Avoine",
                                  description: "", status: .confirmed, sequence: 0, stamp: start.addingTimeInterval(-86_400 * 10))
        let early = CalendarEvent(uid: "b@creneau", start: start.addingTimeInterval(-86_400 * 7), end: start.addingTimeInterval(-86_400 * 7 + 1_800),
                                  summary: "x", location: "", description: "", status: .cancelled, sequence: 1, stamp: start)
        let text = ICalendar.document([early, event], timeZone: paris)
        #expect(text.contains("DTSTART;TZID=Europe/Paris:20270329T090000\r\n") && text.contains("DTEND;TZID=Europe/Paris:20270329T093000\r\n"))
        #expect(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\n"))
        #expect(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"))
        #expect(text.components(separatedBy: "BEGIN:DAYLIGHT").count == 2 && text.contains("STATUS:CANCELLED"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        // Without a zone: UTC, as the messages' attachments are.
        #expect(ICalendar.document([event]).contains("DTSTART:20270329T070000Z"))
    }
}
