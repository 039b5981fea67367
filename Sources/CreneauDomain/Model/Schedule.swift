import Foundation

/// A weekly agenda ("agenda type") of one practitioner or one resource in a
/// department, valid between two dates.
public struct ScheduleTemplate: Identifiable, Hashable, Codable, Sendable {
    public enum Owner: Hashable, Codable, Sendable {
        case practitioner(UUID)
        case resource(UUID)
    }

    public var id: UUID
    public var owner: Owner
    public var departmentID: UUID
    public var validFrom: LocalDate
    /// Open-ended when nil.
    public var validUntil: LocalDate?
    public var ranges: [OpeningRange]

    public init(id: UUID, owner: Owner, departmentID: UUID, validFrom: LocalDate, validUntil: LocalDate? = nil, ranges: [OpeningRange]) {
        self.id = id
        self.owner = owner
        self.departmentID = departmentID
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.ranges = ranges
    }
}

/// A recurring opening on one weekday, in local wall-clock minutes.
public struct OpeningRange: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    /// ISO weekday: 1 Monday … 7 Sunday.
    public var weekday: Int
    /// Minutes after local midnight.
    public var startMinute: Int
    public var endMinute: Int
    /// The motives this opening accepts.
    public var motiveIDs: [UUID]
    /// Channels open from the start (e.g. only `.phone` for held-back urgent slots).
    public var channels: ChannelSet
    /// Held-back ranges open to more channels at a set moment.
    public var release: Release?

    public init(id: UUID, weekday: Int, startMinute: Int, endMinute: Int, motiveIDs: [UUID], channels: ChannelSet, release: Release? = nil) {
        self.id = id
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.motiveIDs = motiveIDs
        self.channels = channels
        self.release = release
    }

    /// "Open to online booking the day before at 18:00": `daysBefore` 1, `atMinute` 1080.
    public struct Release: Hashable, Codable, Sendable {
        public var channels: ChannelSet
        public var daysBefore: Int
        public var atMinute: Int

        public init(channels: ChannelSet, daysBefore: Int, atMinute: Int) {
            self.channels = channels
            self.daysBefore = daysBefore
            self.atMinute = atMinute
        }
    }
}

/// An absence (nothing bookable) or an extra opening, as UTC instants.
public struct ScheduleException: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var owner: ScheduleTemplate.Owner
    public var kind: ScheduleExceptionKind
    public var startsAt: Date
    public var endsAt: Date
    public var reason: String
    /// For extra openings: the channels and motives it opens to.
    public var channels: ChannelSet
    public var motiveIDs: [UUID]

    public init(
        id: UUID, owner: ScheduleTemplate.Owner, kind: ScheduleExceptionKind, startsAt: Date, endsAt: Date,
        reason: String, channels: ChannelSet = [], motiveIDs: [UUID] = []
    ) {
        self.id = id
        self.owner = owner
        self.kind = kind
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.reason = reason
        self.channels = channels
        self.motiveIDs = motiveIDs
    }
}
