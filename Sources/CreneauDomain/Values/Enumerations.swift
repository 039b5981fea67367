/// Which patients a motive accepts (follow-ups are for known patients).
public enum PatientAcceptance: String, CaseIterable, Codable, Sendable {
    case new, known, both
}

/// What a bookable thing other than a practitioner is.
public enum ResourceKind: String, CaseIterable, Codable, Sendable {
    case room, equipment
}

public enum ScheduleExceptionKind: String, CaseIterable, Codable, Sendable {
    /// Leave, training, strike: nothing can be booked in the range.
    case absence
    /// An opening outside the weekly template.
    case extraOpening = "extra_opening"
}

public enum AppointmentStatus: String, CaseIterable, Codable, Sendable {
    case booked, arrived, fulfilled, noshow, cancelled
}

/// Who cancelled, for statistics and for the message the patient receives.
public enum CancelledBy: String, CaseIterable, Codable, Sendable {
    case patient, staff, system
}

/// How a managed person relates to the account holder.
public enum Relationship: String, CaseIterable, Codable, Sendable {
    case `self`, child, parent, spouse, other
}

/// Why the hospital considers a patient known to a department.
public enum KnownPatientSource: String, CaseIterable, Codable, Sendable {
    case fulfilledAppointment = "fulfilled_appointment"
    case importedIndex = "imported_index"
    /// A secretary or practitioner said so (from the agenda or the record).
    case markedByStaff = "marked_by_staff"
}

public enum Role: String, CaseIterable, Codable, Sendable {
    case patient
    case practitioner
    case secretary
    case referringDoctor = "referring_doctor"
    case siteAdmin = "site_admin"
    case groupAdmin = "group_admin"
    /// Reads their department's statistics (scoped to one department).
    case departmentHead = "department_head"
}

public enum AuditOutcome: String, CaseIterable, Codable, Sendable {
    case allowed, denied
}

/// The language an account reads its emails in (and, later, its pages).
public enum Language: String, CaseIterable, Codable, Sendable {
    case fr, en
}
