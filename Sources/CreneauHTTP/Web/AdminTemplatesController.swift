import CreneauDomain
import Foundation
import Hummingbird

/// Site administrators edit their practitioners' weekly templates
/// (`/admin/templates?department=`, `/admin/templates/{id}`, `/admin/templates/new`):
/// ranges per weekday with their motives and channels, held-back ranges with the moment
/// they open to more channels, and a preview of the week it gives before anything is saved.
struct AdminTemplatesController: Sendable {
    let templates: WeeklyTemplates
    let browser: BrowserSession
    let ids: IDGenerator
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    /// Blank rows offered under the ranges, for new ones.
    static let blankRows = 3

    func register(on router: Router<AppRequestContext>) {
        let admin = router.group(context: AdminPageContext.self)
        admin.get("/admin/templates") { request, context in try await list(request, context.app, booker: context.booker) }
        admin.get("/admin/templates/new") { request, context in try await create(request, context.app, booker: context.booker) }
        admin.get("/admin/templates/{id}") { request, context in try await edit(request, context.app, booker: context.booker) }
        // The router does not fall back from the constant "new" to the parameter: both are named.
        admin.post("/admin/templates/new") { request, context in try await submit(request, context.app, booker: context.booker, isNew: true) }
        admin.post("/admin/templates/{id}") { request, context in try await submit(request, context.app, booker: context.booker, isNew: false) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    static func query(_ request: Request, _ name: String) -> String? { request.uri.queryParameters.get(name).map { String($0) } }

    func list(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        guard let departmentID = Self.query(request, "department").flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("No department of yours has this id.")
        }
        let (department, rows) = try await templates.list(departmentID: departmentID, by: booker)
        let practitioners = rows.map { row -> [String: Any] in
            [
                "name": row.practitioner.displayName,
                "newHref": "/admin/templates/new?department=\(departmentID.json)&practitioner=\(row.practitioner.id.json)",
                "templates": row.templates.map { template -> [String: Any] in
                    ["href": "/admin/templates/\(template.id.json)", "validity": Self.validity(template, pages, page.language),
                     "ranges": "\(pages.text("template_ranges_count", page.language))\(pages.text("colon", page.language))\(template.ranges.count)"]
                },
                "hasTemplates": !row.templates.isEmpty,
            ]
        }
        return try pages.render("admin-templates", page, title: "\(pages.text("templates_title", page.language)) — \(department.name)", values: [
            "department": department.name, "practitioners": practitioners, "hasPractitioners": !practitioners.isEmpty,
        ])
    }

    static func validity(_ template: ScheduleTemplate, _ pages: WebPages, _ language: Language) -> String {
        let from = "\(pages.text("template_from", language)) \(template.validFrom.description)"
        return template.validUntil.map { "\(from) \(pages.text("template_until", language)) \($0.description)" } ?? from
    }

    func create(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        guard let departmentID = Self.query(request, "department").flatMap(UUID.init(uuidString:)),
              let practitionerID = Self.query(request, "practitioner").flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("No practitioner of your departments has this id.")
        }
        let draft = try await templates.newDraft(practitionerID: practitionerID, departmentID: departmentID, by: booker)
        return try render(request, context, draft: draft, rows: [], week: templates.week(holding: nil, in: draft.timeZone), preview: nil)
    }

    func edit(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let draft = try await templates.draft(templateID: try Self.id(context), by: booker)
        let week = templates.week(holding: try InputDates.pageDay(Self.query(request, "week"), field: "week", now: templates.clock.now()), in: draft.timeZone)
        return try render(request, context, draft: draft, rows: TemplateForm.rows(of: draft.template), week: week,
                          preview: try await templates.preview(draft, week: week), saved: Self.query(request, "saved") != nil)
    }

    static func id(_ context: AppRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw APIError.notFound("No weekly template of your departments has this id.")
        }
        return id
    }

    /// `action=preview` shows the week the form gives; `action=save` stores it. A new
    /// template posts to `/admin/templates/new` with its department and practitioner.
    func submit(_ request: Request, _ context: AppRequestContext, booker: Booker, isNew: Bool) async throws -> Response {
        let fields = try await FormBody.parse(request)
        var draft: WeeklyTemplates.Draft
        if isNew {
            guard let departmentID = fields["department"].flatMap(UUID.init(uuidString:)),
                  let practitionerID = fields["practitioner"].flatMap(UUID.init(uuidString:)) else {
                throw APIError.notFound("No practitioner of your departments has this id.")
            }
            draft = try await templates.newDraft(practitionerID: practitionerID, departmentID: departmentID, by: booker)
        } else {
            draft = try await templates.draft(templateID: try Self.id(context), by: booker)
        }
        let week = templates.week(holding: try InputDates.pageDay(fields["week"], field: "week", now: templates.clock.now()), in: draft.timeZone)
        let rows = TemplateForm.rows(from: fields)
        func refuse(_ finding: TemplateRules.Finding) throws -> Response {
            try render(request, context, draft: draft, rows: rows, week: week, preview: nil, finding: finding, fields: fields, status: .unprocessableContent)
        }
        switch TemplateForm.template(from: fields, base: draft.template, ids: ids, now: templates.clock.now()) {
        case .failure(let finding):
            return try refuse(finding)
        case .success(let template):
            draft.template = template
        }
        if let finding = TemplateRules.finding(in: draft.template, departmentMotives: draft.motives) { return try refuse(finding) }
        guard fields["action"] == "save" else {
            return try render(request, context, draft: draft, rows: TemplateForm.rows(of: draft.template), week: week,
                              preview: try await templates.preview(draft, week: week), fields: fields)
        }
        do {
            try await templates.save(draft)
        } catch WeeklyTemplates.Failure.invalid(let finding) {
            return try refuse(finding)
        }
        return Response(status: .seeOther, headers: [
            .location: "/admin/templates/\(draft.template.id.json)?saved=1&week=\(week.description)", .cacheControl: "no-store",
        ])
    }

    // MARK: The page

    func render(
        _ request: Request, _ context: AppRequestContext, draft: WeeklyTemplates.Draft, rows: [TemplateForm.Row], week: LocalDate,
        preview: TemplatePreview?, saved: Bool = false, finding: TemplateRules.Finding? = nil, fields: [String: String]? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let language = page.language
        let shown = rows + Array(repeating: TemplateForm.Row(), count: Self.blankRows)
        let ranges = shown.enumerated().map { index, row -> [String: Any] in
            let prefix = "r\(index)-"
            func boxes(_ kind: String, _ chosen: Set<Channel>) -> [[String: Any]] {
                TemplateForm.channels.map { ["name": prefix + kind + $0.rawValue, "label": pages.text("channel_" + $0.rawValue, language), "checked": chosen.contains($0)] }
            }
            var values: [String: Any] = [
                "prefix": prefix, "number": index + 1, "id": row.id, "start": row.start, "end": row.end,
                "isBlank": row == TemplateForm.Row(), "releaseDays": row.releaseDays, "releaseAt": row.releaseAt,
                "weekdays": (1...7).map { ["value": $0, "label": pages.text("weekday_\($0)", language), "selected": row.weekday == String($0)] },
                "channels": boxes("ch-", row.channels), "release": boxes("rel-", row.release),
                "motives": draft.motives.map { ["name": prefix + "m-" + $0.id.json, "label": $0.name, "checked": row.motives.contains($0.id.json)] },
            ]
            if let finding, finding.rangeIndex == index { values["invalid"] = true }
            return values
        }
        var values: [String: Any] = [
            "action": draft.isNew ? "/admin/templates/new" : "/admin/templates/\(draft.template.id.json)",
            "isNew": draft.isNew, "departmentId": draft.department.id.json, "practitionerId": draft.practitioner.id.json,
            "practitioner": draft.practitioner.displayName, "department": draft.department.name,
            "listHref": "/admin/templates?department=\(draft.department.id.json)",
            "csrf": page.csrf(request, context, browser), "rows": shown.count, "ranges": ranges,
            "from": fields?["from"] ?? draft.template.validFrom.description,
            "until": fields?["until"] ?? draft.template.validUntil?.description ?? "",
            "week": week.description, "saved": saved, "wide": true,
        ]
        if let finding {
            let text = pages.text(finding.problem.rawValue, language)
            if let index = finding.rangeIndex { values["errorHref"] = "#r\(index)-range" }
            values["error"] = finding.rangeIndex.map { "\(pages.text("template_range", language)) \($0 + 1)\(pages.text("colon", language))\(text)" } ?? text
        }
        if let preview { values["preview"] = Self.preview(preview, draft: draft, week: week, pages: pages, language: language) }
        let title = "\(pages.text("template_title", language)) — \(draft.practitioner.displayName)"
        return try pages.render("admin-template", page, title: title, values: values, status: status)
    }

    static func preview(_ preview: TemplatePreview, draft: WeeklyTemplates.Draft, week: LocalDate, pages: WebPages, language: Language) -> [String: Any] {
        let zone = preview.timeZone
        let motiveNames = Dictionary(uniqueKeysWithValues: draft.motives.map { ($0.id, $0.name) })
        func channels(_ set: ChannelSet) -> String {
            TemplateForm.channels.filter { set.contains($0) }.map { pages.text("channel_" + $0.rawValue, language) }.joined(separator: ", ")
        }
        let days = preview.days.map { day -> [String: Any] in
            let noon = day.date.instant(atMinute: 720, in: zone)
            var values: [String: Any] = [
                "day": PageFormat.day(noon, zone, language), "holiday": day.isHoliday,
                "ranges": day.ranges.map { range -> [String: Any] in
                    var values: [String: Any] = [
                        "hours": "\(TemplateForm.text(range.startMinute))–\(TemplateForm.text(range.endMinute))",
                        "channels": channels(range.channels),
                        "motives": range.motiveIDs.isEmpty ? pages.text("template_all_motives", language)
                            : range.motiveIDs.compactMap { motiveNames[$0] }.joined(separator: ", "),
                    ]
                    if let release = range.release {
                        let moment = AvailabilityEngine.releaseMoment(of: release, for: day.date, in: zone)
                        values["release"] = "\(pages.text("template_opens", language)) \(channels(release.channels))\(pages.text("colon", language))"
                            + "\(PageFormat.shortDay(moment, zone, language)) \(PageFormat.time(moment, zone, language))"
                    }
                    return values
                },
                "slots": day.slots.map { slots -> [String: Any] in
                    ["motive": slots.motive.name, "online": slots.online.map(String.init) ?? "—", "phone": slots.phone.map(String.init) ?? "—"]
                },
            ]
            if !day.absences.isEmpty {
                values["absences"] = day.absences.map { "\(PageFormat.time($0.start, zone, language))–\(PageFormat.time($0.end, zone, language))" }.joined(separator: ", ")
            }
            values["hasRanges"] = !day.ranges.isEmpty
            if !day.outside.isEmpty { values["outside"] = day.outside.map { PageFormat.time($0, zone, language) }.joined(separator: ", ") }
            return values
        }
        let base = "/admin/templates/\(draft.template.id.json)?week="
        var values: [String: Any] = ["days": days, "week": PageFormat.day(week.instant(atMinute: 720, in: zone), zone, language)]
        if !draft.isNew {
            values["previousHref"] = base + week.adding(days: -7).description
            values["nextHref"] = base + week.adding(days: 7).description
        }
        return values
    }
}
