import Foundation

/// What a new patient's details must look like before a record is made.
public enum PatientRules {
    public static let maximumNameLength = 100

    public static func check(_ details: PatientDetails, today: LocalDate, channel: Channel) -> RuleViolation? {
        for (value, field) in [(details.firstName, "first name"), (details.lastName, "last name")] {
            let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { return RuleViolation(.invalidPatient, "The patient's \(field) is missing.") }
            if text.count > maximumNameLength { return RuleViolation(.invalidPatient, "The patient's \(field) is too long.") }
            // A name goes into emails, calendars and agendas: a line break in it could add a header or a line.
            if hasControlCharacters(value) { return RuleViolation(.invalidPatient, "The patient's \(field) contains a line break or another invisible character.") }
        }
        if details.birthDate > today { return RuleViolation(.invalidPatient, "The birth date is in the future.") }
        if details.birthDate < today.adding(days: -130 * 366) { return RuleViolation(.invalidPatient, "The birth date is too far in the past.") }
        let email = details.email?.trimmingCharacters(in: .whitespaces) ?? ""
        let phone = details.phone?.trimmingCharacters(in: .whitespaces) ?? ""
        if !email.isEmpty && !isPlausibleEmail(email) {
            return RuleViolation(.invalidPatient, "The email address does not look right: it should be like name@example.fr.")
        }
        if !phone.isEmpty && !isPlausiblePhone(phone) {
            return RuleViolation(.invalidPatient, "The phone number does not look right: write a French number (06 12 34 56 78) or another country's with its + code (+32 470 12 34 56).")
        }
        // Confirmations, reminders and the cancel link must reach the patient.
        if channel == .online && email.isEmpty && phone.isEmpty {
            return RuleViolation(.invalidPatient, "Give an email address or a mobile number, so that we can send the confirmation and the link to cancel.")
        }
        return nil
    }

    /// Line breaks, tabs, NUL and the other C0/C1 control characters (Unicode category Cc).
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && text.count <= 254 && !text.contains(where: \.isWhitespace) && !hasControlCharacters(text)
    }

    /// A phone number as digits only, French international form turned national
    /// ("+33 6 12 34 56 78" and "06.12.34.56.78" are the same line).
    public static func phoneDigits(_ text: String) -> String {
        var digits = String(text.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
        if digits.hasPrefix("0033") { digits = "0" + digits.dropFirst(4) } else if text.trimmed.hasPrefix("+33") { digits = "0" + digits.dropFirst(2) }
        return digits
    }

    /// A number an SMS gateway or a secretary can dial: French national form, or "+" and a country code.
    static func isPlausiblePhone(_ text: String) -> Bool { PhoneNumber(text) != nil }
}
