import CreneauDomain
import Foundation

/// RFC 3339 times with the site's UTC offset ("2026-11-23T09:15:00+01:00"),
/// as the API contract shows them: a person reads the local time, a program
/// the exact instant. Written by hand because it is on the hot path of every
/// availability answer and Foundation's formatter is neither cheap nor Sendable.
enum RFC3339 {
    static func format(_ instant: Date, in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: instant)
        // Clamped like LocalDate's: an instant no input can carry still prints instead of trapping.
        let raw = instant.timeIntervalSince1970
        var seconds = Int((raw.isFinite ? min(max(raw, -1e13), 1e13) : 0).rounded(.down)) + offset
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        seconds -= secondOfDay
        let (year, month, day) = LocalDate.civil(days: seconds / 86_400)
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
        // A year past 9999 has five digits: no padding then (an empty range, never a backwards one).
        if digits.count < width { for _ in digits.count..<width { text.append("0") } }
        text.append(digits)
    }
}

extension RFC3339 {
    /// Parses "2026-11-24T09:15:00+01:00" (or "Z", with optional fractional
    /// seconds). Nil for anything else: an instant without an offset is ambiguous.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45, let day = number(8..<10),
              bytes[10] == 84 || bytes[10] == 116, let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16),
              bytes[16] == 58, let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        guard LocalDateCheck.valid(year: year, month: month, day: day) else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == 90 || bytes[index] == 122 {
            guard index + 1 == bytes.count else { return nil }
        } else if bytes[index] == 43 || bytes[index] == 45 {
            guard index + 6 == bytes.count, let hours = number(index + 1..<index + 3), bytes[index + 3] == 58,
                  let minutes = number(index + 4..<index + 6), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3_600 + minutes * 60) * (bytes[index] == 45 ? -1 : 1)
        } else {
            return nil
        }
        let days = LocalDate.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second - offset))
    }
}

private enum LocalDateCheck {
    static func valid(year: Int, month: Int, day: Int) -> Bool {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
