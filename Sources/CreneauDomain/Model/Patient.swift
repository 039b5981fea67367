import Foundation

/// A person who receives care. An account manages one or more patients
/// (self, children, an elderly parent); a patient may also exist with no
/// account at all (booked by phone).
public struct Patient: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var firstName: String
    public var lastName: String
    public var birthDate: LocalDate
    public var email: String?
    public var phone: String?
    /// Hospital patient identifier (IPP), when the hospital's index has one.
    public var ipp: String?
    /// The national health identifier (INS, 15 characters: the NIR and its key), when known.
    public var ins: String?
    public var createdAt: Date
    /// The record this one was found to duplicate and merged into; it stays for its history.
    public var mergedInto: UUID?
    /// The language of the messages about their appointments.
    public var language: Language
    /// The channels the patient accepts messages on (both by default; chosen on their account).
    public var wantsEmail: Bool
    public var wantsSMS: Bool
    /// When the patient answered STOP to an SMS: no SMS is sent to them after that.
    public var smsStoppedAt: Date?

    public init(
        id: UUID, firstName: String, lastName: String, birthDate: LocalDate, email: String? = nil, phone: String? = nil, ipp: String? = nil,
        ins: String? = nil, createdAt: Date, mergedInto: UUID? = nil, language: Language = .fr, wantsEmail: Bool = true, wantsSMS: Bool = true,
        smsStoppedAt: Date? = nil
    ) {
        self.language = language
        self.wantsEmail = wantsEmail
        self.wantsSMS = wantsSMS
        self.smsStoppedAt = smsStoppedAt
        self.ins = ins
        self.mergedInto = mergedInto
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.birthDate = birthDate
        self.email = email
        self.phone = phone
        self.ipp = ipp
        self.createdAt = createdAt
    }

    public var displayName: String { "\(firstName) \(lastName)" }

    /// What staff's search matches: "lefevre lea" for Léa Lefèvre.
    public var searchText: String { SearchText.fold("\(firstName) \(lastName)") }

    /// Age in whole years on `day` (a minor under 15 cannot hold an account).
    public func age(on day: LocalDate) -> Int { Self.age(born: birthDate, on: day) }

    public static func age(born birthDate: LocalDate, on day: LocalDate) -> Int {
        var years = day.year - birthDate.year
        if (day.month, day.day) < (birthDate.month, birthDate.day) { years -= 1 }
        return years
    }
}

/// "This account manages this patient." Removing the link keeps the patient
/// and their appointment history.
public struct ManagedPatient: Hashable, Codable, Sendable {
    public var accountID: UUID
    public var patientID: UUID
    public var relationship: Relationship
    /// When the account holder removed this relative; the patient and their history stay.
    public var removedAt: Date?

    public init(accountID: UUID, patientID: UUID, relationship: Relationship, removedAt: Date? = nil) {
        self.accountID = accountID
        self.patientID = patientID
        self.relationship = relationship
        self.removedAt = removedAt
    }
}

/// The hospital's records say the patient is known to the department, which
/// opens follow-up motives to them.
public struct KnownPatient: Hashable, Codable, Sendable {
    public var departmentID: UUID
    public var patientID: UUID
    public var source: KnownPatientSource
    public var since: Date

    public init(departmentID: UUID, patientID: UUID, source: KnownPatientSource, since: Date) {
        self.departmentID = departmentID
        self.patientID = patientID
        self.source = source
        self.since = since
    }
}
