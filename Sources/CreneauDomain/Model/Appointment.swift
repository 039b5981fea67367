import Foundation

/// A booked visit. `reason` and `notes` are health data: storage keeps them
/// encrypted at rest.
public struct Appointment: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var departmentID: UUID
    public var motiveID: UUID
    public var practitionerID: UUID
    public var patientID: UUID
    /// Rooms and equipment the visit takes besides the practitioner.
    public var resourceIDs: [UUID]
    public var startsAt: Date
    public var endsAt: Date
    public var status: AppointmentStatus
    public var channel: Channel
    public var createdByAccountID: UUID?
    public var referringDoctorID: UUID?
    /// What the patient typed ("fièvre depuis 2 jours").
    public var reason: String?
    /// Staff notes.
    public var notes: String?
    public var cancelledBy: CancelledBy?
    public var cancellationReason: String?
    public var moveCount: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// New to the department or known to it when booked (statistics: no-shows of new and known
    /// patients). Nil for visits written before it was recorded.
    public var patientKind: PatientKind?

    public init(
        id: UUID, departmentID: UUID, motiveID: UUID, practitionerID: UUID, patientID: UUID, resourceIDs: [UUID] = [],
        startsAt: Date, endsAt: Date, status: AppointmentStatus = .booked, channel: Channel,
        createdByAccountID: UUID? = nil, referringDoctorID: UUID? = nil, reason: String? = nil, notes: String? = nil,
        cancelledBy: CancelledBy? = nil, cancellationReason: String? = nil, moveCount: Int = 0,
        createdAt: Date, updatedAt: Date? = nil, patientKind: PatientKind? = nil
    ) {
        self.patientKind = patientKind
        self.id = id
        self.departmentID = departmentID
        self.motiveID = motiveID
        self.practitionerID = practitionerID
        self.patientID = patientID
        self.resourceIDs = resourceIDs
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.status = status
        self.channel = channel
        self.createdByAccountID = createdByAccountID
        self.referringDoctorID = referringDoctorID
        self.reason = reason
        self.notes = notes
        self.cancelledBy = cancelledBy
        self.cancellationReason = cancellationReason
        self.moveCount = moveCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// One change to an appointment: who, when (UTC), by which channel, before and after.
public struct AppointmentEvent: Identifiable, Hashable, Codable, Sendable {
    public enum Action: String, CaseIterable, Codable, Sendable {
        case created, moved, cancelled, statusChanged = "status_changed", updated
    }

    public var id: UUID
    public var appointmentID: UUID
    public var at: Date
    public var actorAccountID: UUID?
    public var channel: Channel?
    public var action: Action
    /// JSON snapshots of the changed fields (never the encrypted texts).
    public var before: String?
    public var after: String?

    public init(id: UUID, appointmentID: UUID, at: Date, actorAccountID: UUID?, channel: Channel?, action: Action, before: String? = nil, after: String? = nil) {
        self.id = id
        self.appointmentID = appointmentID
        self.at = at
        self.actorAccountID = actorAccountID
        self.channel = channel
        self.action = action
        self.before = before
        self.after = after
    }
}

/// An append-only record of a read of patient data by staff, or of a denied access.
public struct AccessAuditEntry: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var at: Date
    public var actorAccountID: UUID?
    /// What was done ("read_patient", "list_appointments"…).
    public var action: String
    public var patientID: UUID?
    /// What was touched, without personal data ("appointment:<uuid>").
    public var target: String
    public var outcome: AuditOutcome

    public init(id: UUID, at: Date, actorAccountID: UUID?, action: String, patientID: UUID?, target: String, outcome: AuditOutcome) {
        self.id = id
        self.at = at
        self.actorAccountID = actorAccountID
        self.action = action
        self.patientID = patientID
        self.target = target
        self.outcome = outcome
    }
}
