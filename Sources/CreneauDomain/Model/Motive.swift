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
    /// How soon a slot may be booked.
    public var minimumNoticeMinutes: Int
    /// Patients may not cancel or move within this many minutes of the start.
    public var cancellationCutoffMinutes: Int
    /// How many times a patient may move one appointment.
    public var maximumMoves: Int
    /// Resources (room, equipment) every appointment of this motive needs besides the practitioner.
    public var requiredResourceIDs: [UUID]
    public var isActive: Bool

    public init(
        id: UUID, departmentID: UUID, name: String, durationMinutes: Int,
        bufferBeforeMinutes: Int = 0, bufferAfterMinutes: Int = 0, capacity: Int = 1,
        patients: PatientAcceptance = .both, channels: ChannelSet = .all,
        instructionsBefore: String = "", instructionsAfter: String = "",
        horizonDays: Int = 90, minimumNoticeMinutes: Int = 60,
        cancellationCutoffMinutes: Int = 240, maximumMoves: Int = 2,
        requiredResourceIDs: [UUID] = [], isActive: Bool = true
    ) {
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
        self.minimumNoticeMinutes = minimumNoticeMinutes
        self.cancellationCutoffMinutes = cancellationCutoffMinutes
        self.maximumMoves = maximumMoves
        self.requiredResourceIDs = requiredResourceIDs
        self.isActive = isActive
    }
}
