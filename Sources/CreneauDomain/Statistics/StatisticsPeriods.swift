import Foundation

/// How finely statistics are cut: calendar months, or ISO weeks (Monday to Sunday).
public enum StatisticsGrain: String, CaseIterable, Codable, Sendable {
    case month, week

    /// The first day of the period holding `day`.
    public func start(of day: LocalDate) -> LocalDate {
        switch self {
        case .month: LocalDate(year: day.year, month: day.month, day: 1) ?? day
        case .week: day.adding(days: 1 - day.isoWeekday)
        }
    }

    /// The first day of the next period.
    public func next(after start: LocalDate) -> LocalDate {
        switch self {
        case .month:
            let (year, month) = start.month == 12 ? (start.year + 1, 1) : (start.year, start.month + 1)
            return LocalDate(year: year, month: month, day: 1) ?? start.adding(days: 31)
        case .week: return start.adding(days: 7)
        }
    }

    /// Every period from the one holding `from` to the one holding `to`, in order (at most `limit`).
    public func periods(from: LocalDate, to: LocalDate, limit: Int = 400) -> [LocalDate] {
        var result: [LocalDate] = []
        var current = start(of: from)
        let last = start(of: to)
        while current <= last && result.count < limit {
            result.append(current)
            current = next(after: current)
        }
        return result
    }
}
