import Foundation

/// NIST SP 800-63B / OWASP ASVS 2.1 password rules: long enough, not a known
/// common password, no composition rules, no forced rotation.
public enum PasswordPolicy {
    public static let minimumLength = 12
    /// bcrypt reads 72 bytes; a longer limit would suggest strength that is not there.
    public static let maximumBytes = 72

    /// What can be wrong with a password; the raw value is a stable key for translations.
    public enum Problem: String, Sendable {
        case tooShort = "password_too_short"
        case tooLong = "password_too_long"
        case containsEmail = "password_contains_email"
        case common = "password_common"
        case repetitive = "password_repetitive"

        public var message: String {
            switch self {
            case .tooShort: "Choose a password of at least \(PasswordPolicy.minimumLength) characters. A few words strung together are easy to remember and hard to guess."
            case .tooLong: "Choose a password of at most \(PasswordPolicy.maximumBytes) bytes (about \(PasswordPolicy.maximumBytes) letters without accents)."
            case .containsEmail: "Choose a password that does not contain your email address."
            case .common: "This password is among the most common ones and is guessed first. Choose another."
            case .repetitive: "This password repeats the same characters. Choose another."
            }
        }
    }

    /// Why the password is refused, in words a person understands; nil when it is fine.
    public static func problem(with password: String, email: String? = nil) -> String? {
        check(password, email: email)?.message
    }

    public static func check(_ password: String, email: String? = nil) -> Problem? {
        if password.count < minimumLength { return .tooShort }
        if password.utf8.count > maximumBytes { return .tooLong }
        let folded = password.lowercased()
        if let email, let local = email.lowercased().split(separator: "@").first, local.count >= 4, folded.contains(local) { return .containsEmail }
        if CommonPasswords.contains(folded) || CommonPasswords.contains(stripped(folded)) { return .common }
        if Set(folded).count <= 2 { return .repetitive }
        return nil
    }

    /// A common password with digits or punctuation added at the end ("password1234!") is still common.
    static func stripped(_ text: String) -> String {
        var result = Substring(text)
        while let last = result.last, last.isNumber || last.isPunctuation || last.isSymbol || last == " " { result = result.dropLast() }
        while let first = result.first, first.isNumber || first.isPunctuation || first.isSymbol || first == " " { result = result.dropFirst() }
        return result.count >= 6 ? String(result) : text
    }
}

/// The list shipped in `Resources/common-passwords.txt`, loaded once.
enum CommonPasswords {
    static let all: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    }()

    static func contains(_ password: String) -> Bool { all.contains(password) }
    public static var count: Int { all.count }
}

extension PasswordPolicy {
    /// How many common passwords are known (the list must ship with the binary).
    public static var commonPasswordCount: Int { CommonPasswords.all.count }
}
