import Foundation

/// A patient's copy of what Creneau holds about their account and the people in it (GDPR articles
/// 15 and 20: access and portability), as JSON from the account: the account, each person (identity,
/// contact, relationship), their appointments with where and with whom, the reason they typed and a
/// cancellation's reason, their waiting-list entries, the messages sent about their visits (when, how,
/// which kind — not their text again), their survey answers. Staff notes belong to the hospital's
/// record: the export says so, and how to ask for them. Each export is audited.
public struct PatientDataExport: Sendable {
    public struct Dependencies: Sendable {
        public var accounts: any AccountRepository
        public var patients: any PatientRepository
        public var appointments: any AppointmentRepository
        public var organisation: any OrganisationRepository
        public var practitioners: any PractitionerRepository
        public var motives: any SchedulingRepository
        public var waitlist: (any WaitlistRepository)?
        public var outbox: (any OutboxRepository)?
        public var surveys: (any SurveyRepository)?
        public var audit: any AuditRepository
        public var clock: Clock
        public var ids: IDGenerator

        public init(accounts: any AccountRepository, patients: any PatientRepository, appointments: any AppointmentRepository,
                    organisation: any OrganisationRepository, practitioners: any PractitionerRepository, motives: any SchedulingRepository,
                    waitlist: (any WaitlistRepository)?, outbox: (any OutboxRepository)?, surveys: (any SurveyRepository)?,
                    audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
            self.accounts = accounts
            self.patients = patients
            self.appointments = appointments
            self.organisation = organisation
            self.practitioners = practitioners
            self.motives = motives
            self.waitlist = waitlist
            self.outbox = outbox
            self.surveys = surveys
            self.audit = audit
            self.clock = clock
            self.ids = ids
        }
    }

    let deps: Dependencies

    public init(_ dependencies: Dependencies) { self.deps = dependencies }

    // MARK: The export's shape (stable: documented in docs/PATIENT-DATA.md)

    public struct Export: Codable, Sendable {
        public var format = "creneau-patient-data/1"
        public var generatedAt: Date
        public var account: AccountPart
        public var people: [Person]
        public var notIncluded: String
    }

    public struct AccountPart: Codable, Sendable {
        public var email: String
        public var name: String
        public var language: String
        public var createdAt: Date
        public var emailVerifiedAt: Date?
    }

    public struct Person: Codable, Sendable {
        public var id: UUID
        public var relationship: String
        public var firstName: String
        public var lastName: String
        public var birthDate: String
        public var email: String?
        public var phone: String?
        public var language: String
        public var createdAt: Date
        public var appointments: [Visit]
        public var waitingList: [Waiting]
    }

    public struct Visit: Codable, Sendable {
        public var id: UUID
        public var start: Date
        public var end: Date
        public var status: String
        public var bookedThrough: String
        public var bookedAt: Date
        public var motive: String
        public var practitioner: String
        public var department: String
        public var site: String
        public var reason: String?
        public var cancelledBy: String?
        public var cancellationReason: String?
        public var moves: Int
        public var messages: [Message]
        public var survey: Survey?
    }

    public struct Message: Codable, Sendable {
        public var kind: String
        public var channel: String
        public var state: String
        public var queuedAt: Date
        public var sentAt: Date?
    }

    public struct Survey: Codable, Sendable {
        public var score: Int
        public var comment: String?
        public var answeredAt: Date
    }

    public struct Waiting: Codable, Sendable {
        public var motive: String
        public var department: String
        public var practitioner: String?
        public var firstDay: String
        public var lastDay: String
        public var state: String
        public var joinedAt: Date
        public var offers: Int
    }

    public static let notIncluded = "Staff notes and the hospital's medical record are not part of this copy: ask the hospital's records office (or its data protection officer) for them."

    /// The account's copy of its data; nil for an account that does not exist.
    public func export(accountID: UUID) async throws -> Export? {
        guard let account = try await deps.accounts.account(id: accountID) else { return nil }
        let now = deps.clock.now()
        var names = Names(deps: deps)
        var people: [Person] = []
        let links = try await deps.patients.managedPatients(accountID: accountID).filter { $0.removedAt == nil }
        var allWaiting: [WaitlistItem] = []
        if let waitlist = deps.waitlist, !links.isEmpty {
            allWaiting = try await waitlist.waitlistItems(patientIDs: links.map(\.patientID), limit: 500)
        }
        for link in links {
            guard let patient = try await deps.patients.patient(id: link.patientID) else { continue }
            let visits = try await deps.appointments.appointments(patientID: patient.id).sorted { $0.startsAt < $1.startsAt }
            let ids = visits.map(\.id)
            let messages = try await deps.outbox?.messages(appointmentIDs: ids) ?? [:]
            let answers = Dictionary(try await deps.surveys?.surveyAnswers(appointmentIDs: ids).map { ($0.appointmentID, $0) } ?? [], uniquingKeysWith: { first, _ in first })
            var exported: [Visit] = []
            for visit in visits {
                exported.append(Visit(
                    id: visit.id, start: visit.startsAt, end: visit.endsAt, status: visit.status.rawValue, bookedThrough: visit.channel.rawValue,
                    bookedAt: visit.createdAt, motive: try await names.motive(visit.motiveID), practitioner: try await names.practitioner(visit.practitionerID),
                    department: try await names.department(visit.departmentID), site: try await names.site(ofDepartment: visit.departmentID),
                    reason: visit.reason, cancelledBy: visit.cancelledBy?.rawValue, cancellationReason: visit.cancellationReason, moves: visit.moveCount,
                    messages: (messages[visit.id] ?? []).sorted { $0.createdAt < $1.createdAt }.map {
                        Message(kind: $0.kind.rawValue, channel: $0.channel.rawValue, state: $0.state.rawValue, queuedAt: $0.createdAt, sentAt: $0.sentAt)
                    },
                    survey: answers[visit.id].map { Survey(score: $0.score, comment: $0.comment, answeredAt: $0.answeredAt) }))
            }
            var waiting: [Waiting] = []
            for item in allWaiting where item.entry.patientID == patient.id {
                var practitioner: String?
                if let id = item.entry.practitionerID { practitioner = try await names.practitioner(id) }
                waiting.append(Waiting(
                    motive: try await names.motive(item.entry.motiveID), department: try await names.department(item.entry.departmentID),
                    practitioner: practitioner,
                    firstDay: item.entry.preferences.firstDay.description, lastDay: item.entry.preferences.lastDay.description,
                    state: item.entry.state.rawValue, joinedAt: item.entry.createdAt, offers: item.offers.count))
            }
            people.append(Person(
                id: patient.id, relationship: link.relationship.rawValue, firstName: patient.firstName, lastName: patient.lastName,
                birthDate: patient.birthDate.description, email: patient.email, phone: patient.phone, language: patient.language.rawValue,
                createdAt: patient.createdAt, appointments: exported, waitingList: waiting))
        }
        // The holder first, then the others as they were added.
        people.sort { lhs, rhs in
            let (left, right) = (lhs.relationship == Relationship.`self`.rawValue, rhs.relationship == Relationship.`self`.rawValue)
            if left != right { return left }
            return (lhs.createdAt, lhs.firstName) < (rhs.createdAt, rhs.firstName)
        }
        try await deps.audit.append(AccessAuditEntry(
            id: deps.ids.next(), at: now, actorAccountID: accountID, action: "account:export_data", patientID: nil,
            target: "account:\(accountID.uuidString.lowercased()):people:\(people.count)", outcome: .allowed))
        return Export(
            generatedAt: now,
            account: AccountPart(email: account.email, name: account.displayName, language: account.language.rawValue, createdAt: account.createdAt,
                                 emailVerifiedAt: account.emailVerifiedAt),
            people: people, notIncluded: Self.notIncluded)
    }

    /// Names read once each.
    struct Names {
        let deps: Dependencies
        var cache: [String: String] = [:]

        mutating func cached(_ key: String, _ read: () async throws -> String?) async throws -> String {
            if let known = cache[key] { return known }
            let value = try await read() ?? "—"
            cache[key] = value
            return value
        }
        mutating func motive(_ id: UUID) async throws -> String {
            let deps = self.deps
            return try await cached("m\(id)") { try await deps.motives.motive(id: id)?.name }
        }
        mutating func practitioner(_ id: UUID) async throws -> String {
            let deps = self.deps
            return try await cached("p\(id)") { try await deps.practitioners.practitioner(id: id)?.displayName }
        }
        mutating func department(_ id: UUID) async throws -> String {
            let deps = self.deps
            return try await cached("d\(id)") { try await deps.organisation.department(id: id)?.name }
        }
        mutating func site(ofDepartment id: UUID) async throws -> String {
            let deps = self.deps
            return try await cached("s\(id)") {
                guard let department = try await deps.organisation.department(id: id) else { return nil }
                return try await deps.organisation.site(id: department.siteID)?.name
            }
        }
    }
}
