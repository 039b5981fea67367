import Foundation

/// Someone who signs in: a patient account holder or a member of staff.
public struct Account: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    /// Stored lower-cased; unique.
    public var email: String
    public var displayName: String
    /// A bcrypt hash, never the password.
    public var passwordHash: String?
    public var emailVerifiedAt: Date?
    /// Set for practitioners' own accounts.
    public var practitionerID: UUID?
    /// Set for referring doctors' accounts.
    public var referringDoctorID: UUID?
    public var createdAt: Date
    public var disabledAt: Date?
    /// The language of the account's emails.
    public var language: Language

    public init(
        id: UUID, email: String, displayName: String, passwordHash: String? = nil, emailVerifiedAt: Date? = nil,
        practitionerID: UUID? = nil, referringDoctorID: UUID? = nil, createdAt: Date, disabledAt: Date? = nil, language: Language = .fr
    ) {
        self.id = id
        self.email = email.lowercased()
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.emailVerifiedAt = emailVerifiedAt
        self.practitionerID = practitionerID
        self.referringDoctorID = referringDoctorID
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.language = language
    }
}

/// A role held by an account, scoped to a group, a site or a department
/// (a secretary serves given departments; a site admin one site).
public struct RoleGrant: Identifiable, Hashable, Codable, Sendable {
    public enum Scope: Hashable, Codable, Sendable {
        case everywhere
        case group(UUID)
        case site(UUID)
        case department(UUID)
    }

    public var id: UUID
    public var accountID: UUID
    public var role: Role
    public var scope: Scope

    public init(id: UUID, accountID: UUID, role: Role, scope: Scope) {
        self.id = id
        self.accountID = accountID
        self.role = role
        self.scope = scope
    }
}

/// A health professional from the national directory (RPPS) who may refer a
/// new patient, and may book referral slots.
public struct ReferringDoctor: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    /// "Identification nationale PP": the RPPS number prefixed by its type ("810001234567").
    public var nationalID: String
    public var firstName: String
    public var lastName: String
    public var profession: String
    public var specialty: String
    public var city: String
    public var postalCode: String

    public init(id: UUID, nationalID: String, firstName: String, lastName: String, profession: String, specialty: String = "", city: String = "", postalCode: String = "") {
        self.id = id
        self.nationalID = nationalID
        self.firstName = firstName
        self.lastName = lastName
        self.profession = profession
        self.specialty = specialty
        self.city = city
        self.postalCode = postalCode
    }

    /// Matches "dupont pontoise": name and town, folded.
    public var searchText: String { Self.searchText(firstName: firstName, lastName: lastName, city: city, postalCode: postalCode) }

    /// Name, town and postcode folded, and the name run together too, so that "legall" and
    /// "nguyen" find Le Gall and N'Guyen.
    public static func searchText(firstName: String, lastName: String, city: String, postalCode: String) -> String {
        let text = SearchText.fold("\(firstName) \(lastName) \(city) \(postalCode)")
        let joined = key(lastName)
        return joined == SearchText.fold(lastName) ? text : text + " " + joined
    }

    /// The folded last name run together, searched by prefix ("dup" finds Dupont, "legal" Le
    /// Gall); never empty, so that a name made only of punctuation is still marked as keyed.
    public var nameKey: String { Self.key(lastName) }
    /// The same for the first name, searched when no last name matches ("bérénice").
    public var firstNameKey: String { Self.key(firstName) }
    /// Town and postcode run together ("pontoise95300"); an imported doctor's lists every place.
    public var townKey: String { Self.townKey(city: city, postalCode: postalCode) }
    public static func townKey(city: String, postalCode: String) -> String {
        String(SearchText.fold("\(city) \(postalCode)").unicodeScalars.filter { $0 != " " })
    }
    public static func key(_ name: String) -> String {
        let folded = SearchText.fold(name)
        return folded.isEmpty ? "-" : String(folded.unicodeScalars.filter { $0 != " " })
    }
}
