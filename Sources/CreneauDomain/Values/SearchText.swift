import Foundation

/// Folding used for every name search: "Bérénice" and "BERENICE" both become
/// "berenice", and "Saint-Étienne" becomes "saint etienne", so that people who
/// type without accents on a phone still find their doctor.
public enum SearchText {
    public static func fold(_ text: String) -> String {
        // French names and towns are ASCII and Latin-1 letters: folded here by table, without
        // Foundation's locale-aware folding (slow: a two-million-line import folds every name).
        // Anything else takes the full path.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let letters: String.UTF8View
            if value < 0x80 {
                let byte = UInt8(value)
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if pendingSpace { bytes.append(0x20) }
                    pendingSpace = false
                    bytes.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    if pendingSpace { bytes.append(0x20) }
                    pendingSpace = false
                    bytes.append(byte + 32)
                default:
                    pendingSpace = !bytes.isEmpty
                }
                continue
            } else if let folded = latin[value] {
                letters = folded.utf8
            } else if separators.contains(value) {
                pendingSpace = !bytes.isEmpty
                continue
            } else {
                return foldFully(text)
            }
            if pendingSpace { bytes.append(0x20) }
            pendingSpace = false
            bytes.append(contentsOf: letters)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func foldFully(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "fr_FR"))
            .replacingOccurrences(of: "œ", with: "oe")
            .replacingOccurrences(of: "æ", with: "ae")
        let spaced = folded.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(spaced).split(separator: " ").joined(separator: " ")
    }

    /// Latin-1 letters (and œ, æ, ÿ's capital) as the full folding gives them.
    static let latin: [UInt32: String] = {
        var table: [UInt32: String] = [:]
        let groups: [(String, String)] = [
            ("ÀÁÂÃÄÅàáâãäå", "a"), ("Çç", "c"), ("ÈÉÊËèéêë", "e"), ("ÌÍÎÏìíîï", "i"), ("Ññ", "n"), ("ÒÓÔÕÖòóôõö", "o"),
            ("ÙÚÛÜùúûü", "u"), ("ÝýÿŸ", "y"), ("Œœ", "oe"), ("Ææ", "ae"),
        ]
        for (letters, folded) in groups {
            for scalar in letters.unicodeScalars { table[scalar.value] = folded }
        }
        return table
    }()

    /// Punctuation met in names and addresses that is not a letter: no-break space, typographic
    /// quotes and apostrophes, dashes, guillemets, the degree sign.
    static let separators: Set<UInt32> = [0xA0, 0xAB, 0xBB, 0xB0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2013, 0x2014, 0x2026, 0x202F]
}
