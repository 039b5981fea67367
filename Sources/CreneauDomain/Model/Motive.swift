import Foundation

/// A visit reason ("motif") of a department, with everything that decides who may
/// book it, through which channel, for how long and how far ahead.
public struct Motive: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var departmentID: UUID
    public var name: String
    public var durationMinutes: Int
    public var bufferBeforeMinutes: Int
    public var bufferAfterMinutes: Int
    /// Patients per slot: 1, or N for a group session.
    public var capacity: Int
    public var patients: PatientAcceptance
    public var channels: ChannelSet
    /// Shown before booking (documents to bring, fasting…).
    public var instructionsBefore: String
    /// Shown on the confirmation and in messages.
    public var instructionsAfter: String
    /// How far ahead a slot may be booked.
    public var horizonDays: Int
    /// How far ahead online, when shorter than `horizonDays` (hospitals keep the far future for
    /// the phone and the desk, who can judge). Nil: the same.
    public var onlineHorizonDays: Int?
    /// Whether a new patient must name a referring doctor for this motive.
    public var referral: ReferralRule
    /// How soon a slot may be booked.
    public var minimumNoticeMinutes: Int
    /// Patients may not cancel or move within this many minutes of the start.
    public var cancellationCutoffMinutes: Int
    /// How many times a patient may move one appointment.
    public var maximumMoves: Int
    /// Resources (room, equipment) every appointment of this motive needs besides the practitioner.
    public var requiredResourceIDs: [UUID]
    public var isActive: Bool
    /// This motive's reminder schedule, when it differs from its site's (`off` included).
    public var reminders: ReminderSchedule?

    public init(
        id: UUID, departmentID: UUID, name: String, durationMinutes: Int,
        bufferBeforeMinutes: Int = 0, bufferAfterMinutes: Int = 0, capacity: Int = 1,
        patients: PatientAcceptance = .both, channels: ChannelSet = .all,
        instructionsBefore: String = "", instructionsAfter: String = "",
        horizonDays: Int = 90, onlineHorizonDays: Int? = nil, referral: ReferralRule = .department, minimumNoticeMinutes: Int = 60,
        cancellationCutoffMinutes: Int = 240, maximumMoves: Int = 2,
        requiredResourceIDs: [UUID] = [], isActive: Bool = true, reminders: ReminderSchedule? = nil
    ) {
        self.reminders = reminders
        self.id = id
        self.departmentID = departmentID
        self.name = name
        self.durationMinutes = durationMinutes
        self.bufferBeforeMinutes = bufferBeforeMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
        self.capacity = capacity
        self.patients = patients
        self.channels = channels
        self.instructionsBefore = instructionsBefore
        self.instructionsAfter = instructionsAfter
        self.horizonDays = horizonDays
        self.onlineHorizonDays = onlineHorizonDays
        self.referral = referral
        self.minimumNoticeMinutes = minimumNoticeMinutes
        self.cancellationCutoffMinutes = cancellationCutoffMinutes
        self.maximumMoves = maximumMoves
        self.requiredResourceIDs = requiredResourceIDs
        self.isActive = isActive
    }
}

/// Whether a new patient must name the doctor who referred them.
public enum ReferralRule: String, CaseIterable, Codable, Hashable, Sendable {
    /// As the department says (`Department.newPatientsNeedReferral`).
    case department
    case required
    case notRequired = "not_required"
}

extension Motive {
    /// How many days ahead `channel` may book: the online horizon when it is shorter.
    public func horizonDays(for channel: Channel) -> Int {
        guard channel == .online, let online = onlineHorizonDays else { return horizonDays }
        return min(online, horizonDays)
    }

    /// Whether a new patient booking this motive in `department` must name a referring doctor.
    public func needsReferral(in department: Department) -> Bool {
        switch referral {
        case .department: department.newPatientsNeedReferral
        case .required: true
        case .notRequired: false
        }
    }

    /// The motive as `department` offers it: without the online channel while the department's
    /// online booking is off, and not at all once the department is out of service.
    public func offered(in department: Department) -> Motive {
        var motive = self
        if !department.onlineBooking { motive.channels.remove(.online) }
        if !department.isActive { motive.isActive = false }
        return motive
    }
}
