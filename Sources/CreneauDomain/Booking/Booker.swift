import Foundation

/// Who asks to book, move or cancel, as the booking rules see them.
public struct Booker: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Nobody signed in: a patient booking online with their details, or
        /// following the link of their confirmation (holding its token).
        case visitor
        /// A signed-in patient account, booking for itself or a relative it manages.
        case patient(accountID: UUID)
        /// A secretary, practitioner or admin, acting for the hospital.
        case staff(accountID: UUID, role: Role)
        /// A city doctor booking for the patient in front of them.
        case referringDoctor(accountID: UUID, doctorID: UUID)
        /// A waiting patient taking the slot offered to them, through the offer's signed link:
        /// the entry vouches for the patient (joined by them or for them by the secretariat).
        case waitlist(patientID: UUID, channel: Channel)
    }

    public var kind: Kind
    /// For staff: the departments they serve (nil: every department). A secretary of
    /// cardiology does not book, see or change dermatology's appointments.
    public var departments: Set<UUID>?

    public init(_ kind: Kind, departments: Set<UUID>? = nil) {
        self.kind = kind
        self.departments = departments
    }

    /// Whether this booker acts in `departmentID` (always true for non-staff: their limits are elsewhere).
    public func serves(_ departmentID: UUID) -> Bool {
        guard isStaff, let departments else { return true }
        return departments.contains(departmentID)
    }

    public static let visitor = Booker(.visitor)

    public var accountID: UUID? {
        switch kind {
        case .visitor, .waitlist: nil
        case .patient(let id), .staff(let id, _), .referringDoctor(let id, _): id
        }
    }

    /// Staff act for the hospital: they may override a patient's cut-off and move limit.
    public var isStaff: Bool {
        if case .staff = kind { return true }
        return false
    }

    /// The channels this booker may book through.
    public var channels: ChannelSet {
        switch kind {
        case .visitor, .patient: [.online]
        case .waitlist(_, let channel): ChannelSet(channel)
        case .referringDoctor: [.referral]
        case .staff(_, let role):
            role == .practitioner ? [.practitioner, .desk, .phone] : [.phone, .desk]
        }
    }

    /// Who a cancellation by this booker is recorded as.
    public var cancelsAs: CancelledBy { isStaff ? .staff : .patient }
}

/// A new patient's details, as typed in the booking form or given on the phone.
public struct PatientDetails: Hashable, Sendable {
    public var firstName: String
    public var lastName: String
    public var birthDate: LocalDate
    public var email: String?
    public var phone: String?

    public init(firstName: String, lastName: String, birthDate: LocalDate, email: String? = nil, phone: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.birthDate = birthDate
        self.email = email
        self.phone = phone
    }
}

/// What a booker asks for.
public struct BookingRequest: Sendable {
    public enum PatientChoice: Sendable, Hashable {
        /// Someone not yet in the records: a patient row is created with the booking.
        case new(PatientDetails)
        /// A patient already in the records (self or a relative of the account, or found by staff).
        case existing(UUID)
    }

    public var practitionerID: UUID
    public var motiveID: UUID
    public var start: Date
    public var patient: PatientChoice
    public var channel: Channel
    public var reason: String?
    public var notes: String?
    public var referringDoctorID: UUID?
    /// The hold taken while the form was filled, turned into the appointment.
    public var holdID: UUID?
    /// The token given with the hold, when a visitor placed it.
    public var holdToken: String?
    /// The language a new patient's messages are written in (the page's, the caller's).
    public var language: Language = .fr

    public init(
        practitionerID: UUID, motiveID: UUID, start: Date, patient: PatientChoice, channel: Channel,
        reason: String? = nil, notes: String? = nil, referringDoctorID: UUID? = nil, holdID: UUID? = nil, holdToken: String? = nil
    ) {
        self.holdToken = holdToken
        self.practitionerID = practitionerID
        self.motiveID = motiveID
        self.start = start
        self.patient = patient
        self.channel = channel
        self.reason = reason
        self.notes = notes
        self.referringDoctorID = referringDoctorID
        self.holdID = holdID
    }
}

/// A slot kept for a few minutes while a patient fills in the booking form.
/// It occupies the slot like an appointment until it expires or is used.
public struct Hold: Identifiable, Hashable, Sendable {
    public var id: UUID
    public var practitionerID: UUID
    public var motiveID: UUID
    public var startsAt: Date
    public var endsAt: Date
    public var channel: Channel
    public var expiresAt: Date
    public var createdAt: Date
    /// The signed-in account that placed it; a visitor's hold is theirs by its token instead.
    public var holderAccountID: UUID?

    public init(id: UUID, practitionerID: UUID, motiveID: UUID, startsAt: Date, endsAt: Date, channel: Channel, expiresAt: Date, createdAt: Date,
                holderAccountID: UUID? = nil) {
        self.holderAccountID = holderAccountID
        self.id = id
        self.practitionerID = practitionerID
        self.motiveID = motiveID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.channel = channel
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

/// A request remembered under its `Idempotency-Key` with the response it got,
/// so a replay gets the same answer and never books twice.
public struct IdempotencyRecord: Hashable, Sendable {
    public var scope: String
    public var key: String
    /// A digest of the method, path and body: the same key with another request is refused.
    public var fingerprint: String
    public var status: Int
    public var body: Data
    public var createdAt: Date
    public var expiresAt: Date

    public init(scope: String, key: String, fingerprint: String, status: Int, body: Data, createdAt: Date, expiresAt: Date) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
        self.status = status
        self.body = body
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
