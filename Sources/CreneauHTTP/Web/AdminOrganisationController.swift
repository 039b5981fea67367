import CreneauDomain
import Foundation
import Hummingbird

/// Setting up the hospital in pages (`/admin/organisation`): sites and departments, closures
/// here; practitioners, rooms and motives in `+People`. Every form is `admin-form`; a refusal
/// keeps what was typed and outlines the field; taking something out of service answers with
/// the appointments still booked in it.
struct AdminOrganisationController: Sendable {
    let admin: OrganisationAdmin
    let organisation: any OrganisationRepository
    let clock: Clock
    let browser: BrowserSession
    let ids: IDGenerator
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: AdminPageContext.self)
        group.get("/admin/organisation") { request, context in try await overview(request, context) }
        group.get("/admin/sites/new") { request, context in try await siteForm(request, context, site: nil, fields: nil, problem: nil) }
        group.post("/admin/sites/new") { request, context in try await saveSite(request, context, id: nil) }
        group.get("/admin/sites/{id}") { request, context in
            try await siteForm(request, context, site: try await admin.site(try Self.id(context), for: context.administrator), fields: nil, problem: nil)
        }
        group.post("/admin/sites/{id}") { request, context in try await saveSite(request, context, id: try Self.id(context)) }
        group.get("/admin/sites/{id}/departments/new") { request, context in
            try await departmentForm(request, context, siteID: try Self.id(context), department: nil, fields: nil, problem: nil)
        }
        group.post("/admin/sites/{id}/departments/new") { request, context in try await saveDepartment(request, context, siteID: try Self.id(context), id: nil) }
        group.get("/admin/departments/{id}") { request, context in
            let (department, site) = try await admin.department(try Self.id(context), for: context.administrator)
            return try await departmentForm(request, context, siteID: site.id, department: department, fields: nil, problem: nil)
        }
        group.post("/admin/departments/{id}") { request, context in
            let (department, _) = try await admin.department(try Self.id(context), for: context.administrator)
            return try await saveDepartment(request, context, siteID: department.siteID, id: department.id)
        }
        group.post("/admin/sites/{id}/closures") { request, context in try await addClosure(request, context, siteID: try Self.id(context)) }
        group.post("/admin/sites/{id}/closures/{day}/remove") { request, context in
            guard let day = context.parameters.get("day").flatMap({ LocalDate($0) }) else { throw APIError.notFound("No closure that day.") }
            try await admin.removeClosure(siteID: try Self.id(context), date: day, by: context.administrator)
            return Self.backToOverview(notice: "closure_removed")
        }
        registerPeople(on: group)
    }

    func pages() throws -> WebPages { try renderer.get() }

    static func id(_ context: AdminPageContext, _ name: String = "id") throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else { throw APIError.notFound("Nothing of yours has this id.") }
        return id
    }

    static func backToOverview(notice: String) -> Response {
        Response(status: .seeOther, headers: [.location: "/admin/organisation?notice=\(notice)", .cacheControl: "no-store"])
    }

    /// A refusal in the reader's language: the rule's sentence in English, its translation otherwise.
    static func sentence(_ problem: OrganisationRules.Problem, _ pages: WebPages, _ language: Language) -> String {
        guard language != .en else { return problem.message }
        for key in [problem.key, "admin_problem_" + problem.key] where pages.text(key, language) != key { return pages.text(key, language) }
        return problem.message
    }

    // MARK: The overview

    func overview(_ request: Request, _ context: AdminPageContext, affected: [Appointment] = [], error: String? = nil,
                  status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        let csrf = page.csrf(request, context.app, browser)
        let administrator = context.administrator
        var sites: [[String: Any]] = []
        for site in try await admin.sites(for: administrator) {
            let zone = TimeZone(identifier: site.timeZone) ?? Site.defaultZone
            let departments = try await organisation.departments(siteID: site.id)
            let people = try await admin.practitioners(of: site.id, for: administrator)
            let resources = try await admin.resources(of: site.id, for: administrator)
            let today = LocalDate(clock.now(), in: zone)
            let holidays = PublicHolidays.days(year: today.year, calendar: site.holidayCalendar).filter { $0.date >= today }
                + PublicHolidays.days(year: today.year + 1, calendar: site.holidayCalendar)
            sites.append([
                "id": site.id.json, "name": site.name, "address": site.address, "phone": site.phone, "active": site.isActive, "csrf": csrf,
                "editHref": "/admin/sites/\(site.id.json)", "canCreateDepartment": administrator.administersGroup(site.groupID),
                "newDepartmentHref": "/admin/sites/\(site.id.json)/departments/new",
                "newPractitionerHref": "/admin/sites/\(site.id.json)/practitioners/new", "newResourceHref": "/admin/sites/\(site.id.json)/resources/new",
                "closureHref": "/admin/sites/\(site.id.json)/closures",
                "departments": departments.map { department -> [String: Any] in
                    ["name": department.name, "href": "/admin/departments/\(department.id.json)", "active": department.isActive,
                     "online": department.onlineBooking, "motiveHref": "/admin/departments/\(department.id.json)/motives/new"]
                },
                "practitioners": people.map { entry -> [String: Any] in
                    ["name": entry.practitioner.displayName, "active": entry.practitioner.isActive,
                     "href": "/admin/sites/\(site.id.json)/practitioners/\(entry.practitioner.id.json)"]
                },
                "resources": resources.map {
                    ["name": $0.name, "capacity": $0.capacity, "active": $0.isActive, "href": "/admin/resources/\($0.id.json)",
                     "hoursHref": "/admin/resources/\($0.id.json)/hours"] as [String: Any]
                },
                "closures": try await organisation.holidays(siteID: site.id).filter { $0.date >= today }.map { closure -> [String: Any] in
                    ["day": PageFormat.day(closure.date.instant(atMinute: 720, in: zone), zone, page.language), "name": closure.name, "csrf": csrf,
                     "removeHref": "/admin/sites/\(site.id.json)/closures/\(closure.date.description)/remove"]
                },
                "holidays": pages.text("organisation_holidays", page.language) + " " + holidays.prefix(12)
                    .map { "\(PageFormat.shortDay($0.date.instant(atMinute: 720, in: zone), zone, page.language)) (\($0.name))" }.joined(separator: ", "),
            ])
        }
        var values: [String: Any] = [
            "sites": sites, "canCreateSite": administrator.everywhere || !administrator.groups.isEmpty, "wide": true,
            "hasAffected": !affected.isEmpty, "affected": try await affectedRows(affected, pages: pages, language: page.language),
        ]
        if let notice = request.uri.queryParameters.get("notice").map({ String($0) }) {
            let text = pages.text("organisation_notice_" + notice, page.language)
            if text != "organisation_notice_" + notice { values["notice"] = text }
        }
        if let error { values["error"] = error }
        return try pages.render("admin-organisation", page, title: pages.text("organisation_title", page.language), values: values, status: status)
    }

    /// What the desk must handle after something left service: when, and a link to that day's agenda.
    func affectedRows(_ appointments: [Appointment], pages: WebPages, language: Language) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        var zones: [UUID: TimeZone] = [:]
        for appointment in appointments {
            if zones[appointment.departmentID] == nil {
                zones[appointment.departmentID] = try await organisation.departmentAndZone(id: appointment.departmentID)?.1 ?? Site.defaultZone
            }
            let zone = zones[appointment.departmentID] ?? Site.defaultZone
            let day = LocalDate(appointment.startsAt, in: zone)
            rows.append([
                "when": "\(PageFormat.day(appointment.startsAt, zone, language)) \(PageFormat.time(appointment.startsAt, zone, language))",
                "what": pages.text("status_" + appointment.status.rawValue, language),
                "href": "/staff/agenda?department=\(appointment.departmentID.json)&day=\(day.description)",
            ])
        }
        return rows
    }

    /// After a save: the overview, with the appointments left behind when something left service.
    func saved(_ request: Request, _ context: AdminPageContext, affected: [Appointment]) async throws -> Response {
        affected.isEmpty ? Self.backToOverview(notice: "saved") : try await overview(request, context, affected: affected)
    }

    /// One of the set-up forms (`admin-form`), with the refusal in the reader's language.
    func renderForm(_ request: Request, _ context: AdminPageContext, heading: String, action: String, form: AdminForm,
                    problem: OrganisationRules.Problem?, status: HTTPResponse.Status) throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        var values: [String: Any] = ["heading": heading, "fields": form.fields, "action": action, "csrf": page.csrf(request, context.app, browser)]
        if let problem { values["error"] = Self.sentence(problem, pages, page.language) }
        return try pages.render("admin-form", page, title: heading, values: values, status: status)
    }

    // MARK: Sites

    func siteForm(_ request: Request, _ context: AdminPageContext, site: Site?, fields: [String: String]?, problem: OrganisationRules.Problem?,
                  status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = PageContext(request, context.app)
        let pages = try pages()
        let t = { pages.text($0, page.language) }
        func value(_ name: String, _ current: String) -> String { fields?[name] ?? current }
        var form = AdminForm(invalid: problem?.field)
        let groups = Array(context.administrator.groups) + (try await admin.sites(for: context.administrator).map(\.groupID))
        let groupIDs = Array(Set(groups)).sorted { $0.uuidString < $1.uuidString }
        if site == nil && groupIDs.count > 1 {
            var options: [(value: String, label: String)] = []
            for id in groupIDs { options.append((id.json, try await organisation.group(id: id)?.name ?? id.json)) }
            form.select("group", t("organisation_group"), options, selected: fields?["group"] ?? groupIDs[0].json)
        }
        form.text("name", t("organisation_name"), value("name", site?.name ?? ""))
        form.text("slug", t("organisation_slug"), value("slug", site?.slug ?? ""), hint: t("organisation_slug_hint"))
        form.text("city", t("organisation_city"), value("city", site?.city ?? ""))
        form.text("address", t("organisation_address"), value("address", site?.address ?? ""), required: false)
        form.text("phone", t("phone_label"), value("phone", site?.phone ?? ""), type: "tel", required: false)
        form.text("timeZone", t("organisation_time_zone"), value("timeZone", site?.timeZone ?? Site.defaultTimeZone))
        form.select("holidays", t("organisation_holiday_calendar"), HolidayCalendar.allCases.map { ($0.rawValue, t("holidays_" + $0.rawValue)) },
                    selected: fields?["holidays"] ?? (site?.holidayCalendar ?? .metropolitan).rawValue)
        form.text("reminders", t("organisation_reminders"), value("reminders", site?.reminders?.description ?? ""), required: false,
                  hint: t("organisation_reminders_hint"))
        form.text("noShowLimit", t("organisation_noshow_limit"), value("noShowLimit", site?.noShowPolicy.map { String($0.limit) } ?? ""), type: "number",
                  required: false, hint: t("organisation_noshow_limit_hint"))
        form.text("noShowMonths", t("organisation_noshow_months"), value("noShowMonths", String((site?.noShowPolicy?.windowDays ?? 365) / 30)), type: "number",
                  required: false)
        form.checkbox("active", t("organisation_active"), checked: fields.map { $0["active"] != nil } ?? (site?.isActive ?? true))
        return try renderForm(request, context, heading: site.map { $0.name } ?? t("organisation_new_site"),
                              action: site.map { "/admin/sites/\($0.id.json)" } ?? "/admin/sites/new", form: form, problem: problem, status: status)
    }

    func saveSite(_ request: Request, _ context: AdminPageContext, id: UUID?) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let existing = try await id.asyncMap { try await admin.site($0, for: context.administrator) }
        // A new site goes in the group chosen, else the administrator's own (the only one, most often).
        var groupID = existing?.groupID ?? fields["group"].flatMap(UUID.init(uuidString:))
            ?? context.administrator.groups.sorted(by: { $0.uuidString < $1.uuidString }).first
        if groupID == nil { groupID = try await admin.sites(for: context.administrator).first?.groupID }
        guard let groupID else { throw AdminError.forbidden("Sites are created by the group's administrators.") }
        // Empty: the standard reminders; text that does not read as a schedule says why.
        var reminders: ReminderSchedule?
        if let text = fields["reminders"]?.trimmed.nilIfEmpty {
            do { reminders = try ReminderSchedule(parsing: text) } catch {
                return try await siteForm(request, context, site: existing, fields: fields, problem: OrganisationRules.Problem("reminders", "reminders", error.description),
                                          status: .unprocessableContent)
            }
        }
        let noShowPolicy = fields["noShowLimit"]?.trimmed.nilIfEmpty.map {
            NoShowPolicy(limit: AdminForm.number($0) ?? -1, windowDays: (AdminForm.number(fields["noShowMonths"]) ?? 12) * 30)
        }
        let site = Site(
            id: existing?.id ?? ids.next(), groupID: groupID, name: (fields["name"] ?? "").trimmed, slug: (fields["slug"] ?? "").trimmed.lowercased(),
            city: (fields["city"] ?? "").trimmed, timeZone: (fields["timeZone"] ?? "").trimmed, address: (fields["address"] ?? "").trimmed,
            phone: (fields["phone"] ?? "").trimmed, holidayCalendar: fields["holidays"].flatMap(HolidayCalendar.init(rawValue:)) ?? .metropolitan,
            isActive: fields["active"] != nil, reminders: reminders, noShowPolicy: noShowPolicy)
        do {
            let saved = try await admin.save(site, isNew: existing == nil, by: context.administrator)
            return try await self.saved(request, context, affected: saved.affected)
        } catch AdminError.refused(let problem) {
            return try await siteForm(request, context, site: existing, fields: fields, problem: problem, status: .unprocessableContent)
        }
    }

    // MARK: Departments

    func departmentForm(_ request: Request, _ context: AdminPageContext, siteID: UUID, department: Department?, fields: [String: String]?,
                        problem: OrganisationRules.Problem?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = PageContext(request, context.app)
        let pages = try pages()
        let site = try await admin.site(siteID, for: context.administrator)
        let t = { pages.text($0, page.language) }
        func value(_ name: String, _ current: String) -> String { fields?[name] ?? current }
        var form = AdminForm(invalid: problem?.field)
        form.text("name", t("organisation_name"), value("name", department?.name ?? ""))
        form.text("specialty", t("organisation_specialty"), value("specialty", department?.specialty ?? ""), hint: t("organisation_specialty_hint"))
        form.checkbox("online", t("organisation_online_booking"), checked: fields.map { $0["online"] != nil } ?? (department?.onlineBooking ?? true))
        form.checkbox("referral", t("organisation_referral"), checked: fields.map { $0["referral"] != nil } ?? (department?.newPatientsNeedReferral ?? true))
        form.text("maxFuture", t("organisation_max_future"), value("maxFuture", String(department?.maxFutureAppointmentsPerPatient ?? 3)), type: "number")
        form.text("gap", t("organisation_gap"), value("gap", String(department?.sameSpecialtyGapDays ?? 0)), type: "number")
        form.checkbox("active", t("organisation_active"), checked: fields.map { $0["active"] != nil } ?? (department?.isActive ?? true))
        return try renderForm(
            request, context, heading: department.map { "\($0.name) — \(site.name)" } ?? "\(t("organisation_new_department")) — \(site.name)",
            action: department.map { "/admin/departments/\($0.id.json)" } ?? "/admin/sites/\(site.id.json)/departments/new", form: form, problem: problem, status: status)
    }

    func saveDepartment(_ request: Request, _ context: AdminPageContext, siteID: UUID, id: UUID?) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let department = Department(
            id: id ?? ids.next(), siteID: siteID, name: (fields["name"] ?? "").trimmed, specialty: (fields["specialty"] ?? "").trimmed.lowercased(),
            maxFutureAppointmentsPerPatient: AdminForm.number(fields["maxFuture"]) ?? -1, sameSpecialtyGapDays: AdminForm.number(fields["gap"]) ?? -1,
            onlineBooking: fields["online"] != nil, newPatientsNeedReferral: fields["referral"] != nil, isActive: fields["active"] != nil)
        do {
            let saved = try await admin.save(department, isNew: id == nil, by: context.administrator)
            return try await self.saved(request, context, affected: saved.affected)
        } catch AdminError.refused(let problem) {
            let existing = try await id.asyncMap { try await admin.department($0, for: context.administrator).0 }
            return try await departmentForm(request, context, siteID: siteID, department: existing, fields: fields, problem: problem, status: .unprocessableContent)
        }
    }

    // MARK: Closures

    func addClosure(_ request: Request, _ context: AdminPageContext, siteID: UUID) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let pages = try pages()
        let page = PageContext(request, context.app)
        guard let date = fields["date"].flatMap({ LocalDate($0) }) else {
            return try await overview(request, context, error: pages.text("admin_problem_closure_date", page.language), status: .unprocessableContent)
        }
        do {
            try await admin.addClosure(PublicHoliday(siteID: siteID, date: date, name: (fields["name"] ?? "").trimmed), by: context.administrator)
        } catch AdminError.refused(let problem) {
            return try await overview(request, context, error: Self.sentence(problem, pages, page.language), status: .unprocessableContent)
        }
        return Self.backToOverview(notice: "closure_added")
    }
}
