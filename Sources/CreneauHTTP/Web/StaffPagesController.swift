import CreneauDomain
import Foundation
import Hummingbird

/// The secretaries' and practitioners' pages: their departments (`/staff`) and a
/// department's day (`/staff/agenda?department=&day=`) with who comes, why, and how
/// they booked — online bookings marked, with the reason the patient typed — and the
/// buttons to record an arrival or a no-show, with each practitioner's free time and
/// absences. The week views, absences and exceptional openings are in the
/// `StaffPagesController+Week`, `+Absences` and `+Openings` files.
struct StaffPagesController: Sendable {
    let agenda: StaffAgenda
    let booking: BookingService
    let browser: BrowserSession
    let clock: Clock
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>
    /// Marks the appointments refilled from the waiting list; nil: none is marked.
    var waitlist: Waitlist? = nil

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffPageContext.self)
        staff.get("/staff") { request, context in try await home(request, context.app, identity: context.identity) }
        staff.get("/staff/agenda") { request, context in try await day(request, context.app, booker: context.booker) }
        staff.get("/staff/absence") { request, context in
            try await absenceForm(request, context.app, booker: context.booker, fields: [:], hits: nil, saved: false, error: nil)
        }
        staff.post("/staff/absence") { request, context in try await absence(request, context.app, booker: context.booker) }
        staff.post("/staff/absence/cancel") { request, context in try await cancelHits(request, context.app, booker: context.booker) }
        staff.post("/staff/absence/{id}/lift") { request, context in try await liftAbsence(request, context.app, booker: context.booker) }
        staff.get("/staff/opening") { request, context in
            try await openingForm(request, context.app, booker: context.booker, fields: nil, saved: nil, error: nil)
        }
        staff.post("/staff/opening") { request, context in try await opening(request, context.app, booker: context.booker) }
        for (path, action) in [("arrive", AppointmentAction.arrive), ("noshow", .noShow)] {
            staff.post("/staff/appointments/{id}/\(path)") { request, context in try await mark(action, request, context.app, booker: context.booker) }
        }
    }

    func pages() throws -> WebPages { try renderer.get() }

    /// Where anyone but staff is sent (`StaffPageContext`, `PageErrorRenderer`).
    static let signIn = Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])

    func home(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let booker = identity.booker
        var page = PageContext(request, context)
        let pages = try pages()
        let departments = try await agenda.departments(for: booker)
        // A practitioner's own day first, then their departments' days.
        var links: [[String: Any]] = []
        if let practitionerID = identity.account.practitionerID,
           let profile = try? await agenda.practitioner(practitionerID, by: booker) {
            for department in profile.departments where booker.serves(department.id) {
                links.append(["name": "\(pages.text("staff_my_day", page.language)) — \(department.name)",
                              "href": "/staff/agenda?department=\(department.id.json)&practitioner=\(practitionerID.json)"])
            }
        }
        links += departments.map { ["name": $0.name, "href": "/staff/agenda?department=\($0.id.json)"] }
        if !identity.roles.isDisjoint(with: [.secretary, .siteAdmin, .groupAdmin]) {
            links.append(["name": pages.text("duplicates_title", page.language), "href": "/staff/duplicates"])
        }
        if !identity.roles.isDisjoint(with: [.siteAdmin, .groupAdmin]) {
            links.append(["name": pages.text("admin_title", page.language), "href": "/admin"])
        }
        if StatisticsViewer(identity) != nil {
            links.append(["name": pages.text("stats_title", page.language), "href": StatisticsPagesController.base])
        }
        return try pages.render("staff", page, title: pages.text("staff_title", page.language), values: [
            "name": identity.account.displayName, "csrf": page.csrf(request, context, browser), "departments": links,
        ])
    }

    /// `?week=` shows a week (from that day's Monday), else `?day=` (today by default) a day.
    func day(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard let departmentID = parameters.get("department").flatMap({ UUID(uuidString: String($0)) }) else {
            throw APIError.notFound("No department of yours has this id.")
        }
        let only = parameters.get("practitioner").flatMap { UUID(uuidString: String($0)) }
        if let week = parameters.get("week").map({ String($0) }) {
            return try await self.week(request, context, departmentID: departmentID, only: only,
                                       week: try InputDates.pageDay(week, field: "week", now: clock.now()), booker: booker)
        }
        var page = PageContext(request, context)
        let pages = try pages()
        let result = try await agenda.span(from: .day(try InputDates.pageDay(parameters.get("day").map { String($0) }, field: "day", now: clock.now())), days: 1,
                                           departmentID: departmentID, practitionerID: only, by: booker)
        let date = result.days[0], today = result.today
        let csrf = page.csrf(request, context, browser)
        let now = clock.now()
        let base = "/staff/agenda?department=\(departmentID.json)" + (only.map { "&practitioner=\($0.json)" } ?? "")
        let back = "\(base)&day=\(date.description)"
        let sent = try await agenda.messages(of: result.rows.flatMap { $0.cells[0].entries })
        let refilled = try await waitlist?.refilled(result.rows.flatMap { $0.cells[0].entries.map(\.appointment.id) }) ?? []
        let columns = result.rows.map { row -> [String: Any] in
            let cell = row.cells[0]
            let entries = cell.entries.map { entry -> [String: Any] in
                let appointment = entry.appointment
                var values: [String: Any] = [
                    "id": appointment.id.json, "csrf": csrf, "back": back,
                    "time": PageFormat.time(appointment.startsAt, result.timeZone, page.language),
                    "patient": entry.patient.map { "\($0.lastName.uppercased()) \($0.firstName) (\($0.birthDate.description))" } ?? "—",
                    "motive": entry.motive?.name ?? "", "online": appointment.channel == .online,
                    "channel": pages.text("channel_" + appointment.channel.rawValue, page.language),
                    "status": pages.text("status_" + appointment.status.rawValue, page.language), "statusClass": appointment.status.rawValue,
                    // Only the buttons the rules would accept: arrival on the day, no-show once the time has come.
                    "canArrive": appointment.status == .booked && now >= appointment.startsAt.addingTimeInterval(-AppointmentLifecycle.arrivalWindow),
                    "canNoShow": appointment.status == .booked && now >= appointment.startsAt,
                ]
                if let reason = appointment.reason, !reason.isEmpty { values["reason"] = reason }
                values["refilled"] = refilled.contains(appointment.id)
                if let summary = sent[appointment.id] {
                    let channels = { (set: Set<MessageChannel>) in MessageChannel.allCases.filter(set.contains).map { pages.text("message_channel_" + $0.rawValue, page.language) }.joined(separator: ", ") }
                    if !summary.sent.isEmpty { values["sentBy"] = channels(summary.sent) }
                    if !summary.failed.isEmpty { values["failedBy"] = channels(summary.failed) }
                    values["unreached"] = summary.unreached
                }
                // A first visit: once seen, the department may say it follows the patient (follow-up motives open to them).
                if appointment.status != .cancelled, entry.motive?.patients == .new {
                    values["canMarkKnown"] = true
                    values["patientId"] = appointment.patientID.json
                    values["departmentId"] = appointment.departmentID.json
                }
                // The next appointment for this patient with this practitioner (a follow-up at the end of a visit).
                if appointment.status != .cancelled {
                    values["nextHref"] = "/staff/book?practitioner=\(appointment.practitionerID.json)&patient=\(appointment.patientID.json)"
                }
                return values
            }
            var values: [String: Any] = [
                "practitioner": row.practitioner.displayName, "entries": entries, "hasEntries": !entries.isEmpty,
                "bookHref": "/staff/book?practitioner=\(row.practitioner.id.json)&from=\(date.description)",
                "absenceHref": "/staff/absence?practitioner=\(row.practitioner.id.json)",
                "openingHref": "/staff/opening?practitioner=\(row.practitioner.id.json)&department=\(departmentID.json)",
                "weekHref": "/staff/agenda?department=\(departmentID.json)&practitioner=\(row.practitioner.id.json)&week=\(date.description)",
            ]
            values.merge(Self.freeAndAbsent(cell, result.timeZone, pages, page.language)) { $1 }
            return values
        }
        return try pages.render("agenda", page, title: "\(result.department.name) — \(PageFormat.day(date.instant(atMinute: 720, in: result.timeZone), result.timeZone, page.language))", values: [
            "department": result.department.name, "day": PageFormat.day(date.instant(atMinute: 720, in: result.timeZone), result.timeZone, page.language),
            "previous": "\(base)&day=\(date.adding(days: -1).description)", "next": "\(base)&day=\(date.adding(days: 1).description)",
            "today": "\(base)&day=\(today.description)", "week": "\(base)&week=\(date.description)", "columns": columns, "wide": true,
            "markedKnown": parameters.get("known") != nil, "waitlistHref": "/staff/waitlist?department=\(departmentID.json)",
        ])
    }

    func mark(_ action: AppointmentAction, _ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        _ = try await booking.perform(action, appointmentID: id, by: booker, manageToken: nil)
        // Back to the agenda the button was on; only a path of ours, never another site.
        let back = fields["back"].flatMap { $0.hasPrefix("/staff/agenda?") ? $0 : nil } ?? "/staff"
        return Response(status: .seeOther, headers: [.location: back, .cacheControl: "no-store"])
    }
}
