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

    public static func parse(_ text: String) throws -> [String: String] {
        let (status, data, problem) = try python(["-c", script], input: text)
        guard status == 0, let fields = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw Failed(message: "python3 icalendar could not read the file (is python3-icalendar installed?): \(problem)")
        }
        return fields
    }

    /// `scripts/ical-check.py` on `text`: a strict reading (CRLF, 75-octet lines, each TZID's
    /// VTIMEZONE, times through the file's own zone), its JSON on success.
    public static func check(_ text: String) throws -> Data {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/ical-check.py")
        let (status, data, problem) = try python([script.path], input: text)
        guard status == 0 else { throw Failed(message: problem) }
        return data
    }

    /// Runs /usr/bin/python3 with `arguments`, `input` on its standard input.
    static func python(_ arguments: [String], input text: String) throws -> (status: Int32, output: Data, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, data, problem)
    }
}
