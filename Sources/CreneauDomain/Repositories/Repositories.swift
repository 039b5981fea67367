import Foundation

// Repository protocols: what the rest of Creneau may ask of storage, in terms
// of domain values. `CreneauStorage` implements them on SQLite and PostgreSQL;
// tests may pass other implementations.
//
// Conventions: `insert` fails with `RepositoryError.duplicate` when the id
// exists, `update` with `.notFound` when it does not; lookups return nil for an
// unknown id rather than throwing, so callers decide what "missing" means.

public protocol OrganisationRepository: Sendable {
    func insert(_ group: HospitalGroup) async throws
    func update(_ group: HospitalGroup) async throws
    func group(id: UUID) async throws -> HospitalGroup?

    func insert(_ site: Site) async throws
    func update(_ site: Site) async throws
    func site(id: UUID) async throws -> Site?
    func sites() async throws -> [Site]

    func insert(_ department: Department) async throws
    func update(_ department: Department) async throws
    func department(id: UUID) async throws -> Department?
    func departments(siteID: UUID) async throws -> [Department]

    func insert(_ holiday: PublicHoliday) async throws
    func holidays(siteID: UUID) async throws -> [PublicHoliday]
}

public protocol PractitionerRepository: Sendable {
    func insert(_ practitioner: Practitioner) async throws
    func update(_ practitioner: Practitioner) async throws
    func practitioner(id: UUID) async throws -> Practitioner?
    func practitionerCount() async throws -> Int

    func insert(_ membership: Membership) async throws
    func memberships(practitionerID: UUID) async throws -> [Membership]

    func insert(_ resource: Resource) async throws
    func update(_ resource: Resource) async throws
    func resource(id: UUID) async throws -> Resource?
}

public protocol SchedulingRepository: Sendable {
    func insert(_ motive: Motive) async throws
    func update(_ motive: Motive) async throws
    func motive(id: UUID) async throws -> Motive?
    func motives(departmentID: UUID) async throws -> [Motive]

    /// Writes the template with all its ranges, atomically.
    func insert(_ template: ScheduleTemplate) async throws
    /// Replaces the template and its ranges, atomically.
    func update(_ template: ScheduleTemplate) async throws
    func template(id: UUID) async throws -> ScheduleTemplate?
    /// The practitioners' weekly templates of a department (rooms' excluded), with their ranges,
    /// by practitioner then start of validity.
    func templates(departmentID: UUID) async throws -> [ScheduleTemplate]

    func insert(_ exception: ScheduleException) async throws
    func update(_ exception: ScheduleException) async throws
    func exception(id: UUID) async throws -> ScheduleException?
    /// An owner's absences that end after `from`, soonest first.
    func absences(ownerID: UUID, endingAfter from: Date, limit: Int) async throws -> [ScheduleException]
    /// Removes an exception; an absence removed gives its time back (a `capacityFreed` event, in
    /// the same transaction: the waiting list offers it). False when there was none.
    func deleteException(id: UUID) async throws -> Bool
}

public protocol PatientRepository: Sendable {
    func insert(_ patient: Patient) async throws
    func update(_ patient: Patient) async throws
    func patient(id: UUID) async throws -> Patient?
    /// Several patients at once (an agenda's), by id; ids without a patient are absent.
    func patients(ids: [UUID]) async throws -> [UUID: Patient]
    /// The patients (not merged into another) whose folded full name is exactly `searchText` and
    /// born on `birthDate`: one index lookup, however many share the birth date (1 January is
    /// common in hospital records when the real date is unknown).
    func patients(searchText: String, birthDate: LocalDate, limit: Int) async throws -> [Patient]

    func link(_ managed: ManagedPatient) async throws
    /// A new patient and the account link that manages them, in one transaction.
    func insertManaged(_ patient: Patient, _ link: ManagedPatient) async throws
    /// Removes the link only: the patient and their history stay.
    /// Removes a relative from an account (the link is kept, marked removed, so the
    /// patient and their history stay); `notFound` when the account does not manage them.
    func unlink(accountID: UUID, patientID: UUID, at: Date) async throws
    /// The patients an account manages now (removed relatives excluded).
    func managedPatients(accountID: UUID) async throws -> [ManagedPatient]
    /// Patients whose folded name holds every word of `query` (and born on `birthDate`
    /// when given), by last then first name; at most `limit`.
    func searchPatients(_ query: String, birthDate: LocalDate?, limit: Int) async throws -> [Patient]

    func insert(_ known: KnownPatient) async throws
    func isKnown(patientID: UUID, departmentID: UUID) async throws -> Bool
}

public protocol AccountRepository: Sendable {
    func insert(_ account: Account) async throws
    func update(_ account: Account) async throws
    func account(id: UUID) async throws -> Account?
    func account(email: String) async throws -> Account?
    /// A patient's own account in one transaction: the account, its "self" patient
    /// and the patient role. `duplicate` when the email is taken.
    func insertPatientAccount(_ account: Account, selfPatient: Patient, grantID: UUID) async throws
    /// A new password hash; records when it changed.
    func setPassword(hash: String, accountID: UUID, at: Date) async throws
    func markEmailVerified(accountID: UUID, at: Date) async throws

    func insert(_ grant: RoleGrant) async throws
    func grants(accountID: UUID) async throws -> [RoleGrant]
}

public protocol ReferringDoctorRepository: Sendable {
    func insert(_ doctor: ReferringDoctor) async throws
    func update(_ doctor: ReferringDoctor) async throws
    func referringDoctor(id: UUID) async throws -> ReferringDoctor?
    /// Whether the directory holds this doctor (the booking check: it asks once per booking).
    func referringDoctorExists(id: UUID) async throws -> Bool
    /// Every word of `query` must match name, town or postcode, accents ignored.
    func searchReferringDoctors(_ query: String, limit: Int) async throws -> [ReferringDoctor]
}

public protocol AppointmentRepository: Sendable {
    func insert(_ appointment: Appointment) async throws
    func update(_ appointment: Appointment) async throws
    func appointment(id: UUID) async throws -> Appointment?
    func appointments(practitionerID: UUID, from: Date, to: Date) async throws -> [Appointment]
    /// The appointments of several practitioners (a department's agenda), by start, in as few reads as the ids allow.
    func appointments(practitionerIDs: [UUID], from: Date, to: Date) async throws -> [Appointment]
    func appointments(patientID: UUID) async throws -> [Appointment]
    /// A referring doctor's referrals starting from `from`, soonest first, at most `limit`.
    func appointments(referringDoctorID: UUID, from: Date, limit: Int) async throws -> [Appointment]

    func insert(_ event: AppointmentEvent) async throws
    func events(appointmentID: UUID) async throws -> [AppointmentEvent]
}

public protocol AuditRepository: Sendable {
    /// Appends; audit rows can never be changed or removed.
    func append(_ entry: AccessAuditEntry) async throws
    /// Several rows in one transaction (a listing shows many patients: one commit, not one each).
    func append(contentsOf entries: [AccessAuditEntry]) async throws
    func entries(patientID: UUID) async throws -> [AccessAuditEntry]
}

/// Whether the database answers, for `/healthz`.
public protocol HealthRepository: Sendable {
    func ping() async throws
}
