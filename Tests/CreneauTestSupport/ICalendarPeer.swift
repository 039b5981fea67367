import Foundation

/// Reads an iCalendar file with Python's `icalendar` (Debian's python3-icalendar): what a
/// real calendar library understands of the first event.
public enum ICalendarPeer {
    public struct Failed: Error { public let message: String }

    static let script = """
        import json, sys
        from icalendar import Calendar
        calendar = Calendar.from_ical(sys.stdin.read())
        event = next(c for c in calendar.walk() if c.name == "VEVENT")
        print(json.dumps({
            "uid": str(event["UID"]), "summary": str(event["SUMMARY"]), "location": str(event["LOCATION"]),
            "description": str(event["DESCRIPTION"]), "status": str(event["STATUS"]), "sequence": str(event["SEQUENCE"]),
            "dtstart": event["DTSTART"].dt.isoformat(), "dtend": event["DTEND"].dt.isoformat(),
        }, ensure_ascii=False))
        """

    public static func parse(_ text: String) async throws -> [String: String] {
        let (status, data, problem) = try await python(["-c", script], input: text)
        guard status == 0, let fields = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw Failed(message: "python3 icalendar could not read the file (is python3-icalendar installed?): \(problem)")
        }
        return fields
    }

    /// `scripts/ical-check.py` on `text`: a strict reading (CRLF, 75-octet lines, each TZID's
    /// VTIMEZONE, times through the file's own zone), its JSON on success.
    public static func check(_ text: String) async throws -> Data {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/ical-check.py")
        let (status, data, problem) = try await python([script.path], input: text)
        guard status == 0 else { throw Failed(message: problem) }
        return data
    }

    /// Runs /usr/bin/python3 with `arguments`, `input` on its standard input.
    static func python(_ arguments: [String], input text: String) async throws -> (status: Int32, output: Data, errors: String) {
        let run = try await ChildProcess.python(arguments, input: Data(text.utf8), separateErrors: true, timeout: 60)
        return (run.status, run.output, run.errorText)
    }
}
