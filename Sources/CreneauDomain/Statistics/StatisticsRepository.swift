import Foundation

/// The summaries' levels: a department as a whole, one of its motives, one practitioner in it.
public enum StatisticsLevel: String, CaseIterable, Sendable {
    case department, motive, practitioner
}

/// What summary rows are grouped by when read.
public enum StatisticsDimension: String, CaseIterable, Hashable, Sendable {
    case period, site, department, item, channel, kind, specialty
}

/// Which summary rows a read covers: a span of periods, the places the reader may see, filters.
public struct StatisticsSelection: Hashable, Sendable {
    public var grain: StatisticsGrain
    /// The first day of the first and of the last period.
    public var from: LocalDate
    public var to: LocalDate
    /// Nil: every site / department.
    public var siteIDs: Set<UUID>?
    public var departmentIDs: Set<UUID>?
    /// Practitioner or motive, at those levels.
    public var itemID: UUID?
    public var channel: Channel?
    public var kind: PatientKind?

    public init(grain: StatisticsGrain, from: LocalDate, to: LocalDate, siteIDs: Set<UUID>? = nil, departmentIDs: Set<UUID>? = nil,
                itemID: UUID? = nil, channel: Channel? = nil, kind: PatientKind? = nil) {
        self.grain = grain
        self.from = from
        self.to = to
        self.siteIDs = siteIDs
        self.departmentIDs = departmentIDs
        self.itemID = itemID
        self.channel = channel
        self.kind = kind
    }
}

/// One group of summed rows; the keys not grouped by are nil.
public struct StatisticsKey: Hashable, Sendable {
    public var period: LocalDate?
    public var siteID: UUID?
    public var departmentID: UUID?
    public var itemID: UUID?
    public var channel: Channel?
    public var kind: PatientKind?
    public var specialty: String?

    public init(period: LocalDate? = nil, siteID: UUID? = nil, departmentID: UUID? = nil, itemID: UUID? = nil, channel: Channel? = nil,
                kind: PatientKind? = nil, specialty: String? = nil) {
        self.period = period
        self.siteID = siteID
        self.departmentID = departmentID
        self.itemID = itemID
        self.channel = channel
        self.kind = kind
        self.specialty = specialty
    }
}

/// The delay to the third next available slot, summed over recorded days and motives.
public struct AccessDelay: Hashable, Sendable {
    /// Sum and number of the days recorded with three slots within the horizon.
    public var daysSum = 0
    public var recorded = 0
    /// Days recorded with fewer than three slots within the horizon.
    public var beyond = 0

    public init(daysSum: Int = 0, recorded: Int = 0, beyond: Int = 0) {
        self.daysSum = daysSum
        self.recorded = recorded
        self.beyond = beyond
    }

    public var mean: Double? { recorded > 0 ? Double(daysSum) / Double(recorded) : nil }

    public mutating func add(_ other: AccessDelay) {
        daysSum += other.daysSum
        recorded += other.recorded
        beyond += other.beyond
    }
}

/// One motive's delay on one day, as the recorder measured it.
public struct AccessRecord: Hashable, Sendable {
    public var motiveID: UUID
    public var departmentID: UUID
    public var siteID: UUID
    public var specialty: String
    /// Nil: fewer than three free slots within `horizonDays`.
    public var daysToThird: Int?
    public var horizonDays: Int

    public init(motiveID: UUID, departmentID: UUID, siteID: UUID, specialty: String, daysToThird: Int?, horizonDays: Int) {
        self.motiveID = motiveID
        self.departmentID = departmentID
        self.siteID = siteID
        self.specialty = specialty
        self.daysToThird = daysToThird
        self.horizonDays = horizonDays
    }
}

/// A practitioner's open minutes in one department on one day (the fill rate's denominator).
public struct OpenDay: Hashable, Sendable {
    public var practitionerID: UUID
    public var departmentID: UUID
    public var siteID: UUID
    public var day: LocalDate
    public var minutes: Int

    public init(practitionerID: UUID, departmentID: UUID, siteID: UUID, day: LocalDate, minutes: Int) {
        self.practitionerID = practitionerID
        self.departmentID = departmentID
        self.siteID = siteID
        self.day = day
        self.minutes = minutes
    }
}

public protocol StatisticsRepository: Sendable {
    /// Summed counters of `level`, grouped by `dimensions` (`.item` is the motive or practitioner).
    func counts(level: StatisticsLevel, selection: StatisticsSelection, by dimensions: Set<StatisticsDimension>) async throws -> [StatisticsKey: StatisticsCounts]
    /// Summed open minutes (`level`: department or practitioner), grouped by `dimensions`.
    func openMinutes(level: StatisticsLevel, selection: StatisticsSelection, by dimensions: Set<StatisticsDimension>) async throws -> [StatisticsKey: Int]
    /// Summed delays to the third next available slot (`.item` is the motive), grouped by `dimensions`.
    func accessDelays(selection: StatisticsSelection, by dimensions: Set<StatisticsDimension>) async throws -> [StatisticsKey: AccessDelay]

    /// Counts the appointments changed since the last pass (the change feed), at most `limit`
    /// events: returns how many events it read; nil when nothing was ever counted (a new database,
    /// an upgrade) and no recount is running: the history needs `rebuildStatistics` first.
    func refreshStatistics(limit: Int) async throws -> Int?
    /// Recounts every summary from the appointments and the recorded days (upgrades, repairs);
    /// returns how many appointments it counted.
    @discardableResult
    func rebuildStatistics() async throws -> Int
    /// Whether the history is counted (false on a database never counted or while a recount runs: figures are partial).
    func statisticsCounted() async throws -> Bool
    /// The first and last visit days counted (nil: none).
    func statisticsSpan() async throws -> (first: LocalDate, last: LocalDate)?

    /// Whether `day`'s delays are recorded already.
    func accessRecorded(day: LocalDate) async throws -> Bool
    /// Records `day`'s delays once (false: another instance did it first).
    func recordAccess(day: LocalDate, records: [AccessRecord], at: Date) async throws -> Bool
    /// Writes (or rewrites) practitioners' open minutes on days, keeping the rollups exact.
    func recordOpenTime(_ days: [OpenDay]) async throws
}
