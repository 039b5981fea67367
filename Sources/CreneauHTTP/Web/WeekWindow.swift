import CreneauDomain
import Foundation
import Hummingbird

/// The week of slots a page shows (a practitioner's page, the move page, phone booking):
/// from the `from=` of its address, never before today in the site's zone, and the days
/// the "previous week" and "next week" links lead to. One place, for the three pages.
struct WeekWindow {
    let today: LocalDate
    let from: LocalDate

    static let days = 7

    /// 400 for a real date more than five years away (`InputDates.pageDay`).
    init(_ request: Request, zone: TimeZone, now: Date) throws {
        today = LocalDate(now, in: zone)
        let asked = try InputDates.pageDay(request.uri.queryParameters.get("from").map { String($0) }, field: "from", now: now)
        from = max(asked ?? today, today)
    }

    /// The next week's first day.
    var next: LocalDate { from.adding(days: Self.days) }
    /// The previous week's first day, when the shown week does not start today.
    var previous: LocalDate? { from > today ? max(today, from.adding(days: -Self.days)) : nil }
}
