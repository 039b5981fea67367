import Foundation

/// A refusal about an account or its relatives, mapped to HTTP in one place.
public enum AccountError: Error, Hashable, Sendable {
    /// 422: the request breaks a rule; the problem says which, in words a person reads.
    case refused(AccountProblem)
    /// 404: not in this account (whether it exists elsewhere is not said).
    case notFound(String)
    /// 409: not now, because of the state of things.
    case conflict(code: String, message: String)
}

/// The people an account books for: its holder and their relatives (children, an
/// elderly parent). Removing a relative ends the account's access to them; the
/// patient and their appointment history stay with the hospital.
public struct Relatives: Sendable {
    let patients: any PatientRepository
    let appointments: any AppointmentRepository
    let clock: Clock
    let ids: IDGenerator
    let timeZone: TimeZone

    public init(patients: any PatientRepository, appointments: any AppointmentRepository, clock: Clock, ids: IDGenerator,
                timeZone: TimeZone = Site.defaultZone) {
        self.patients = patients
        self.appointments = appointments
        self.clock = clock
        self.ids = ids
        self.timeZone = timeZone
    }

    public struct Entry: Hashable, Sendable {
        public var patient: Patient
        public var relationship: Relationship
    }

    static let notInAccount = "No relative with this id is in your account."

    /// The holder first, then relatives by first name.
    public func list(accountID: UUID) async throws -> [Entry] {
        var entries: [Entry] = []
        for link in try await patients.managedPatients(accountID: accountID) {
            if let patient = try await patients.patient(id: link.patientID) { entries.append(Entry(patient: patient, relationship: link.relationship)) }
        }
        return entries.sorted { ($0.relationship == .self ? 0 : 1, $0.patient.firstName, $0.patient.id.uuidString) < ($1.relationship == .self ? 0 : 1, $1.patient.firstName, $1.patient.id.uuidString) }
    }

    public func add(_ details: PatientDetails, relationship: Relationship, accountID: UUID) async throws -> Entry {
        let now = clock.now()
        let managed = try await patients.managedPatients(accountID: accountID)
        if let problem = AccountRules.checkRelative(details, relationship: relationship, managedCount: managed.count, today: LocalDate(now, in: timeZone)) {
            throw AccountError.refused(problem)
        }
        let patient = Patient(
            id: ids.next(), firstName: details.firstName.trimmed, lastName: details.lastName.trimmed, birthDate: details.birthDate,
            email: details.email?.trimmed.nilIfEmpty?.lowercased(), phone: details.phone?.trimmed.nilIfEmpty, createdAt: now)
        try await patients.insertManaged(patient, ManagedPatient(accountID: accountID, patientID: patient.id, relationship: relationship))
        return Entry(patient: patient, relationship: relationship)
    }

    /// Refused for the holder, and while the relative has appointments to come (cancel
    /// them first: an appointment nobody can manage would turn into a no-show).
    public func remove(patientID: UUID, accountID: UUID) async throws {
        let now = clock.now()
        guard let link = try await patients.managedPatients(accountID: accountID).first(where: { $0.patientID == patientID }) else {
            throw AccountError.notFound(Self.notInAccount)
        }
        guard link.relationship != .self else {
            throw AccountError.conflict(code: "account_holder", message: "The account holder cannot be removed from their own account.")
        }
        let upcoming = try await appointments.appointments(patientID: patientID).filter { $0.status == .booked && $0.endsAt > now }
        guard upcoming.isEmpty else {
            throw AccountError.conflict(
                code: "upcoming_appointments",
                message: "This relative has \(upcoming.count) appointment(s) to come. Cancel them, or keep the relative until they are past.")
        }
        do {
            try await patients.unlink(accountID: accountID, patientID: patientID, at: now)
        } catch RepositoryError.notFound {
            throw AccountError.notFound(Self.notInAccount)
        }
    }

    /// Every appointment of the account's patients, each list by start time (newest last).
    public func appointments(accountID: UUID) async throws -> [(entry: Entry, appointments: [Appointment])] {
        var result: [(Entry, [Appointment])] = []
        for entry in try await list(accountID: accountID) {
            result.append((entry, try await appointments.appointments(patientID: entry.patient.id).sorted { $0.startsAt < $1.startsAt }))
        }
        return result
    }
}

extension Relatives {
    /// How a person of the account is told about their appointments: email, SMS (at least one,
    /// when they have that address), the language. Choosing SMS again after a STOP resumes it.
    public func setMessagePreferences(patientID: UUID, accountID: UUID, email: Bool, sms: Bool, language: Language) async throws {
        guard try await patients.managedPatients(accountID: accountID).contains(where: { $0.patientID == patientID }),
              var patient = try await patients.patient(id: patientID) else {
            throw AccountError.notFound(Self.notInAccount)
        }
        let hasEmail = patient.email?.trimmed.isEmpty == false, hasMobile = patient.phone.flatMap(PhoneNumber.init)?.receivesSMS == true
        guard (email && hasEmail) || (sms && hasMobile) || (!hasEmail && !hasMobile) else {
            throw AccountError.refused(AccountProblem(.messageChannel,
                "Keep at least one way to reach you: the confirmation, reminders and the hospital's changes come by email or SMS."))
        }
        patient.wantsEmail = email
        patient.wantsSMS = sms
        if sms { patient.smsStoppedAt = nil }
        patient.language = language
        try await patients.update(patient)
    }
}
