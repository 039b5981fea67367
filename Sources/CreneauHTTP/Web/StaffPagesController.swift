import CreneauDomain
import Foundation
import Hummingbird

/// The secretaries' and practitioners' pages: their departments (`/staff`) and a
/// department's day (`/staff/agenda?department=&day=`) with who comes, why, and how
/// they booked — online bookings marked, with the reason the patient typed — and the
/// buttons to record an arrival or a no-show.
struct StaffPagesController: Sendable {
    let agenda: StaffAgenda
    let booking: BookingService
    let browser: BrowserSession
    let clock: Clock

    func register(on router: Router<AppRequestContext>) {
        router.get("/staff") { request, context in try await home(request, context) }
        router.get("/staff/agenda") { request, context in try await day(request, context) }
        router.get("/staff/absence") { request, context in try await absenceForm(request, context, fields: [:], hits: nil, saved: false, error: nil) }
        router.post("/staff/absence") { request, context in try await absence(request, context) }
        router.get("/staff/opening") { request, context in try await openingForm(request, context, fields: nil, saved: nil, error: nil) }
        router.post("/staff/opening") { request, context in try await opening(request, context) }
        for (path, action) in [("arrive", AppointmentAction.arrive), ("noshow", .noShow)] {
            router.post("/staff/appointments/{id}/\(path)") { request, context in try await mark(action, request, context) }
        }
    }

    func pages() throws -> WebPages { try WebPages.shared.get() }

    /// Staff only; anyone else is sent to sign in.
    func staff(_ context: AppRequestContext) -> Booker? {
        guard let identity = context.identity, identity.isStaff else { return nil }
        return identity.booker
    }

    static let signIn = Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])

    func home(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let booker = staff(context), let identity = context.identity else { return Self.signIn }
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
        if !identity.roles.isDisjoint(with: [.siteAdmin, .groupAdmin]) {
            links.append(["name": pages.text("admin_title", page.language), "href": "/admin"])
        }
        return try pages.render("staff", page, title: pages.text("staff_title", page.language), values: [
            "name": identity.account.displayName, "csrf": page.csrf(request, context, browser), "departments": links,
        ])
    }

    /// `?week=` shows a week (from that day's Monday), else `?day=` (today by default) a day.
    func day(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let booker = staff(context) else { return Self.signIn }
        let parameters = request.uri.queryParameters
        guard let departmentID = parameters.get("department").flatMap({ UUID(uuidString: String($0)) }) else {
            throw APIError.notFound("No department of yours has this id.")
        }
        let only = parameters.get("practitioner").flatMap { UUID(uuidString: String($0)) }
        if let week = parameters.get("week").map({ String($0) }) {
            return try await self.week(request, context, departmentID: departmentID, only: only, week: LocalDate(week), booker: booker)
        }
        var page = PageContext(request, context)
        let pages = try pages()
        let today = LocalDate(clock.now(), in: try await agenda.timeZone(departmentID: departmentID, by: booker))
        let date = parameters.get("day").flatMap { LocalDate(String($0)) } ?? today
        let result = try await agenda.span(from: date, days: 1, departmentID: departmentID, practitionerID: only, by: booker)
        let csrf = page.csrf(request, context, browser)
        let now = clock.now()
        let base = "/staff/agenda?department=\(departmentID.json)" + (only.map { "&practitioner=\($0.json)" } ?? "")
        let back = "\(base)&day=\(date.description)"
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
        ])
    }

    /// "Free 10:30–12:00, 14:00–15:00" and "Absent 09:00–10:00" for a practitioner's day; nothing when there is none.
    static func freeAndAbsent(_ cell: StaffAgenda.Cell, _ zone: TimeZone, _ pages: WebPages, _ language: Language) -> [String: Any] {
        func spans(_ intervals: [Interval]) -> String {
            intervals.map { "\(PageFormat.time($0.start, zone, language))–\(PageFormat.time($0.end, zone, language))" }.joined(separator: ", ")
        }
        var values: [String: Any] = [:]
        if !cell.free.isEmpty { values["free"] = spans(cell.free) }
        if !cell.absences.isEmpty { values["absent"] = spans(cell.absences) }
        return values
    }

    /// A week: for a department, who has how many appointments and how much free time each day (no
    /// patient named); for one practitioner, every appointment of the week with its patient.
    func week(_ request: Request, _ context: AppRequestContext, departmentID: UUID, only: UUID?, week: LocalDate?, booker: Booker) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        let today = LocalDate(clock.now(), in: try await agenda.timeZone(departmentID: departmentID, by: booker))
        let day = week ?? today
        let monday = day.adding(days: 1 - day.isoWeekday)
        let result = try await agenda.span(from: monday, days: 7, departmentID: departmentID, practitionerID: only, patients: only != nil, by: booker)
        let zoneOfSite = result.timeZone
        let base = "/staff/agenda?department=\(departmentID.json)" + (only.map { "&practitioner=\($0.json)" } ?? "")
        func noon(_ date: LocalDate) -> Date { date.instant(atMinute: 720, in: zoneOfSite) }
        func dayHref(_ date: LocalDate, _ practitioner: UUID?) -> String {
            "/staff/agenda?department=\(departmentID.json)" + (practitioner.map { "&practitioner=\($0.json)" } ?? "") + "&day=\(date.description)"
        }
        var values: [String: Any] = [
            "department": result.department.name, "week": PageFormat.day(noon(monday), zoneOfSite, page.language),
            "previous": "\(base)&week=\(monday.adding(days: -7).description)", "next": "\(base)&week=\(monday.adding(days: 7).description)",
            "thisWeek": "\(base)&week=\(today.description)", "dayHref": "\(base)&day=\(monday < today && today < monday.adding(days: 7) ? today : monday)",
            "wide": true,
        ]
        if let row = result.rows.first, only != nil {
            values["practitioner"] = row.practitioner.displayName
            values["detail"] = row.cells.map { cell -> [String: Any] in
                var values: [String: Any] = [
                    "day": PageFormat.day(noon(cell.date), zoneOfSite, page.language), "href": dayHref(cell.date, row.practitioner.id),
                    "hasEntries": !cell.entries.isEmpty,
                    "entries": cell.entries.map { entry -> [String: Any] in
                        var values: [String: Any] = [
                            "time": PageFormat.time(entry.appointment.startsAt, zoneOfSite, page.language),
                            "patient": entry.patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "—",
                            "motive": entry.motive?.name ?? "", "online": entry.appointment.channel == .online,
                            "status": pages.text("status_" + entry.appointment.status.rawValue, page.language), "statusClass": entry.appointment.status.rawValue,
                        ]
                        if let reason = entry.appointment.reason, !reason.isEmpty { values["reason"] = reason }
                        return values
                    },
                ]
                values.merge(Self.freeAndAbsent(cell, zoneOfSite, pages, page.language)) { $1 }
                return values
            }
        } else {
            values["overview"] = true
            values["days"] = result.days.map { ["day": PageFormat.shortDay(noon($0), zoneOfSite, page.language), "href": dayHref($0, nil)] }
            values["rows"] = result.rows.map { row -> [String: Any] in
                [
                    "practitioner": row.practitioner.displayName,
                    "href": "/staff/agenda?department=\(departmentID.json)&practitioner=\(row.practitioner.id.json)&week=\(monday.description)",
                    "cells": row.cells.map { cell -> [String: Any] in
                        var values: [String: Any] = [
                            "href": dayHref(cell.date, row.practitioner.id),
                            "count": "\(cell.activeCount) \(pages.text("agenda_week_appointments", page.language))",
                        ]
                        if cell.freeMinutes > 0 {
                            let hours = cell.freeMinutes / 60, minutes = cell.freeMinutes % 60
                            values["free"] = "\(pages.text("agenda_free", page.language)) \(hours) h" + (minutes > 0 ? " \(minutes < 10 ? "0" : "")\(minutes)" : "")
                        }
                        if !cell.absences.isEmpty { values["absent"] = true }
                        // Nothing booked and nothing free: closed (or past), not "0 appointments".
                        if cell.activeCount == 0 && cell.freeMinutes == 0 { values["count"] = "—" }
                        return values
                    },
                ]
            }
        }
        let title = "\(pages.text("agenda_week_title", page.language)) \(PageFormat.day(noon(monday), zoneOfSite, page.language))"
        return try pages.render("agenda-week", page, title: "\(values["practitioner"] as? String ?? result.department.name) — \(title)", values: values)
    }

    func mark(_ action: AppointmentAction, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let booker = staff(context) else { return Self.signIn }
        let fields = try await FormBody.parse(request)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        _ = try await booking.perform(action, appointmentID: id, by: booker, manageToken: nil)
        // Back to the agenda the button was on; only a path of ours, never another site.
        let back = fields["back"].flatMap { $0.hasPrefix("/staff/agenda?") ? $0 : nil } ?? "/staff"
        return Response(status: .seeOther, headers: [.location: back, .cacheControl: "no-store"])
    }

    // MARK: Absences

    /// "2026-11-30T08:00" from a datetime-local field, in the site's zone.
    static func localInstant(_ text: String?, zone: TimeZone) -> Date? {
        guard let text, text.count >= 16, let day = LocalDate(text.prefix(10)) else { return nil }
        let time = text.dropFirst(11).prefix(5).split(separator: ":")
        guard time.count == 2, let hour = Int(time[0]), let minute = Int(time[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return day.instant(atMinute: hour * 60 + minute, in: zone)
    }

    func absenceForm(_ request: Request, _ context: AppRequestContext, fields: [String: String], hits: [StaffAgenda.Entry]?, saved: Bool,
                     error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let booker = staff(context) else { return Self.signIn }
        var page = PageContext(request, context)
        let pages = try pages()
        guard let id = (fields["practitioner"] ?? request.uri.queryParameters.get("practitioner").map { String($0) }).flatMap(UUID.init(uuidString:)),
              let profile = try? await agenda.practitioner(id, by: booker) else { throw APIError.notFound("No practitioner of your departments has this id.") }
        let zone = profile.timeZone
        var values: [String: Any] = [
            "practitioner": profile.practitioner.displayName, "practitionerId": id.json, "csrf": page.csrf(request, context, browser),
            "from": fields["from"] ?? "", "to": fields["to"] ?? "", "reason": fields["reason"] ?? "", "saved": saved, "back": "/staff",
        ]
        if let hits {
            values["previewed"] = true
            values["count"] = hits.count
            values["hasHits"] = !hits.isEmpty
            values["hits"] = hits.map { entry -> [String: Any] in
                let day = LocalDate(entry.appointment.startsAt, in: zone)
                return [
                    "href": "/staff/agenda?department=\(entry.appointment.departmentID.json)&day=\(day.description)",
                    "day": PageFormat.day(entry.appointment.startsAt, zone, page.language), "time": PageFormat.time(entry.appointment.startsAt, zone, page.language),
                    "patient": entry.patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "—", "phone": entry.patient?.phone ?? "",
                    "motive": entry.motive?.name ?? "",
                ]
            }
        }
        if let error { values["error"] = error }
        return try pages.render("absence", page, title: pages.text("absence_title", page.language), values: values, status: status)
    }

    func absence(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let booker = staff(context) else { return Self.signIn }
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let id = fields["practitioner"].flatMap(UUID.init(uuidString:)) else { throw APIError.notFound("No practitioner of your departments has this id.") }
        // Times typed are the practitioner's site's wall-clock times.
        let zone = try await agenda.practitioner(id, by: booker).timeZone
        guard let start = Self.localInstant(fields["from"], zone: zone), let end = Self.localInstant(fields["to"], zone: zone), end > start else {
            return try await absenceForm(request, context, fields: fields, hits: nil, saved: false, error: pages.text("absence_bad_dates", page.language),
                                         status: .unprocessableContent)
        }
        do {
            if fields["action"] == "save" {
                let (_, hits) = try await agenda.addAbsence(practitionerID: id, from: start, to: end, reason: fields["reason"] ?? "", by: booker)
                return try await absenceForm(request, context, fields: fields, hits: hits, saved: true, error: nil)
            }
            let hits = try await agenda.appointmentsHit(practitionerID: id, from: start, to: end, by: booker)
            return try await absenceForm(request, context, fields: fields, hits: hits, saved: false, error: nil)
        } catch BookingError.refused(let violation) {
            return try await absenceForm(request, context, fields: fields, hits: nil, saved: false,
                                         error: PatientPagesController.translate(violation, pages: pages, language: page.language), status: .unprocessableContent)
        }
    }

    // MARK: Extra openings

    /// The form for an exceptional session (`?practitioner=&department=`); `fields` are what was typed.
    func openingForm(
        _ request: Request, _ context: AppRequestContext, fields: [String: String]?, saved: ScheduleException?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let booker = staff(context) else { return Self.signIn }
        var page = PageContext(request, context)
        let pages = try pages()
        func parameter(_ name: String) -> UUID? {
            (fields?[name] ?? request.uri.queryParameters.get(name).map { String($0) }).flatMap(UUID.init(uuidString:))
        }
        guard let practitionerID = parameter("practitioner"), let departmentID = parameter("department") else {
            throw APIError.notFound("No practitioner of your departments has this id.")
        }
        let (profile, department, zone, motives) = try await agenda.openingChoices(practitionerID: practitionerID, departmentID: departmentID, by: booker)
        // A first visit to the form proposes the channels staff book through; online is a choice.
        let chosenChannels: Set<String> = fields.map { typed in Set(AdminPagesController.channels.map(\.rawValue).filter { typed["ch-" + $0] != nil }) }
            ?? [Channel.phone.rawValue, Channel.desk.rawValue, Channel.practitioner.rawValue]
        var values: [String: Any] = [
            "practitioner": profile.practitioner.displayName, "practitionerId": practitionerID.json, "department": department.name,
            "departmentId": departmentID.json, "csrf": page.csrf(request, context, browser),
            "from": fields?["from"] ?? "", "to": fields?["to"] ?? "", "reason": fields?["reason"] ?? "",
            "channels": AdminPagesController.channels.map { ["name": "ch-" + $0.rawValue, "label": pages.text("channel_" + $0.rawValue, page.language),
                                                           "checked": chosenChannels.contains($0.rawValue)] },
            "motives": motives.map { ["name": "m-" + $0.id.json, "label": $0.name, "checked": fields?["m-" + $0.id.json] != nil] },
            "backHref": "/staff/agenda?department=\(departmentID.json)",
        ]
        if let saved {
            values["saved"] = true
            values["dayHref"] = "/staff/agenda?department=\(departmentID.json)&practitioner=\(practitionerID.json)&day=\(LocalDate(saved.startsAt, in: zone).description)"
        }
        if let error { values["error"] = error }
        return try pages.render("opening", page, title: pages.text("opening_title", page.language), values: values, status: status)
    }

    func opening(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let booker = staff(context) else { return Self.signIn }
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let practitionerID = fields["practitioner"].flatMap(UUID.init(uuidString:)), let departmentID = fields["department"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("No practitioner of your departments has this id.")
        }
        let (_, _, zone, _) = try await agenda.openingChoices(practitionerID: practitionerID, departmentID: departmentID, by: booker)
        func refuse(_ problem: StaffAgenda.OpeningProblem) async throws -> Response {
            try await openingForm(request, context, fields: fields, saved: nil, error: pages.text(problem.rawValue, page.language), status: .unprocessableContent)
        }
        guard let start = Self.localInstant(fields["from"], zone: zone), let end = Self.localInstant(fields["to"], zone: zone) else { return try await refuse(.times) }
        let channels = ChannelSet(channels: AdminPagesController.channels.filter { fields["ch-" + $0.rawValue] != nil })
        // Ticked boxes that are not ids of this department's motives are refused by the rule, not dropped.
        let ticked = fields.keys.filter { $0.hasPrefix("m-") }.map { UUID(uuidString: String($0.dropFirst(2))) ?? UUID() }
        do {
            let saved = try await agenda.addOpening(
                practitionerID: practitionerID, departmentID: departmentID, from: start, to: end, channels: channels, motiveIDs: ticked,
                reason: fields["reason"] ?? "", by: booker)
            return try await openingForm(request, context, fields: fields, saved: saved, error: nil)
        } catch let problem as StaffAgenda.OpeningProblem {
            return try await refuse(problem)
        }
    }
}
