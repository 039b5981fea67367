import CreneauDomain
import Foundation
import NIOCore

/// The availability answer written by hand, byte for byte as `JSON.encode` writes it (sorted
/// keys, slashes unescaped; `AvailabilityJSONTests` compares the two): the generic encoder was
/// a tenth of a busy server's time, for a document of one shape made of ids, times and numbers.
extension AvailabilityJSON {
    func written() -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(160 + slots.count * 64)
        out.writeStaticString("{\"channel\":")
        Self.write(string: channel.rawValue, to: &out)
        out.writeStaticString(",\"days\":")
        out.writeString(String(days))
        out.writeStaticString(",\"from\":")
        Self.write(string: from, to: &out)
        out.writeStaticString(",\"motive\":")
        Self.write(string: motive, to: &out)
        out.writeStaticString(",\"practitioner\":")
        Self.write(string: practitioner, to: &out)
        out.writeStaticString(",\"slots\":[")
        for (index, slot) in slots.enumerated() {
            if index > 0 { out.writeStaticString(",") }
            out.writeStaticString("{\"end\":")
            Self.write(string: slot.end, to: &out)
            if let seats = slot.seatsLeft {
                out.writeStaticString(",\"seatsLeft\":")
                out.writeString(String(seats))
            }
            out.writeStaticString(",\"start\":")
            Self.write(string: slot.start, to: &out)
            out.writeStaticString("}")
        }
        out.writeStaticString("],\"timeZone\":")
        Self.write(string: timeZone, to: &out)
        out.writeStaticString("}")
        return out
    }

    /// A JSON string as Foundation's encoder writes it: `"` and `\` escaped, control characters
    /// as their short escapes or `\u00XX`, everything else (slashes, non-ASCII) as it is.
    static func write(string: String, to out: inout ByteBuffer) {
        out.writeStaticString("\"")
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): out.writeStaticString("\\\\")
            case 0x0A: out.writeStaticString("\\n")
            case 0x0D: out.writeStaticString("\\r")
            case 0x09: out.writeStaticString("\\t")
            case 0x08: out.writeStaticString("\\b")
            case 0x0C: out.writeStaticString("\\f")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.writeStaticString("\\u00")
                out.writeInteger(hex[Int(byte >> 4)])
                out.writeInteger(hex[Int(byte & 0x0F)])
            default: out.writeInteger(byte)
            }
        }
        out.writeStaticString("\"")
    }
}
