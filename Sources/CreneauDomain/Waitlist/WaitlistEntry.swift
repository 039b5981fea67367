import Foundation

/// A patient waiting for a motive: one practitioner, or any of the department who offers it,
/// within a window of days and with their preferences. Joined by the patient (for self or a
/// relative) or by a secretary for a caller.
public struct WaitlistEntry: Identifiable, Hashable, Sendable {
    public enum State: String, Codable, Sendable { case waiting, booked, cancelled, expired }

    public var id: UUID
    public var patientID: UUID
    /// The account that joined (a patient account), if any.
    public var accountID: UUID?
    /// The staff account that added a caller, if any.
    public var addedBy: UUID?
    public var departmentID: UUID
    public var motiveID: UUID
    /// Nil: any practitioner of the department who offers the motive.
    public var practitionerID: UUID?
    /// Named when joining, for a motive that needs one for a new patient.
    public var referringDoctorID: UUID?
    public var preferences: WaitlistPreferences
    /// The end of `preferences.lastDay` in the site's zone: the entry expires then.
    public var endsAt: Date
    /// How the patient joined (online, or through the secretariat by phone or at the desk).
    public var channel: Channel
    /// Staff put an urgent entry before the others.
    public var urgent: Bool
    public var state: State
    public var createdAt: Date
    public var closedAt: Date?
    /// The appointment a accepted offer booked.
    public var appointmentID: UUID?

    public init(id: UUID, patientID: UUID, accountID: UUID? = nil, addedBy: UUID? = nil, departmentID: UUID, motiveID: UUID, practitionerID: UUID?,
                referringDoctorID: UUID? = nil, preferences: WaitlistPreferences, endsAt: Date, channel: Channel, urgent: Bool = false,
                state: State = .waiting, createdAt: Date, closedAt: Date? = nil, appointmentID: UUID? = nil) {
        self.id = id
        self.patientID = patientID
        self.accountID = accountID
        self.addedBy = addedBy
        self.departmentID = departmentID
        self.motiveID = motiveID
        self.practitionerID = practitionerID
        self.referringDoctorID = referringDoctorID
        self.preferences = preferences
        self.endsAt = endsAt
        self.channel = channel
        self.urgent = urgent
        self.state = state
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.appointmentID = appointmentID
    }

    /// Who is offered first: urgent entries, then by the time they joined (then by id, so that
    /// two instances order the same entries the same way).
    public static func offeredBefore(_ lhs: WaitlistEntry, _ rhs: WaitlistEntry) -> Bool {
        if lhs.urgent != rhs.urgent { return lhs.urgent }
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt < rhs.createdAt }
        return lhs.id.uuidString < rhs.id.uuidString
    }
}

/// What a waiting patient accepts.
public struct WaitlistPreferences: Hashable, Sendable {
    public enum DayPart: String, CaseIterable, Codable, Sendable {
        case any, morning, afternoon

        /// Morning: a visit starting before noon (site time); afternoon: from noon.
        func contains(minuteOfDay: Int) -> Bool {
            switch self {
            case .any: true
            case .morning: minuteOfDay < 12 * 60
            case .afternoon: minuteOfDay >= 12 * 60
            }
        }
    }

    public enum Reach: String, CaseIterable, Codable, Sendable {
        case sms, email, both

        public var channels: [MessageChannel] {
            switch self {
            case .sms: [.sms]
            case .email: [.email]
            case .both: [.sms, .email]
            }
        }
    }

    public var firstDay: LocalDate
    public var lastDay: LocalDate
    /// ISO weekdays accepted (1 Monday … 7 Sunday).
    public var weekdays: Set<Int>
    public var dayPart: DayPart
    /// The shortest notice accepted: no offer for a visit sooner than this after the offer.
    public var noticeHours: Int
    public var reach: Reach

    public init(firstDay: LocalDate, lastDay: LocalDate, weekdays: Set<Int> = Set(1...5), dayPart: DayPart = .any, noticeHours: Int = 0,
                reach: Reach = .both) {
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.weekdays = weekdays
        self.dayPart = dayPart
        self.noticeHours = noticeHours
        self.reach = reach
    }

    /// The weekdays as stored: bit 0 Monday … bit 6 Sunday.
    public var weekdayBits: Int { weekdays.filter { (1...7).contains($0) }.reduce(0) { $0 | 1 << ($1 - 1) } }

    public static func weekdays(bits: Int) -> Set<Int> { Set((1...7).filter { bits & 1 << ($0 - 1) != 0 }) }

    /// Whether a visit starting at `start` (in `zone`) suits, offered at `now`.
    public func accepts(_ start: Date, in zone: TimeZone, now: Date) -> Bool {
        let day = LocalDate(start, in: zone)
        guard day >= firstDay, day <= lastDay, weekdays.contains(day.isoWeekday) else { return false }
        let minute = Int(start.timeIntervalSince(day.instant(atMinute: 0, in: zone)) / 60)
        guard dayPart.contains(minuteOfDay: minute) else { return false }
        return start.timeIntervalSince(now) >= Double(noticeHours) * 3_600
    }
}

/// A freed slot kept for one waiting patient for a while, under a hold.
public struct WaitlistOffer: Identifiable, Hashable, Sendable {
    public enum State: String, Codable, Sendable {
        /// Sent, waiting for the answer; the slot is held.
        case live
        case accepted
        case declined
        /// Nobody answered in time.
        case lapsed
        /// The slot could no longer be given (it went to someone else, the practitioner is away).
        case withdrawn
    }

    public var id: UUID
    public var entryID: UUID
    public var practitionerID: UUID
    public var motiveID: UUID
    public var startsAt: Date
    public var endsAt: Date
    /// The hold that keeps the slot while the offer is live.
    public var holdID: UUID
    public var state: State
    public var offeredAt: Date
    public var expiresAt: Date
    public var answeredAt: Date?
    public var appointmentID: UUID?

    public init(id: UUID, entryID: UUID, practitionerID: UUID, motiveID: UUID, startsAt: Date, endsAt: Date, holdID: UUID, state: State = .live,
                offeredAt: Date, expiresAt: Date, answeredAt: Date? = nil, appointmentID: UUID? = nil) {
        self.id = id
        self.entryID = entryID
        self.practitionerID = practitionerID
        self.motiveID = motiveID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.holdID = holdID
        self.state = state
        self.offeredAt = offeredAt
        self.expiresAt = expiresAt
        self.answeredAt = answeredAt
        self.appointmentID = appointmentID
    }
}
