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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let fields = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw Failed(message: "python3 icalendar could not read the file (is python3-icalendar installed?): \(String(decoding: problem, as: UTF8.self))")
        }
        return fields
    }
}
