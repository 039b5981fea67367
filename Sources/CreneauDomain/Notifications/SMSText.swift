import Foundation

/// What an SMS costs: texts in the GSM 03.38 alphabet (7 bits) take 160 characters in one
/// message and 153 per part beyond; any other character (an emoji, "œ", a curly quote) turns
/// the whole text into UCS-2: 70, then 67 per part. The characters of the extension table
/// ("€", "[", "{"…) count twice.
public enum SMSText {
    public enum Encoding: String, Sendable { case gsm7, ucs2 }

    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public static func encoding(of text: String) -> Encoding {
        text.allSatisfy { basic.contains($0) || extended.contains($0) } ? .gsm7 : .ucs2
    }

    /// Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes.
    public static func units(of text: String) -> Int {
        switch encoding(of: text) {
        case .gsm7: text.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
        case .ucs2: text.utf16.count
        }
    }

    /// How many messages the network bills for the text.
    public static func segments(of text: String) -> Int {
        let units = units(of: text)
        let (single, part) = encoding(of: text) == .gsm7 ? (160, 153) : (70, 67)
        if units == 0 { return 0 }
        return units <= single ? 1 : (units + part - 1) / part
    }

    /// The text with the typographer's characters a French template or a name may bring
    /// (curly quotes, "œ", non-breaking spaces, dashes) written in GSM-7, so that an SMS does not
    /// fall back to UCS-2 and cost two or three times as much.
    public static func gsmFriendly(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "’", "‘", "ʼ": result += "'"
            case "“", "”", "«", "»": result += "\""
            case "\u{00A0}", "\u{202F}": result += " "
            case "–", "—": result += "-"
            case "…": result += "..."
            case "œ": result += "oe"
            case "Œ": result += "OE"
            case "ê", "ë": result += "e"
            case "â": result += "a"
            case "î", "ï": result += "i"
            case "ô": result += "o"
            case "û": result += "u"
            case "ç": result += "c"
            case "È", "Ê", "Ë": result += "E"
            case "À", "Â": result += "A"
            default: result.append(character)
            }
        }
        return result
    }
}
