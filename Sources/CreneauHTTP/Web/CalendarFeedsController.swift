import CreneauDomain
import Foundation
import Hummingbird

/// Calendar feeds. `GET /calendar/{token}.ics`: the calendar a calendar app subscribes to (no
/// sign-in: the token is the key; unknown or revoked: 404). `/staff/calendar`: a practitioner's
/// own address and their departments' for secretaries — renew (the old one stops at once, the new
/// one is shown this once), revoke, and the practitioner's choice of full names.
struct CalendarFeedsController: Sendable {
    let feeds: CalendarFeeds
    let agenda: StaffAgenda
    let browser: BrowserSession
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        router.get("/calendar/{token}") { _, context in
            var token = context.parameters.get("token") ?? ""
            if token.hasSuffix(".ics") { token.removeLast(4) }
            let text = try await feeds.calendar(token: token)
            return Response(status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "no-store",
                                                   .contentDisposition: "inline; filename=\"creneau.ics\""],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let staff = router.group(context: StaffPageContext.self)
        staff.get("/staff/calendar") { request, context in try await page(request, context, created: nil, notice: nil) }
        staff.post("/staff/calendar/renew") { request, context in try await change(request, context, renew: true) }
        staff.post("/staff/calendar/revoke") { request, context in try await change(request, context, renew: false) }
    }

    static func owner(_ text: String?) -> CalendarFeed.Owner? {
        guard let text else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        switch parts[0] {
        case "practitioner": return .practitioner(id)
        case "department": return .department(id)
        default: return nil
        }
    }

    func page(_ request: Request, _ context: StaffPageContext, created: (owner: CalendarFeed.Owner, url: String)?, notice: String?) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try renderer.get()
        let csrf = page.csrf(request, context.app, browser)
        let mine = context.identity.account.practitionerID
        var rows: [[String: Any]] = []
        func row(_ owner: CalendarFeed.Owner, name: String, own: Bool) async throws {
            let live = try await feeds.liveFeed(owner, by: context.booker, practitionerID: mine)
            let key: String = switch owner {
            case .practitioner(let id): "practitioner:\(id.json)"
            case .department(let id): "department:\(id.json)"
            }
            var values: [String: Any] = ["owner": key, "name": name, "csrf": csrf, "own": own, "live": live != nil, "fullNames": live?.fullNames ?? false]
            if let live { values["since"] = PageFormat.day(live.createdAt, Site.defaultZone, page.language) }
            if let created, created.owner == owner { values["url"] = created.url }
            rows.append(values)
        }
        if let mine { try await row(.practitioner(mine), name: pages.text("calendar_mine", page.language), own: true) }
        for department in try await agenda.departments(for: context.booker) { try await row(.department(department.id), name: department.name, own: false) }
        var values: [String: Any] = ["feeds": rows]
        if let notice { values["notice"] = notice }
        return try pages.render("staff-calendar", page, title: pages.text("calendar_title", page.language), values: values)
    }

    func change(_ request: Request, _ context: StaffPageContext, renew: Bool) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let pages = try renderer.get()
        let language = PageContext(request, context.app).language
        guard let owner = Self.owner(fields["owner"]) else { throw APIError.notFound("There is no such calendar.") }
        let mine = context.identity.account.practitionerID
        if renew {
            let (_, token) = try await feeds.renew(owner, fullNames: fields["fullNames"] == "on", by: context.booker, practitionerID: mine)
            return try await page(request, context, created: (owner, feeds.url(token: token)), notice: pages.text("calendar_renewed", language))
        }
        try await feeds.revoke(owner, by: context.booker, practitionerID: mine)
        return try await page(request, context, created: nil, notice: pages.text("calendar_revoked", language))
    }
}
