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
    /// Without a birth date, a name must be this long: "ma" is a fishing trip, "martin" a caller.
    public static let lettersWithoutBirthDate = 6

    /// Why a member of staff opens the record of a patient none of their departments knows
    /// ("break the glass"): written to the access audit with the reading.
    public enum BreakGlassReason: String, CaseIterable, Sendable {
        case emergency
        case patientRequest = "patient_request"
        case continuityOfCare = "continuity_of_care"
    }

    /// Patients matching a name and birth date (two letters at least), or a name alone of six
    /// letters at least. Finding a caller is legitimate hospital-wide (find or create); the
    /// answer says who they are (name, birth date), not how to reach them.
    public func search(_ query: String, birthDate: LocalDate?, by booker: Booker) async throws -> [Patient] {
        guard booker.isStaff else { throw BookingError.forbidden("Searching patients is for the hospital's staff.") }
        let letters = SearchText.fold(query).filter { $0 != " " }
        guard letters.count >= (birthDate == nil ? Self.lettersWithoutBirthDate : 2), query.count <= 200 else {
            throw BookingError.refused(RuleViolation(.searchTooVague,
                "Type the patient's name and birth date, or at least \(Self.lettersWithoutBirthDate) letters of the name."))
        }
        let found = try await patients.searchPatients(query, birthDate: birthDate, limit: Self.searchLimit)
        try await audit.append(contentsOf: found.map { entry("search_patients", $0.id, by: booker, outcome: .allowed) })
        return found
    }

    /// A patient and their appointments in the departments this booker serves (all of
    /// them for a group admin), newest first — for a patient with an appointment in one of
    /// those departments. Anyone else's record opens only with a stated reason
    /// (`breakGlass`), audited as such; without it the refusal is audited too.
    public func record(of patientID: UUID, by booker: Booker, breakGlass: BreakGlassReason? = nil) async throws -> (patient: Patient, appointments: [Appointment]) {
        guard booker.isStaff else { throw BookingError.forbidden("Patient records are for the hospital's staff.") }
        guard let patient = try await patients.patient(id: patientID) else { throw BookingError.notFound("No patient has this id.") }
        let visible = try await appointments.appointments(patientID: patientID)
            .filter { booker.serves($0.departmentID) }
            .sorted { $0.startsAt > $1.startsAt }
        let linked = booker.departments == nil || !visible.isEmpty
        if !linked {
            guard let breakGlass else {
                try await audit.append(entry("read_patient", patientID, by: booker, outcome: .denied))
                throw BookingError.forbidden("This patient has no appointment in your departments. To open the record anyway, state why (break the glass): it is recorded.")
            }
            try await audit.append(entry("break_glass:" + breakGlass.rawValue, patientID, by: booker, outcome: .allowed))
            return (patient, visible)
        }
        try await audit.append(entry("read_patient", patientID, by: booker, outcome: .allowed))
        return (patient, visible)
    }

    func entry(_ action: String, _ patientID: UUID, by booker: Booker, outcome: AuditOutcome) -> AccessAuditEntry {
        AccessAuditEntry(
            id: ids.next(), at: clock.now(), actorAccountID: booker.accountID, action: action, patientID: patientID,
            target: "patient:\(patientID.uuidString.lowercased())", outcome: outcome)
    }
}
