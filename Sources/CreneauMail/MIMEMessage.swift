import CreneauDomain
import Foundation

/// Renders an `EmailMessage` as an Internet message (RFC 5322 with MIME, RFC 2045–2047):
/// UTF-8 plain text in quoted-printable, non-ASCII headers as encoded words, CRLF line
/// ends, no line over 76 characters. Header values are checked, never trusted: a line
/// break in a subject or an address would let text write its own headers.
public enum MIMEMessage {
    public struct InvalidHeader: Error, Equatable, CustomStringConvertible {
        public let field: String
        public var description: String { "The \(field) of an email contains a line break or is not a plain address." }
    }

    /// A mailbox: "Creneau <no-reply@hopital.fr>" or "no-reply@hopital.fr".
    public struct Mailbox: Sendable, Equatable {
        public var name: String?
        public var address: String

        public init(_ text: String) throws {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
                let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                self.name = name.isEmpty ? nil : name
                address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            } else {
                name = nil
                address = trimmed
            }
            guard Self.isPlainAddress(address), !(name ?? "").contains(where: { $0.isNewline || $0 == "<" || $0 == ">" }) else {
                throw InvalidHeader(field: "address")
            }
        }

        /// ASCII, one "@", no spaces, brackets or control characters: what SMTP's
        /// MAIL FROM and RCPT TO can carry without SMTPUTF8.
        static func isPlainAddress(_ text: String) -> Bool {
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && text.utf8.count <= 254
                && text.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
                    && $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ";")
                    && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "\"") }
        }

        var header: String {
            guard let name else { return address }
            let display = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0 == " " || $0.properties.numericType != nil) }
                ? name : MIMEMessage.encodedWords(name)
            // Fold before the address when the line would pass 78 characters ("From: " included).
            let lastLine = display.components(separatedBy: "\r\n").last ?? display
            return lastLine.count + address.count + 9 > 78 ? "\(display)\r\n <\(address)>" : "\(display) <\(address)>"
        }
    }

    /// The whole message, headers and body, with CRLF line ends (not dot-stuffed: that is SMTP's job).
    public static func render(_ message: EmailMessage, from: Mailbox, date: Date, messageID: String) throws -> String {
        guard !message.subject.contains(where: \.isNewline) else { throw InvalidHeader(field: "subject") }
        let to = try Mailbox(message.to)
        guard !messageID.contains(where: { $0.isNewline || $0 == " " }) else { throw InvalidHeader(field: "message id") }
        var lines = [
            "Date: \(rfc5322Date(date))",
            "From: \(from.header)",
            "To: \(to.header)",
            "Subject: \(subjectHeader(message.subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            // RFC 3834: an automatic message; vacation responders must not answer it.
            "Auto-Submitted: auto-generated",
        ]
        lines += body(message, boundarySeed: messageID)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Plain text alone; or text and HTML as alternatives; and the calendar file attached
    /// (`text/calendar; method=…`, which mail clients offer to add to the calendar).
    static func body(_ message: EmailMessage, boundarySeed: String) -> [String] {
        func textPart(_ type: String, _ content: String) -> [String] {
            ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", quotedPrintable(content)]
        }
        guard message.html != nil || message.calendar != nil else { return textPart("text/plain", message.text) }
        // Boundaries cannot occur in quoted-printable or base64 output ("=_" never starts an encoded line).
        let seed = String(boundarySeed.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.prefix(24))
        var alternative = textPart("text/plain", message.text)
        if let html = message.html {
            let inner = "=_alt_\(seed)"
            alternative = ["Content-Type: multipart/alternative; boundary=\"\(inner)\"", "", "--\(inner)"] + textPart("text/plain", message.text)
                + ["--\(inner)"] + textPart("text/html", html) + ["--\(inner)--"]
        }
        guard let calendar = message.calendar else { return alternative }
        let outer = "=_mix_\(seed)"
        let encoded = Data(calendar.text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return ["Content-Type: multipart/mixed; boundary=\"\(outer)\"", "", "--\(outer)"] + alternative + [
            "--\(outer)",
            "Content-Type: text/calendar; charset=utf-8; method=\(calendar.method.rawValue); name=\"rendez-vous.ics\"",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"rendez-vous.ics\"",
            "",
            encoded,
            "--\(outer)--",
        ]
    }

    static func subjectHeader(_ subject: String) -> String {
        subject.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 32 } && subject.utf8.count <= 66 ? subject : encodedWords(subject)
    }

    /// RFC 2047 "B" encoded words of at most 36 bytes of UTF-8 each (60 characters
    /// encoded), split between characters, folded onto continuation lines: with
    /// "Subject: " before the first, no line passes 78 characters (RFC 5322 §2.1.1).
    static func encodedWords(_ text: String) -> String {
        var words: [String] = [], chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 36 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// RFC 2045 §6.7: printable ASCII stays as is, everything else is "=XX"; spaces at the
    /// end of a line are encoded (transports strip them); soft breaks keep lines ≤ 76.
    static func quotedPrintable(_ text: String) -> String {
        // Byte by byte (the Foundation string calls this replaced were a tenth of a sender's time).
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var line: [UInt8] = []
        func flush() {
            var length = 0
            for (index, byte) in line.enumerated() {
                let isLast = index == line.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                let size = plain ? 1 : 3
                // 75 leaves room for the "=" of a soft break.
                if length + size > 75 {
                    output += [UInt8(ascii: "="), 13, 10]
                    length = 0
                }
                if plain { output.append(byte) } else { output += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]] }
                length += size
            }
            line.removeAll(keepingCapacity: true)
        }
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 10 && previous == 13 {
                previous = byte
                continue
            }
            if byte == 10 || byte == 13 {
                flush()
                output += [13, 10]
            } else {
                line.append(byte)
            }
            previous = byte
        }
        flush()
        return String(decoding: output, as: UTF8.self)
    }

    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(parts.day ?? 1) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
