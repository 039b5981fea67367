import CreneauDomain
import Foundation
import Hummingbird

/// A department's waiting list for its secretaries (`/staff/waitlist?department=`): who waits
/// for what since when, in the order offers go (urgent first), the offers sent and how they
/// ended; add a caller (found by name and birth date), remove an entry, mark one urgent.
struct StaffWaitlistController: Sendable {
    let waitlist: Waitlist
    let agenda: StaffAgenda
    let records: PatientRecords
    let motives: any SchedulingRepository
    let directory: any DirectoryRepository
    let browser: BrowserSession
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffPageContext.self)
        staff.get("/staff/waitlist") { request, context in try await list(request, context.app, booker: context.booker, fields: [:], notice: nil, error: nil) }
        staff.post("/staff/waitlist") { request, context in try await add(request, context.app, booker: context.booker) }
        staff.post("/staff/waitlist/{id}/remove") { request, context in try await change(request, context.app, booker: context.booker, remove: true) }
        staff.post("/staff/waitlist/{id}/urgent") { request, context in try await change(request, context.app, booker: context.booker, remove: false) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    func list(_ request: Request, _ context: AppRequestContext, booker: Booker, fields: [String: String], notice: String?, error: String?,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let csrf = page.csrf(request, context, browser)
        let departments = try await agenda.departments(for: booker)
        let asked = (fields["department"] ?? request.uri.queryParameters.get("department").map { String($0) }).flatMap(UUID.init(uuidString:))
        guard let department = departments.first(where: { $0.id == asked }) ?? departments.first else {
            throw APIError.notFound("You serve no department.")
        }
        let motives = try await self.motives.motives(departmentID: department.id).filter(\.isActive)
        let members = try await directory.members(of: department)
        let motiveNames = Dictionary(motives.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let memberNames = Dictionary(members.map { ($0.practitioner.id, $0.practitioner.displayName) }, uniquingKeysWith: { first, _ in first })
        let zone = Site.defaultZone
        var position = 0
        let rows = try await waitlist.departmentWithPatients(department.id, by: booker).map { item, patient -> [String: Any] in
            let entry = item.entry
            let waiting = entry.state == .waiting
            if waiting { position += 1 }
            let days = entry.preferences.weekdays.sorted().map { pages.text("weekday_short_\($0)", page.language) }.joined(separator: " ")
            return [
                "id": entry.id.json, "csrf": csrf, "department": department.id.json, "position": waiting ? String(position) : "—",
                "patient": patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "—", "birthDate": patient?.birthDate.description ?? "",
                "phone": patient?.phone ?? "", "motive": motiveNames[entry.motiveID] ?? "",
                "practitioner": entry.practitionerID.flatMap { memberNames[$0] } ?? pages.text("waitlist_any_practitioner", page.language),
                "window": "\(entry.preferences.firstDay) → \(entry.preferences.lastDay)", "days": days,
                "part": pages.text("waitlist_day_" + entry.preferences.dayPart.rawValue, page.language),
                "since": PageFormat.day(entry.createdAt, zone, page.language), "urgent": entry.urgent, "waiting": waiting,
                "state": pages.text("waitlist_state_" + entry.state.rawValue, page.language),
                "offers": item.offers.map { offer -> [String: Any] in
                    ["when": "\(PageFormat.shortDay(offer.startsAt, zone, page.language)) \(PageFormat.time(offer.startsAt, zone, page.language))",
                     "outcome": pages.text("waitlist_outcome_" + offer.state.rawValue, page.language)]
                },
            ]
        }
        let weekdays = Set((fields["weekdays"] ?? "1,2,3,4,5").split(separator: ",").compactMap { Int($0) })
        let today = LocalDate(waitlist.now, in: zone)
        var values: [String: Any] = [
            "wide": true, "csrf": csrf, "departmentId": department.id.json, "departmentName": department.name,
            "departments": departments.map { ["id": $0.id.json, "name": $0.name, "selected": $0.id == department.id] },
            "entries": rows, "none": rows.isEmpty,
            "motives": motives.map { ["id": $0.id.json, "name": $0.name, "selected": fields["motive"] == $0.id.json] },
            "practitioners": members.map { ["id": $0.practitioner.id.json, "name": $0.practitioner.displayName, "selected": fields["practitioner"] == $0.practitioner.id.json] },
            "lastName": fields["lastName"] ?? "", "birthDate": fields["birthDate"] ?? "",
            "from": fields["from"] ?? today.description, "to": fields["to"] ?? today.adding(days: 60).description,
            "weekdays": (1...7).map { ["value": $0, "name": pages.text("weekday_\($0)", page.language), "checked": weekdays.contains($0)] },
            "notices": [0, 2, 24, 48, 72].map { ["value": $0, "selected": Int(fields["noticeHours"] ?? "24") == $0, "label": pages.text("waitlist_notice_\($0)", page.language)] },
        ]
        values.merge(try await WaitlistPagesController.doctorValues(fields, waitlist: waitlist)) { $1 }
        if let notice { values["notice"] = notice }
        if notice == nil, error == nil, request.uri.queryParameters.get("added") != nil { values["notice"] = pages.text("waitlist_staff_added", page.language) }
        if let error { values["error"] = error }
        return try pages.render("staff-waitlist", page, title: "\(pages.text("waitlist_title", page.language)) — \(department.name)", values: values, status: status)
    }

    /// Adds a caller found by last name and birth date (exactly one record: anyone else is a human's call).
    func add(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        var fields = try await FormBody.parse(request)
        fields["weekdays"] = (1...7).filter { fields["weekday\($0)"] == "on" }.map(String.init).joined(separator: ",")
        let page = PageContext(request, context)
        let pages = try pages()
        func refuse(_ text: String, _ status: HTTPResponse.Status) async throws -> Response {
            try await list(request, context, booker: booker, fields: fields, notice: nil, error: text, status: status)
        }
        if fields["action"] == "search_doctor" {
            return try await list(request, context, booker: booker, fields: fields, notice: nil, error: nil)
        }
        let birthDate = InputDates.birthDate(form: fields["birthDate"])
        guard let name = fields["lastName"]?.trimmed.nilIfEmpty, let birthDate else {
            return try await refuse(pages.text("waitlist_staff_find", page.language), .unprocessableContent)
        }
        let found: [Patient]
        do {
            found = try await records.search(name, birthDate: birthDate, by: booker)
        } catch BookingError.refused(let violation) {
            return try await refuse(PatientPagesController.translate(violation, pages: pages, language: page.language), .unprocessableContent)
        }
        guard found.count == 1, let patient = found.first else {
            return try await refuse(pages.text(found.isEmpty ? "waitlist_staff_nobody" : "waitlist_staff_several", page.language), .unprocessableContent)
        }
        let body = WaitlistController.JoinBody(form: fields, patientId: patient.id.json)
        do {
            _ = try await waitlist.join(try WaitlistController.request(body, now: waitlist.now), by: booker)
        } catch let error as APIError {
            return try await refuse(error.message, .badRequest)
        } catch BookingError.refused(let violation) {
            return try await refuse(PatientPagesController.translate(violation, pages: pages, language: page.language), .unprocessableContent)
        }
        let department = fields["department"] ?? ""
        return Response(status: .seeOther, headers: [.location: "/staff/waitlist?department=\(department)&added=1", .cacheControl: "no-store"])
    }

    func change(_ request: Request, _ context: AppRequestContext, booker: Booker, remove: Bool) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw APIError.notFound("No waiting-list entry has this id.") }
        do {
            if remove {
                try await waitlist.cancel(entryID: id, by: booker)
            } else {
                try await waitlist.setUrgent(entryID: id, urgent: fields["urgent"] == "1", by: booker)
            }
        } catch BookingError.invalidTransition {
            // Closed meanwhile (booked from an offer, removed by a colleague): the list shows how it stands.
        }
        let department = fields["department"].flatMap(UUID.init(uuidString:))?.json ?? ""
        return Response(status: .seeOther, headers: [.location: "/staff/waitlist?department=\(department)", .cacheControl: "no-store"])
    }
}
