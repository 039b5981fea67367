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

/// The slot a staff or referral booking form holds: what the form shows of it (motive,
/// practitioner, day, time, until when it is kept), or the "time ran out" page when the hold
/// lapsed, is not the caller's, or its motive is no longer offered.
enum HeldSlot {
    static func values(
        _ holdText: String?, booker: Booker, booking: BookingService, directory: any DirectoryRepository, clock: Clock,
        pages: WebPages, page: PageContext, csrf: String, key: String?
    ) async throws -> Result<[String: Any], HeldSlotEnded> {
        guard let holdText, let id = UUID(uuidString: holdText),
              let hold = try await booking.ownedHold(id: id, by: booker, token: nil), hold.expiresAt > clock.now(),
              let offer = try await directory.practitionerWithMotives(id: hold.practitionerID, now: clock.now()),
              let motive = offer.motives.first(where: { $0.id == hold.motiveID }) else {
            return .failure(HeldSlotEnded(response: try pages.render("message", page, title: pages.text("book_hold_expired_title", page.language), values: [
                "text": pages.text("book_hold_expired_text", page.language), "kind": "error", "role": "alert",
            ], status: .gone)))
        }
        let zone = offer.profile.timeZone
        return .success([
            "hold": id.json, "csrf": csrf, "key": key ?? TokenGenerator.random.next(),
            "motiveName": motive.name, "practitionerName": offer.profile.practitioner.displayName,
            "day": PageFormat.day(hold.startsAt, zone, page.language), "time": PageFormat.time(hold.startsAt, zone, page.language),
            "heldUntil": PageFormat.time(hold.expiresAt, zone, page.language),
        ])
    }
}

/// The page that says a held slot is gone.
struct HeldSlotEnded: Error {
    let response: Response
}
