import CreneauDomain
import Foundation
import Hummingbird

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
