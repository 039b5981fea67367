import Foundation

/// Folding used for every name search: "Bérénice" and "BERENICE" both become
/// "berenice", and "Saint-Étienne" becomes "saint etienne", so that people who
/// type without accents on a phone still find their doctor.
public enum SearchText {
    public static func fold(_ text: String) -> String {
        // Most names and towns are plain ASCII: folding them is lower-casing, without Foundation's
        // locale-aware (and, for a two-million-line import, slow) folding.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return foldASCII(text) }
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "fr_FR"))
            .replacingOccurrences(of: "œ", with: "oe")
            .replacingOccurrences(of: "æ", with: "ae")
        let spaced = folded.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(spaced).split(separator: " ").joined(separator: " ")
    }

    static func foldASCII(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            let folded: UInt8
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): folded = byte
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): folded = byte + 32
            default:
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace { bytes.append(UInt8(ascii: " ")) }
            pendingSpace = false
            bytes.append(folded)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
