import Foundation

/// One line of a hospital's patient index (its "identitovigilance" export): who the patient
/// is, under the hospital's own id (IPP), and the departments that already follow them.
public struct PatientIndexRow: Hashable, Sendable {
    public var ipp: String
    public var ins: String?
    public var firstName: String
    public var lastName: String
    public var birthDate: LocalDate
    public var email: String?
    public var phone: String?
    public var knownIn: [UUID]

    public init(ipp: String, ins: String?, firstName: String, lastName: String, birthDate: LocalDate, email: String?, phone: String?, knownIn: [UUID]) {
        self.ipp = ipp
        self.ins = ins
        self.firstName = firstName
        self.lastName = lastName
        self.birthDate = birthDate
        self.email = email
        self.phone = phone
        self.knownIn = knownIn
    }
}

/// What a merge moved from the duplicate to the record kept.
public struct PatientMergeResult: Hashable, Sendable {
    public var appointments: Int
    public var departmentsKnown: Int
    public var accounts: Int

    public init(appointments: Int, departmentsKnown: Int, accounts: Int) {
        self.appointments = appointments
        self.departmentsKnown = departmentsKnown
        self.accounts = accounts
    }
}

/// What an import batch did.
public struct PatientIndexCounts: Hashable, Sendable {
    public var created = 0
    public var updated = 0
    public var knownLinks = 0

    public init(created: Int = 0, updated: Int = 0, knownLinks: Int = 0) {
        self.created = created
        self.updated = updated
        self.knownLinks = knownLinks
    }

    public static func + (a: PatientIndexCounts, b: PatientIndexCounts) -> PatientIndexCounts {
        PatientIndexCounts(created: a.created + b.created, updated: a.updated + b.updated, knownLinks: a.knownLinks + b.knownLinks)
    }
}

/// The hospital-wide patient index: duplicates, merges, "known to the department", imports.
public protocol PatientIndexRepository: Sendable {
    /// Groups of two or more live records with the same folded name and birth date, oldest record first.
    func likelyDuplicates(limit: Int) async throws -> [[Patient]]
    /// Moves the duplicate's appointments, departments and account links to `keep` and marks the
    /// duplicate merged, with `audit`, in one transaction. `notFound` for an unknown or merged record.
    func merge(_ duplicate: UUID, into keep: UUID, at: Date, audit: AccessAuditEntry) async throws -> PatientMergeResult
    /// Records that the patient is known to the department; false when it already was.
    func markKnown(_ known: KnownPatient) async throws -> Bool
    /// Creates or updates one batch of index rows (by IPP, else INS, else an unindexed record with the
    /// same identity and contact) and their departments, in one transaction.
    func importIndex(_ rows: [PatientIndexRow], at: Date) async throws -> PatientIndexCounts
}

/// Two records that each hold their own account cannot become one: the patient must say which
/// account they keep (the other is closed first).
public enum PatientMergeRefused: Error, Hashable, Sendable {
    case bothHoldAccounts
}
