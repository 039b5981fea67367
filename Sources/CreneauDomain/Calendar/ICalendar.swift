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
/// UTF-8 character, TEXT values escaped, times in UTC — or, for a subscribed feed read by people
/// in one zone, local times with `TZID` and the zone's `VTIMEZONE` (its offsets and every change
/// of offset over the events' span).
public enum ICalendar {
    /// RFC 5546: PUBLISH a file to import; REQUEST (add or update) and CANCEL in a message.
    public enum Method: String, Sendable { case publish = "PUBLISH", request = "REQUEST", cancel = "CANCEL" }

    public static func document(_ events: [CalendarEvent], method: Method = .publish, productID: String = "-//Creneau//Rendez-vous//FR",
                                timeZone: TimeZone? = nil) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(escape(productID))", "CALSCALE:GREGORIAN", "METHOD:\(method.rawValue)"]
        if let zone = timeZone {
            let start = events.map(\.start).min() ?? Date(), end = events.map(\.end).max() ?? Date()
            lines += vtimezone(zone, from: start, to: end)
        }
        func time(_ name: String, _ date: Date) -> String {
            guard let zone = timeZone else { return "\(name):\(utc(date))" }
            return "\(name);TZID=\(zone.identifier):\(local(date, in: zone))"
        }
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
                time("DTSTART", event.start),
                time("DTEND", event.end),
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

    /// RFC 5545 §3.6.5: the zone's offset at the span's start (a STANDARD or DAYLIGHT observance
    /// from then), and one observance for each change of offset until the span's end, each dated
    /// in the local time it starts from.
    static func vtimezone(_ zone: TimeZone, from start: Date, to end: Date) -> [String] {
        func offset(_ seconds: Int) -> String {
            let sign = seconds < 0 ? "-" : "+", value = abs(seconds)
            let hours = value / 3_600, minutes = value % 3_600 / 60
            return "\(sign)\(hours < 10 ? "0" : "")\(hours)\(minutes < 10 ? "0" : "")\(minutes)"
        }
        func observance(at instant: Date, from before: Int) -> [String] {
            let after = zone.secondsFromGMT(for: instant)
            let kind = zone.isDaylightSavingTime(for: instant) ? "DAYLIGHT" : "STANDARD"
            // The wall clock as it read when the change came (in the offset it changed from).
            var lines = ["BEGIN:\(kind)", "DTSTART:\(local(instant.addingTimeInterval(Double(before)), in: .gmt))",
                         "TZOFFSETFROM:\(offset(before))", "TZOFFSETTO:\(offset(after))"]
            if let name = zone.abbreviation(for: instant), !name.isEmpty, !name.contains(where: \.isNewline) { lines.append("TZNAME:\(escape(name))") }
            return lines + ["END:\(kind)"]
        }
        // From a day before the span, so that the first observance covers every event.
        let first = start.addingTimeInterval(-86_400)
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)"] + observance(at: first, from: zone.secondsFromGMT(for: first))
        var cursor = first, changes = 0
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= end, changes < 100 {
            lines += observance(at: next, from: zone.secondsFromGMT(for: next.addingTimeInterval(-1)))
            cursor = next
            changes += 1
        }
        return lines + ["END:VTIMEZONE"]
    }

    /// "20261207T090000": the wall-clock time in `zone`.
    static func local(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(p.year, 4))\(pad(p.month, 2))\(pad(p.day, 2))T\(pad(p.hour, 2))\(pad(p.minute, 2))\(pad(p.second, 2))"
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
