import Foundation

/// A doctor, midwife, physiotherapist… who can work in several departments and sites.
public struct Practitioner: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var title: String
    public var firstName: String
    public var lastName: String
    /// Profession as the RPPS names it (Médecin, Sage-femme, Masseur-kinésithérapeute…).
    public var profession: String
    /// Specialty code, the same vocabulary as `Department.specialty`.
    public var specialty: String
    /// National identifier (RPPS), when known.
    public var rpps: String?
    public var languages: [String]
    public var skills: String
    /// Out of service (left, retired): no longer offered; history and booked appointments stay.
    public var isActive: Bool = true

    public init(
        id: UUID, title: String = "", firstName: String, lastName: String, profession: String, specialty: String,
        rpps: String? = nil, languages: [String] = ["fr"], skills: String = ""
    ) {
        self.id = id
        self.title = title
        self.firstName = firstName
        self.lastName = lastName
        self.profession = profession
        self.specialty = specialty
        self.rpps = rpps
        self.languages = languages
        self.skills = skills
    }

    public var displayName: String {
        [title, firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// What name searches match against, accent- and case-folded.
    public var searchName: String { SearchText.fold("\(firstName) \(lastName)") }
}

/// A practitioner works in a department.
public struct Membership: Hashable, Codable, Sendable {
    public var practitionerID: UUID
    public var departmentID: UUID

    public init(practitionerID: UUID, departmentID: UUID) {
        self.practitionerID = practitionerID
        self.departmentID = departmentID
    }
}

/// A room or a piece of equipment that is booked too (ultrasound room, MRI).
public struct Resource: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var siteID: UUID
    public var departmentID: UUID?
    public var kind: ResourceKind
    public var name: String
    /// How many patients it takes at once (group sessions); 1 for most.
    public var capacity: Int
    /// Out of service: nothing needing it is offered; its history and bookings stay.
    public var isActive: Bool = true

    public init(id: UUID, siteID: UUID, departmentID: UUID?, kind: ResourceKind, name: String, capacity: Int = 1) {
        self.id = id
        self.siteID = siteID
        self.departmentID = departmentID
        self.kind = kind
        self.name = name
        self.capacity = capacity
    }
}
