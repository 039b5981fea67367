import Foundation

/// RFC 3339 times with the site's UTC offset ("2026-11-23T09:15:00+01:00"),
/// as the API contract shows them: a person reads the local time, a program
/// the exact instant. Written by hand because it is on the hot path of every
/// availability answer and Foundation's formatter is neither cheap nor Sendable.
enum RFC3339 {
    static func format(_ instant: Date, in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: instant)
        var seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        seconds -= secondOfDay
        let (year, month, day) = civil(fromDays: seconds / 86_400)
        let absolute = abs(offset)
        // Digits written by hand: String(format:) costs microseconds a call on Linux, many times per answer.
        var text = ""
        text.reserveCapacity(25)
        append(year, width: 4, to: &text)
        text.append("-")
        append(month, width: 2, to: &text)
        text.append("-")
        append(day, width: 2, to: &text)
        text.append("T")
        append(secondOfDay / 3_600, width: 2, to: &text)
        text.append(":")
        append(secondOfDay % 3_600 / 60, width: 2, to: &text)
        text.append(":")
        append(secondOfDay % 60, width: 2, to: &text)
        text.append(offset < 0 ? "-" : "+")
        append(absolute / 3_600, width: 2, to: &text)
        text.append(":")
        append(absolute % 3_600 / 60, width: 2, to: &text)
        return text
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        for _ in digits.count..<width { text.append("0") }
        text.append(digits)
    }

    /// Days since 1970-01-01 to a Gregorian date (H. Hinnant's civil_from_days).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
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
}
