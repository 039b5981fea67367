import CreneauDomain
import Foundation

/// A Slot's id: the practitioner, the motive and the start, so that the id alone is enough to
/// book it (`POST /fhir/Appointment` naming `Slot/{id}`) and no slot table has to exist.
///
/// A FHIR id is at most 64 characters of `[A-Za-z0-9-.]`: two UUIDs in hexadecimal already
/// take 64. Each UUID is written in 22 characters of that 64-letter alphabet (6 bits each, the
/// last 4 padding bits zero), then the start in UTC as `yyyyMMddHHmm`:
/// `{practitioner}-{motive}-{start}`, 58 characters. Fixed positions, so `-` inside a UUID's
/// letters is no separator problem; decoding refuses every other text (one spelling per slot).
struct FHIRSlotID: Hashable, Sendable {
    var practitionerID: UUID
    var motiveID: UUID
    var start: Date

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-.".utf8)
    static let values: [UInt8: UInt8] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($0.element, UInt8($0.offset)) })
    static let length = 22 + 1 + 22 + 1 + 12

    var text: String {
        Self.encode(practitionerID) + "-" + Self.encode(motiveID) + "-" + Self.minute(start)
    }

    init(practitionerID: UUID, motiveID: UUID, start: Date) {
        self.practitionerID = practitionerID
        self.motiveID = motiveID
        self.start = start
    }

    /// nil for anything that is not exactly such an id.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == Self.length, bytes[22] == UInt8(ascii: "-"), bytes[45] == UInt8(ascii: "-"),
              let practitioner = Self.decode(bytes[0..<22]), let motive = Self.decode(bytes[23..<45]),
              let start = Self.minute(bytes[46...]) else { return nil }
        self.init(practitionerID: practitioner, motiveID: motive, start: start)
    }

    static func encode(_ id: UUID) -> String {
        let u = id.uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        var out: [UInt8] = []
        out.reserveCapacity(22)
        var buffer: UInt32 = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 63)])
            }
        }
        // 128 bits = 21 letters and 2 bits left: the 22nd letter carries them, padded with zeros.
        out.append(alphabet[Int((buffer << UInt32(6 - bits)) & 63)])
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ letters: ArraySlice<UInt8>) -> UUID? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var buffer: UInt32 = 0, bits = 0
        for letter in letters {
            guard let value = values[letter] else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> UInt32(bits)) & 255))
            }
        }
        // 22 letters = 132 bits: 16 bytes and 4 padding bits, which must be zero.
        guard bytes.count == 16, bits == 4, buffer & 15 == 0 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()

    static func minute(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + pad(c.hour, 2) + pad(c.minute, 2)
    }

    /// `yyyyMMddHHmm` in UTC, years 2000 to 2199, a real day and time; else nil.
    static func minute(_ digits: ArraySlice<UInt8>) -> Date? {
        guard digits.count == 12, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let numbers = digits.map { Int($0 - 48) }
        func number(_ from: Int, _ count: Int) -> Int { numbers[from..<(from + count)].reduce(0) { $0 * 10 + $1 } }
        let year = number(0, 4), month = number(4, 2), day = number(6, 2), hour = number(8, 2), minute = number(10, 2)
        guard (2000...2199).contains(year), let date = LocalDate(year: year, month: month, day: day), hour < 24, minute < 60 else { return nil }
        return date.instant(atMinute: hour * 60 + minute, in: FHIRMapping.utc)
    }
}
