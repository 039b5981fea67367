import Foundation

/// A calendar day with no time and no zone ("2026-03-29"), as hospitals write
/// validity dates, birth dates and public holidays. Stored as ISO 8601 text so
/// that string order is date order on both database engines.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Fails for impossible dates such as 2026-02-30.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected a date as YYYY-MM-DD, got \"\(text)\".")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

// Arithmetic on days is done on whole numbers (days since 1970-01-01), never through a
// force-unwrapped Calendar computation: a date or instant that came from outside, however
// far, gives a day and never traps. Results outside years 1...9999 are clamped to that
// range; the edges (`InputBounds`) refuse such dates long before they get here.
extension LocalDate {
    static let first = LocalDate(checkedYear: 1, month: 1, day: 1)
    static let last = LocalDate(checkedYear: 9999, month: 12, day: 31)
    /// About ±300,000 years in seconds: any `Date` is clamped into this before it becomes
    /// a whole number, so `Int(_:)` cannot trap on a huge or infinite interval.
    static let secondsLimit: Double = 1e13

    private init(checkedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int { Self.days(year: year, month: month, day: day) }

    /// The day `days` after 1970-01-01, clamped to years 1...9999.
    public init(daysSinceEpoch days: Int) {
        let (year, month, day) = Self.civil(days: min(max(days, LocalDate.first.daysSinceEpoch), LocalDate.last.daysSinceEpoch))
        self.init(checkedYear: year, month: month, day: day)
    }

    /// A proleptic Gregorian date to days since 1970-01-01, for any year (H. Hinnant's
    /// days_from_civil); callers keep the inputs small enough not to overflow.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), unclamped (civil_from_days).
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day on which `instant` falls in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        let raw = instant.timeIntervalSince1970
        let seconds = raw.isFinite ? min(max(raw, -Self.secondsLimit), Self.secondsLimit) : 0
        let local = Int(seconds.rounded(.down)) + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
        let days = local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
        self.init(daysSinceEpoch: days)
    }

    /// The day `count` days later (or earlier when negative), clamped to years 1...9999.
    public func adding(days count: Int) -> LocalDate {
        let limit = 4_000_000 // more days than years 1...9999 hold: no overflow, same clamp
        return LocalDate(daysSinceEpoch: daysSinceEpoch + min(max(count, -limit), limit))
    }

    /// Whole days from this day to `other` (negative when `other` is earlier).
    public func days(until other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// ISO weekday: 1 is Monday, 7 is Sunday (as French agendas count). 1970-01-01 was a Thursday.
    public var isoWeekday: Int {
        ((daysSinceEpoch % 7) + 7 + 3) % 7 + 1
    }

    /// The instant at `minute` minutes after local midnight in `timeZone`.
    /// Across a DST change the wall clock is resolved the way people read it:
    /// a minute that does not exist (spring forward) moves forward by the gap.
    public func instant(atMinute minute: Int, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: minute / 60, minute: minute % 60)
        if let resolved = calendar.date(from: components) { return resolved }
        // Foundation answers every valid day; should it not, read the wall clock with the day's offset.
        let utc = Double(daysSinceEpoch) * 86_400 + Double(minute) * 60
        return Date(timeIntervalSince1970: utc - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: utc))))
    }
}
