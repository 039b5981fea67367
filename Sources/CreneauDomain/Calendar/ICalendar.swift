import Foundation

/// One event of an iCalendar file (RFC 5545): what a patient adds to their calendar.
public struct CalendarEvent: Hashable, Sendable {
    public enum Status: String, Sendable { case confirmed = "CONFIRMED", cancelled = "CANCELLED" }

    /// Stable across changes, so a calendar that imports the file again updates the event.
    public var uid: String
    public var start: Date
    public var end: Date
    public var summary: String
    public var location: String
    public var description: String
    public var status: Status
    /// Grows with each change (a move), so calendars take the newest version.
    public var sequence: Int
    public var stamp: Date
    /// For a scheduling message (RFC 5546 REQUEST or CANCEL): the hospital's address and the patient's.
    public var organizer: String?
    public var attendee: String?

    public init(uid: String, start: Date, end: Date, summary: String, location: String, description: String, status: Status, sequence: Int, stamp: Date,
                organizer: String? = nil, attendee: String? = nil) {
        self.organizer = organizer
        self.attendee = attendee
        self.uid = uid
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.description = description
        self.status = status
        self.sequence = sequence
        self.stamp = stamp
    }
}

/// Writes iCalendar text: CRLF line ends, lines folded at 75 octets without cutting a
/// UTF-8 character, TEXT values escaped, times in UTC (no VTIMEZONE to get wrong).
public enum ICalendar {
    /// RFC 5546: PUBLISH a file to import; REQUEST (add or update) and CANCEL in a message.
    public enum Method: String, Sendable { case publish = "PUBLISH", request = "REQUEST", cancel = "CANCEL" }

    public static func document(_ events: [CalendarEvent], method: Method = .publish, productID: String = "-//Creneau//Rendez-vous//FR") -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(escape(productID))", "CALSCALE:GREGORIAN", "METHOD:\(method.rawValue)"]
        for event in events {
            var people: [String] = []
            if method != .publish {
                if let organizer = event.organizer, !organizer.contains(where: \.isNewline) { people.append("ORGANIZER:mailto:\(organizer)") }
                if let attendee = event.attendee, !attendee.contains(where: \.isNewline) { people.append("ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:\(attendee)") }
            }
            lines += [
                "BEGIN:VEVENT",
                "UID:\(escape(event.uid))",
                "DTSTAMP:\(utc(event.stamp))",
                "DTSTART:\(utc(event.start))",
                "DTEND:\(utc(event.end))",
                "SEQUENCE:\(event.sequence)",
                "STATUS:\(event.status.rawValue)",
                "SUMMARY:\(escape(event.summary))",
                "LOCATION:\(escape(event.location))",
                "DESCRIPTION:\(escape(event.description))",
            ] + people + ["END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 5545 §3.3.11: backslash, semicolon and comma escaped; line breaks as "\n".
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\r\n", "\n", "\r": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// RFC 5545 §3.1: lines of at most 75 octets; continuations start with a space.
    static func fold(_ line: String) -> String {
        var pieces: [String] = [], current = "", size = 0
        for character in line {
            let length = String(character).utf8.count
            let limit = pieces.isEmpty ? 75 : 74
            if size + length > limit {
                pieces.append(current)
                current = ""
                size = 0
            }
            current.append(character)
            size += length
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }

    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.gmt
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(p.year, 4))\(pad(p.month, 2))\(pad(p.day, 2))T\(pad(p.hour, 2))\(pad(p.minute, 2))\(pad(p.second, 2))Z"
    }
}
