import Foundation

/// Who may read statistics, and of what: administrators what they administer (`Administrator`: their
/// groups, their sites, everything for a grant without scope), department heads their departments.
public struct StatisticsViewer: Hashable, Sendable {
    public let accountID: UUID
    public let administrator: Administrator?
    public let departments: Set<UUID>

    /// Nil for an identity that may read no statistics.
    public init?(_ identity: Identity) {
        let departments = Set(identity.grants.compactMap { grant -> UUID? in
            if grant.role == .departmentHead, case .department(let id) = grant.scope { return id }
            return nil
        })
        let administrator = Administrator(identity)
        guard administrator != nil || !departments.isEmpty else { return nil }
        self.accountID = identity.account.id
        self.administrator = administrator
        self.departments = departments
    }

    /// The whole site (every department in it).
    public func sees(_ site: Site) -> Bool { administrator?.administers(site) ?? false }
    public func sees(_ department: Department, in site: Site) -> Bool { sees(site) || departments.contains(department.id) }
}

/// What a statistics view covers.
public enum StatisticsScope: Hashable, Sendable {
    /// Everything the viewer sees (the group, for its administrators).
    case all
    case site(UUID)
    case department(UUID)
    /// One practitioner's work in one department.
    case practitioner(UUID, department: UUID)
}

/// A statistics question, checked: the span, the grain, the filters.
public struct StatisticsRequest: Hashable, Sendable {
    public var scope: StatisticsScope
    public var grain: StatisticsGrain
    /// First days of the first and last periods.
    public var from: LocalDate
    public var to: LocalDate
    public var channel: Channel?
    public var kind: PatientKind?

    /// At most two years of months, or a year of weeks, in one view.
    public static let maximumPeriods: [StatisticsGrain: Int] = [.month: 24, .week: 53]
    /// Statistics are for the years a hospital runs Creneau.
    public static let days: ClosedRange<LocalDate> = LocalDate(daysSinceEpoch: LocalDate.days(year: 2000, month: 1, day: 1))...LocalDate(daysSinceEpoch: LocalDate.days(year: 2100, month: 12, day: 31))

    /// Checks the span: a period that ends before it begins, or is longer than allowed, is refused with a sentence.
    public init(scope: StatisticsScope, grain: StatisticsGrain, from: LocalDate, to: LocalDate, channel: Channel? = nil, kind: PatientKind? = nil) throws(StatisticsError) {
        guard Self.days.contains(from), Self.days.contains(to) else {
            throw .invalid(code: "period_out_of_range", "Statistics cover the years 2000 to 2100: choose a period within them.")
        }
        guard from <= to else { throw .invalid(code: "period_backwards", "The period ends (\(to)) before it begins (\(from)): choose an end after the start.") }
        let periods = grain.periods(from: from, to: to, limit: 10_000).count
        let maximum = Self.maximumPeriods[grain] ?? 24
        guard periods <= maximum else {
            throw .invalid(code: "period_too_long", grain == .month
                ? "A view covers at most \(maximum) months (this one \(periods)): choose a shorter period, or export several."
                : "A view covers at most \(maximum) weeks (this one \(periods)): choose a shorter period, or view months.")
        }
        self.scope = scope
        self.grain = grain
        self.from = grain.start(of: from)
        self.to = grain.start(of: to)
        self.channel = channel
        self.kind = kind
    }

    /// The default view: the last twelve months to this one, or the last twelve weeks to this one.
    public static func recent(_ grain: StatisticsGrain, scope: StatisticsScope, today: LocalDate) -> StatisticsRequest? {
        let last = grain.start(of: today)
        var first = last
        for _ in 0..<11 { first = grain == .week ? first.adding(days: -7) : grain.start(of: first.adding(days: -1)) }
        return try? StatisticsRequest(scope: scope, grain: grain, from: first, to: last)
    }

    public var periods: [LocalDate] { grain.periods(from: from, to: to) }
}

public enum StatisticsError: Error, Hashable, Sendable {
    /// The question cannot be answered as asked (422, with a stable code and the sentence).
    case invalid(code: String, String)
    /// No such site, department or practitioner among those the viewer sees (404).
    case notFound(String)
    /// The viewer's role does not cover it (403).
    case forbidden(String)
}
