import Foundation

/// A half-open span of time `[start, end)`.
public struct Interval: Hashable, Sendable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public func overlaps(_ other: Interval) -> Bool { start < other.end && other.start < end }
    public func contains(_ other: Interval) -> Bool { start <= other.start && other.end <= end }
}

/// Something that occupies a practitioner or a resource: a booked appointment or
/// an active hold. `interval` already includes the buffers of its motive.
public struct Occupation: Hashable, Sendable {
    public var interval: Interval
    public var motiveID: UUID
    /// Where the visit itself starts (without buffers): group-session seats
    /// are counted per start.
    public var start: Date
    /// The appointment or hold behind it: a move or the booking that uses a hold looks past its own.
    public var holderID: UUID?
    /// Holds lapse by themselves: after this instant the occupation no longer counts.
    public var expiresAt: Date?

    public init(interval: Interval, motiveID: UUID, start: Date, holderID: UUID? = nil, expiresAt: Date? = nil) {
        self.interval = interval
        self.motiveID = motiveID
        self.start = start
        self.holderID = holderID
        self.expiresAt = expiresAt
    }
}

/// What the engine needs to know of one practitioner or one room/equipment.
public struct ResourceAgenda: Sendable {
    public var templates: [ScheduleTemplate]
    public var exceptions: [ScheduleException]
    public var occupations: [Occupation]
    /// How many overlapping visits it takes (rooms with capacity > 1).
    public var capacity: Int

    public init(templates: [ScheduleTemplate], exceptions: [ScheduleException] = [], occupations: [Occupation] = [], capacity: Int = 1) {
        self.templates = templates
        self.exceptions = exceptions
        self.occupations = occupations
        self.capacity = capacity
    }
}

/// Everything about one practitioner's agenda that availability depends on,
/// over the requested days: the site's calendar, the practitioner, and the
/// rooms and equipment the motive needs.
public struct AgendaSnapshot: Sendable {
    public var timeZone: TimeZone
    /// The site's public holidays and closures.
    public var holidays: ClosedDays
    public var practitioner: ResourceAgenda
    /// Keyed by resource id; every id the motive requires must be present.
    public var resources: [UUID: ResourceAgenda]

    public init(timeZone: TimeZone, holidays: ClosedDays, practitioner: ResourceAgenda, resources: [UUID: ResourceAgenda] = [:]) {
        self.timeZone = timeZone
        self.holidays = holidays
        self.practitioner = practitioner
        self.resources = resources
    }

    /// The same agenda without the occupations that touch `interval`: what it would offer there
    /// had nobody booked it. (Removing every occupation would change how slots pack elsewhere
    /// in the day, and a slot packed after a visit would no longer be recognised.)
    public func freed(_ interval: Interval) -> AgendaSnapshot {
        var copy = self
        copy.practitioner.occupations.removeAll { $0.interval.overlaps(interval) }
        for id in copy.resources.keys { copy.resources[id]?.occupations.removeAll { $0.interval.overlaps(interval) } }
        return copy
    }
}

/// Whether the hospital's records know the patient in the motive's department.
public enum PatientKind: String, Sendable, Codable {
    case new, known
}

/// Who asks, for what, and when.
public struct AvailabilityRequest: Sendable {
    public var motive: Motive
    public var channel: Channel
    /// nil when not known yet (a patient browsing): acceptance is checked at booking.
    public var patientKind: PatientKind?
    public var from: LocalDate
    public var days: Int
    public var now: Date
    /// Holders whose occupations do not count: the appointment being moved, the hold being used.
    public var ignoring: Set<UUID>

    public init(motive: Motive, channel: Channel, patientKind: PatientKind? = nil, from: LocalDate, days: Int, now: Date, ignoring: Set<UUID> = []) {
        self.motive = motive
        self.channel = channel
        self.patientKind = patientKind
        self.from = from
        self.days = days
        self.now = now
        self.ignoring = ignoring
    }
}

/// A bookable time.
public struct Slot: Hashable, Sendable {
    public var start: Date
    public var end: Date
    /// Seats left (1 for a normal visit, up to the motive's capacity for a group session).
    public var seatsLeft: Int

    public init(start: Date, end: Date, seatsLeft: Int = 1) {
        self.start = start
        self.end = end
        self.seatsLeft = seatsLeft
    }
}
