/// Turns a line's bytes into text when the file's encoding is not declared: UTF-8 when the
/// bytes are valid UTF-8, Windows-1252 otherwise. Deciding per line keeps memory constant
/// (nothing is read ahead) and reads a file whose lines were written by two tools correctly;
/// in Windows-1252 French accented letters are single bytes that are never valid UTF-8, so
/// the two cannot be confused on real text.
public struct LineDecoder: Sendable {
    /// Lines read as Windows-1252 so far.
    public private(set) var windows1252Lines = 0
    public private(set) var lines = 0

    public init() {}

    /// "UTF-8", "Windows-1252", or both with the count of each, for the report.
    public var encodingSummary: String {
        switch windows1252Lines {
        case 0: return "UTF-8"
        case lines: return "Windows-1252"
        default: return "UTF-8 (\(windows1252Lines) lines in Windows-1252)"
        }
    }

    public mutating func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        lines += 1
        // A UTF-8 byte order mark opens some files; it is not text.
        let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        if let text = String(validating: content, as: UTF8.self) { return text }
        windows1252Lines += 1
        return Self.windows1252(content)
    }

    /// Windows-1252: Latin-1 but for 0x80–0x9F, where it has typographic characters (’ “ ” € œ…).
    public static func windows1252<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if byte < 0x80 || byte >= 0xA0 {
                scalars.append(Unicode.Scalar(byte))
            } else {
                scalars.append(Unicode.Scalar(high[Int(byte - 0x80)]) ?? "\u{FFFD}")
            }
        }
        return String(scalars)
    }

    /// 0x80…0x9F; the five bytes Windows-1252 leaves undefined read as U+FFFD.
    public static let high: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]
}
