import Foundation

/// RFC 4180 records from a stream of bytes, fed in chunks of any size, so that a million-line
/// file is read in constant memory. Fields are separated by `separator` (French spreadsheets
/// write `;`), may be quoted (`"a ""quoted"" word"`, line breaks inside quotes), and records end
/// with LF or CRLF. Every record says the line it started on, so a bad one can be named.
public struct CSVParser: Sendable {
    public struct Record: Hashable, Sendable {
        public var line: Int
        public var fields: [String]
        /// Why the record cannot be read (too long, bad UTF-8, a stray quote); its fields are then empty.
        public var problem: String?

        public init(line: Int, fields: [String], problem: String?) {
            self.line = line
            self.fields = fields
            self.problem = problem
        }
    }

    public let separator: UInt8
    /// Whether a quoted field may hold line breaks (RFC 4180). Files whose fields never do (an
    /// index of names and dates) turn it off, so that one stray quote spoils its line only,
    /// not every line after it.
    public let lineBreaksInQuotes: Bool
    /// A field longer than this, or a record with more fields, is refused (not kept in memory).
    public static let maximumFieldBytes = 10_000
    public static let maximumFields = 200

    private var fields: [String] = []
    private var field: [UInt8] = []
    private var quoted = false
    private var quoteSeen = false
    private var atFieldStart = true
    private var problem: String?
    private var line = 1
    private var recordLine = 1
    private var pendingCR = false

    public init(separator: Character = ",", lineBreaksInQuotes: Bool = true) {
        self.separator = separator.asciiValue ?? UInt8(ascii: ",")
        self.lineBreaksInQuotes = lineBreaksInQuotes
    }

    /// The separator a header line uses: `;` when it has more of them than commas.
    public static func separator(ofHeader header: String) -> Character {
        header.filter { $0 == ";" }.count > header.filter { $0 == "," }.count ? ";" : ","
    }

    /// The records completed by `bytes`.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Record] {
        var done: [Record] = []
        for byte in bytes { consume(byte, into: &done) }
        return done
    }

    /// The last record, when the data does not end with a line break.
    public mutating func finish() -> [Record] {
        var done: [Record] = []
        if quoted && !quoteSeen && problem == nil { problem = "a quoted field is not closed" }
        if !atFieldStart || !fields.isEmpty || quoted { endRecord(into: &done) }
        return done
    }

    private mutating func consume(_ byte: UInt8, into done: inout [Record]) {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        if pendingCR {
            pendingCR = false
            if byte == lf { return }
        }
        if quoted {
            if quoteSeen {
                quoteSeen = false
                if byte == quote { append(quote); return }
                quoted = false  // the closing quote; this byte is read as outside quotes below
            } else if byte == quote {
                quoteSeen = true
                return
            } else if (byte == lf || byte == cr) && !lineBreaksInQuotes {
                if problem == nil { problem = "a quote is not closed on its line" }
                quoted = false  // the line break ends the record below
            } else {
                if byte == lf { line += 1 }
                append(byte)
                return
            }
        }
        switch byte {
        case quote where atFieldStart:
            quoted = true
            atFieldStart = false
        case quote:
            if problem == nil { problem = "a quote inside an unquoted field" }
        case separator:
            endField()
        case lf, cr:
            endRecord(into: &done)
            line += 1
            recordLine = line
            pendingCR = byte == cr
        default:
            atFieldStart = false
            append(byte)
        }
    }

    private mutating func append(_ byte: UInt8) {
        guard field.count < Self.maximumFieldBytes else {
            if problem == nil { problem = "a field is longer than \(Self.maximumFieldBytes) bytes" }
            return
        }
        field.append(byte)
    }

    private mutating func endField() {
        if fields.count >= Self.maximumFields {
            if problem == nil { problem = "more than \(Self.maximumFields) fields" }
        } else if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else if problem == nil {
            problem = "the text is not UTF-8 (save the file as UTF-8)"
        }
        field.removeAll(keepingCapacity: true)
        atFieldStart = true
        quoted = false
        quoteSeen = false
    }

    private mutating func endRecord(into done: inout [Record]) {
        if quoteSeen { quoted = false }
        endField()
        // A blank line is no record.
        if !(fields.count == 1 && fields[0].isEmpty && problem == nil) {
            done.append(Record(line: recordLine, fields: problem == nil ? fields : [], problem: problem))
        }
        fields.removeAll(keepingCapacity: true)
        problem = nil
    }
}
