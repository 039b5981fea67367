import Foundation

/// What staff see of patients: a search when someone calls ("find or create"), and a
/// patient's record with their appointments. Every patient shown is an access to
/// health data, so every one writes an access-audit row, in the same request.
public struct PatientRecords: Sendable {
    let patients: any PatientRepository
    let appointments: any AppointmentRepository
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator

    public init(patients: any PatientRepository, appointments: any AppointmentRepository, audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
        self.patients = patients
        self.appointments = appointments
        self.audit = audit
        self.clock = clock
        self.ids = ids
    }

    /// At most 20 at a time: enough to pick the caller, too few to page through the hospital.
    public static let searchLimit = 20

    /// Patients matching a name (two letters at least) and, when given, a birth date.
    public func search(_ query: String, birthDate: LocalDate?, by booker: Booker) async throws -> [Patient] {
        guard booker.isStaff else { throw BookingError.forbidden("Searching patients is for the hospital's staff.") }
        let letters = SearchText.fold(query).filter { $0 != " " }
        guard letters.count >= 2 else {
            throw BookingError.refused(RuleViolation(.invalidPatient, "Type at least two letters of the patient's name."))
        }
        let found = try await patients.searchPatients(query, birthDate: birthDate, limit: Self.searchLimit)
        try await audit.append(contentsOf: found.map { entry("search_patients", $0.id, by: booker, outcome: .allowed) })
        return found
    }

    /// A patient and their appointments in the departments this booker serves (all of
    /// them for a group admin), newest first.
    public func record(of patientID: UUID, by booker: Booker) async throws -> (patient: Patient, appointments: [Appointment]) {
        guard booker.isStaff else { throw BookingError.forbidden("Patient records are for the hospital's staff.") }
        guard let patient = try await patients.patient(id: patientID) else { throw BookingError.notFound("No patient has this id.") }
        let visible = try await appointments.appointments(patientID: patientID)
            .filter { booker.serves($0.departmentID) }
            .sorted { $0.startsAt > $1.startsAt }
        try await audit.append(entry("read_patient", patientID, by: booker, outcome: .allowed))
        return (patient, visible)
    }

    func entry(_ action: String, _ patientID: UUID, by booker: Booker, outcome: AuditOutcome) -> AccessAuditEntry {
        AccessAuditEntry(
            id: ids.next(), at: clock.now(), actorAccountID: booker.accountID, action: action, patientID: patientID,
            target: "patient:\(patientID.uuidString.lowercased())", outcome: outcome)
    }
}
