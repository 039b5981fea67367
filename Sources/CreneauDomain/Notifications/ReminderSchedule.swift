import Foundation

/// When reminders go out before a visit: each point is a channel and a number of days before
/// ("email 7 days before, SMS 2 days before, email the day before" is the default). A site
/// sets its own, a motive may set another (or none: "off"). Written as text in the settings
/// and the database: `email:7 sms:2 email:1`, or `off`.
public struct ReminderSchedule: Hashable, Sendable, CustomStringConvertible {
    public struct Point: Hashable, Sendable, Comparable {
        public var channel: MessageChannel
        public var daysBefore: Int

        public init(_ channel: MessageChannel, daysBefore: Int) {
            self.channel = channel
            self.daysBefore = daysBefore
        }

        public static func < (a: Point, b: Point) -> Bool { (b.daysBefore, a.channel.rawValue) < (a.daysBefore, b.channel.rawValue) }
    }

    public var points: [Point]

    public init(_ points: [Point]) { self.points = Array(Set(points)).sorted() }

    public static let standard = ReminderSchedule([.init(.email, daysBefore: 7), .init(.sms, daysBefore: 2), .init(.email, daysBefore: 1)])
    public static let off = ReminderSchedule([])
    /// Local time at which reminders of a day go out: not at night, not at dawn.
    public static let sendMinute = 10 * 60
    /// The furthest a reminder may be planned before a visit.
    public static let maximumDays = 30

    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case unreadable(String)
        case days(String)
        public var description: String {
            switch self {
            case .unreadable(let part): "“\(part)” is not a reminder: write a channel and a number of days, such as “email:7 sms:2 email:1”, or “off”."
            case .days(let part): "“\(part)”: a reminder goes 1 to \(ReminderSchedule.maximumDays) days before the visit."
            }
        }
    }

    /// Parses `email:7 sms:2`, commas or spaces between points; `off` (or nothing) is no reminder.
    public init(parsing text: String) throws(Problem) {
        let parts = text.lowercased().split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        if parts.isEmpty || parts == ["off"] {
            self = .off
            return
        }
        var points: [Point] = []
        for part in parts.prefix(20) {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, let channel = MessageChannel(rawValue: String(pieces[0])), pieces[1].count <= 3, let days = Int(pieces[1]) else {
                throw .unreadable(part)
            }
            guard (1...Self.maximumDays).contains(days) else { throw .days(part) }
            points.append(Point(channel, daysBefore: days))
        }
        self.init(points)
    }

    public var description: String {
        points.isEmpty ? "off" : points.map { "\($0.channel.rawValue):\($0.daysBefore)" }.joined(separator: " ")
    }

    /// The motive's schedule when it has one, else the site's, else the standard one.
    public static func effective(motive: ReminderSchedule?, site: ReminderSchedule?) -> ReminderSchedule {
        motive ?? site ?? .standard
    }
}

/// How a message reaches a patient.
public enum MessageChannel: String, CaseIterable, Codable, Hashable, Sendable {
    case email, sms
}

extension ReminderSchedule: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
