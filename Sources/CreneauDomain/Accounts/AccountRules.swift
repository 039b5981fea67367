import Foundation

/// Why an account request is refused, in words a person understands.
public struct AccountProblem: Error, Hashable, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case invalidEmail = "invalid_email"
        case weakPassword = "weak_password"
        case invalidPatient = "invalid_patient"
        case tooYoung = "too_young_for_account"
        case tooManyRelatives = "too_many_relatives"
        case invalidRelationship = "invalid_relationship"
        /// Message preferences that would leave no way to reach the patient.
        case messageChannel = "message_channel"
        /// The password asked again (closing an account) is not the account's.
        case wrongPassword = "wrong_password"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// What a patient's own account and its relatives must look like.
public enum AccountRules {
    /// Under 15, a child is booked for from a parent's account (French practice for
    /// minors' health services); they cannot hold one of their own.
    public static let minimumAge = 15
    /// A family, an elderly parent or two; more looks like an agency booking for others.
    public static let maximumRelatives = 10

    /// A new account: its email, password and the holder's own details.
    public static func checkSignUp(email: String, password: String, holder: PatientDetails, today: LocalDate) -> AccountProblem? {
        guard PatientRules.isPlausibleEmail(email) else {
            return AccountProblem(.invalidEmail, "The email address does not look right: it should be like name@example.fr.")
        }
        if let problem = PasswordPolicy.problem(with: password, email: email) { return AccountProblem(.weakPassword, problem) }
        if let violation = PatientRules.check(holder, today: today, channel: .phone) {
            return AccountProblem(.invalidPatient, violation.message)
        }
        if Patient.age(born: holder.birthDate, on: today) < minimumAge {
            return AccountProblem(.tooYoung, "Under \(minimumAge), a parent or guardian books for you from their own account, where they can add you as a relative.")
        }
        return nil
    }

    /// A relative added to an account that already manages `managedCount` patients (itself included).
    public static func checkRelative(_ details: PatientDetails, relationship: Relationship, managedCount: Int, today: LocalDate) -> AccountProblem? {
        guard relationship != .self else {
            return AccountProblem(.invalidRelationship, "An account has one holder, made when it was created. Choose child, parent, spouse or other.")
        }
        if let violation = PatientRules.check(details, today: today, channel: .phone) {
            return AccountProblem(.invalidPatient, violation.message)
        }
        if managedCount - 1 >= maximumRelatives {
            return AccountProblem(.tooManyRelatives, "An account can manage at most \(maximumRelatives) relatives. Remove one you no longer book for first.")
        }
        return nil
    }

    /// "j•••@example.org": enough for the holder to recognise the address a code went to.
    public static func masked(email: String) -> String {
        let parts = email.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let first = parts[0].first else { return "•••" }
        return "\(first)•••@\(parts[1])"
    }

    /// A six-digit code, uniformly drawn (leading zeros kept).
    public static func newCode<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let value = Int.random(in: 0..<1_000_000, using: &generator)
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }
}
