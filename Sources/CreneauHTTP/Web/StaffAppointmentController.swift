import CreneauDomain
import Foundation
import Hummingbird

/// One appointment at the desk (`/staff/appointments/{id}`, linked from each agenda row): who,
/// what, when, its history (who booked, moved, cancelled, when, by which channel), and the
/// hospital's own changes — cancelling with a reason the patient is told, or moving to another
/// free slot of the same practitioner and motive.
struct StaffAppointmentController: Sendable {
    let file: AppointmentFile
    let booking: BookingService
    let search: SlotSearch
    let browser: BrowserSession
    let clock: Clock
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffPageContext.self)
        staff.get("/staff/appointments/{id}") { request, context in try await show(request, context, error: nil, status: .ok) }
        staff.post("/staff/appointments/{id}/cancel") { request, context in try await cancel(request, context) }
        staff.get("/staff/appointments/{id}/move") { request, context in try await moveForm(request, context, error: nil, status: .ok) }
        staff.post("/staff/appointments/{id}/move") { request, context in try await move(request, context) }
        staff.post("/staff/appointments/{id}/noshows/lift") { request, context in try await liftNoShows(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    static func id(_ context: StaffPageContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        return id
    }

    static func agenda(_ appointment: Appointment, _ zone: TimeZone) -> String {
        "/staff/agenda?department=\(appointment.departmentID.json)&day=\(LocalDate(appointment.startsAt, in: zone).description)"
    }

    func show(_ request: Request, _ context: StaffPageContext, error: String?, status: HTTPResponse.Status) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        let found = try await file.file(of: try Self.id(context), by: context.booker)
        let appointment = found.appointment, zone = found.timeZone
        let history = found.history.map { entry -> [String: Any] in
            var what = pages.text("history_" + entry.event.action.rawValue, page.language)
            if entry.event.action == .statusChanged, let after = entry.event.after, let status = Self.status(in: after) {
                what += " — " + pages.text("status_" + status, page.language)
            }
            return [
                "when": "\(PageFormat.shortDay(entry.event.at, zone, page.language)) \(PageFormat.time(entry.event.at, zone, page.language))",
                "what": what, "who": entry.actor ?? pages.text("history_patient_link", page.language),
                "channel": entry.event.channel.map { pages.text("channel_" + $0.rawValue, page.language) } ?? "",
            ]
        }
        let live = appointment.status == .booked
        var values: [String: Any] = [
            "id": appointment.id.json, "csrf": page.csrf(request, context.app, browser),
            "patient": found.patient.map { "\($0.lastName.uppercased()) \($0.firstName) (\($0.birthDate.description))" } ?? "—",
            "contact": [found.patient?.phone, found.patient?.email].compactMap { $0 }.joined(separator: " · "),
            "motive": found.motive.name, "when": "\(PageFormat.day(appointment.startsAt, zone, page.language)) \(PageFormat.time(appointment.startsAt, zone, page.language))",
            "status": pages.text("status_" + appointment.status.rawValue, page.language), "channel": pages.text("channel_" + appointment.channel.rawValue, page.language),
            "history": history, "canChange": live, "agendaHref": Self.agenda(appointment, zone),
        ]
        values["messages"] = found.messages.map { message -> [String: Any] in
            let at = message.sentAt ?? message.nextAttemptAt
            var values: [String: Any] = [
                "kind": pages.text("message_kind_" + message.kind.rawValue, page.language),
                "channel": pages.text("message_channel_" + message.channel.rawValue, page.language),
                "state": pages.text("message_state_" + message.state.rawValue, page.language), "failed": message.state == .failed,
                "when": "\(PageFormat.shortDay(at, zone, page.language)) \(PageFormat.time(at, zone, page.language))",
            ]
            if message.state == .failed, let error = message.lastError, !error.isEmpty { values["error"] = error }
            return values
        }
        values["hasMessages"] = !found.messages.isEmpty
        // Nobody could be reached (no email, no mobile, or every message failed): the desk calls.
        values["unreached"] = OutboxMessage.nobodyReached(found.messages, status: appointment.status)
        if let (record, policy) = found.noShows {
            values["noShows"] = [
                "count": record.count, "months": policy.windowDays / 30, "limit": policy.limit, "blocked": record.count >= policy.limit,
                "lifted": record.liftedAt.map { PageFormat.day($0, zone, page.language) } ?? "",
            ] as [String: Any]
        }
        if let reason = appointment.reason { values["reason"] = reason }
        if let notes = appointment.notes { values["notes"] = notes }
        if let cancelled = appointment.cancellationReason { values["cancellationReason"] = cancelled }
        if let error { values["error"] = error }
        return try pages.render("staff-appointment", page, title: pages.text("staff_appointment_title", page.language), values: values, status: status)
    }

    /// The status a history snapshot records (`{"status":"fulfilled",…}`).
    static func status(in snapshot: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(snapshot.utf8)) as? [String: Any])?["status"] as? String
    }

    func liftNoShows(_ request: Request, _ context: StaffPageContext) async throws -> Response {
        _ = try await FormBody.parse(request)
        let id = try Self.id(context)
        try await file.liftNoShows(appointmentID: id, by: context.booker)
        return Response(status: .seeOther, headers: [.location: "/staff/appointments/\(id.json)", .cacheControl: "no-store"])
    }

    func cancel(_ request: Request, _ context: StaffPageContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context.app)
        let pages = try pages()
        // The hospital always says why: the patient is told, and the history keeps it.
        guard let reason = fields["reason"]?.trimmed.nilIfEmpty, reason.count <= 500 else {
            return try await show(request, context, error: pages.text("staff_cancel_reason_missing", page.language), status: .unprocessableContent)
        }
        let cancelled = try await booking.perform(.cancel(reason: reason), appointmentID: try Self.id(context), by: context.booker, manageToken: nil)
        let (_, zone) = try await booking.context(of: cancelled)
        return Response(status: .seeOther, headers: [.location: Self.agenda(cancelled, zone), .cacheControl: "no-store"])
    }

    func moveForm(_ request: Request, _ context: StaffPageContext, error: String?, status: HTTPResponse.Status) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        let found = try await file.file(of: try Self.id(context), by: context.booker)
        let appointment = found.appointment, zone = found.timeZone
        let window = try WeekWindow(request, zone: zone, now: clock.now())
        let week = try await search.slots(practitionerID: appointment.practitionerID, motive: found.motive, channel: StaffBookingController.channel(for: context.booker),
                                          from: window.from, days: WeekWindow.days)
        let csrf = page.csrf(request, context.app, browser)
        let base = "/staff/appointments/\(appointment.id.json)/move"
        var values: [String: Any] = [
            "motiveName": found.motive.name, "who": found.patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "",
            "currentDay": PageFormat.day(appointment.startsAt, zone, page.language), "currentTime": PageFormat.time(appointment.startsAt, zone, page.language),
            "next": "\(base)?from=\(window.next.description)", "back": "/staff/appointments/\(appointment.id.json)", "action": base,
            "days": PageFormat.days(week.slots, week.timeZone, page.language) { slot in
                ["start": String(Int64(slot.start.timeIntervalSince1970)), "time": PageFormat.time(slot.start, week.timeZone, page.language)]
            },
            "hasSlots": !week.slots.isEmpty, "csrf": csrf,
        ]
        if let error { values["error"] = error }
        if let previous = window.previous { values["previous"] = "\(base)?from=\(previous.description)" }
        return try pages.render("staff-move", page, title: pages.text("move_title", page.language), values: values, status: status)
    }

    func move(_ request: Request, _ context: StaffPageContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context.app)
        let pages = try pages()
        let start = try InputDates.instant(unixSeconds: fields["start"], field: "start", now: clock.now())
        let moved: Appointment
        do {
            moved = try await booking.perform(.move(start: start, end: start, reason: fields["reason"]?.trimmed.nilIfEmpty),
                                              appointmentID: try Self.id(context), by: context.booker, manageToken: nil)
        } catch BookingError.refused(let violation) {
            return try await moveForm(request, context, error: PatientPagesController.translate(violation, pages: pages, language: page.language),
                                      status: .unprocessableContent)
        }
        let (_, zone) = try await booking.context(of: moved)
        return Response(status: .seeOther, headers: [.location: Self.agenda(moved, zone), .cacheControl: "no-store"])
    }
}
