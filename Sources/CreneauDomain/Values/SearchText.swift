import Foundation

/// Folding used for every name search: "Bérénice" and "BERENICE" both become
/// "berenice", and "Saint-Étienne" becomes "saint etienne", so that people who
/// type without accents on a phone still find their doctor.
public enum SearchText {
    public static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "fr_FR"))
            .replacingOccurrences(of: "œ", with: "oe")
            .replacingOccurrences(of: "æ", with: "ae")
        let spaced = folded.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(spaced).split(separator: " ").joined(separator: " ")
    }
}
