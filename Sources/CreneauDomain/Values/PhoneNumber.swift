import Foundation

/// A telephone number in E.164 form ("+33612345678"), as SMS gateways take it.
///
/// French habits are read as such: "06 12 34 56 78", "06.12.34.56.78", "+33 (0)6 12 34 56 78" and
/// "0033 6 12 34 56 78" are one number. Other countries must be written with their "+" code.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// "+" and 8 to 15 digits.
    public let e164: String

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 30,
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || " .-()/+".contains($0)) }),
              !trimmed.dropFirst().contains("+") else { return nil }
        var digits = trimmed.filter(\.isNumber)
        if trimmed.hasPrefix("+") {
            // "+33 (0)6…": the national trunk zero written in brackets is not dialled.
            if digits.hasPrefix("330") { digits = "33" + digits.dropFirst(3) }
        } else if digits.hasPrefix("00") {
            digits = String(digits.dropFirst(2))
            if digits.hasPrefix("330") { digits = "33" + digits.dropFirst(3) }
        } else if digits.hasPrefix("0") && digits.count == 10 {
            digits = "33" + digits.dropFirst()
        } else {
            return nil
        }
        guard (8...15).contains(digits.count), !digits.hasPrefix("0") else { return nil }
        // A French number has nine digits after +33.
        if digits.hasPrefix("33") && digits.count != 11 { return nil }
        e164 = "+" + digits
    }

    /// Whether an SMS can reach it: French mobiles start +336 or +337 (landlines, 01–05 and 09,
    /// cannot receive one); a foreign number is taken as given.
    public var receivesSMS: Bool {
        guard e164.hasPrefix("+33") else { return true }
        return e164.hasPrefix("+336") || e164.hasPrefix("+337")
    }

    public var description: String { e164 }
}
