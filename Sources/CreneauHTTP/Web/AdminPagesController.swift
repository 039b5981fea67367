import CreneauDomain
import Foundation
import Hummingbird

/// Site and group administrators set up motives (`/admin`, `/admin/motives/{id}`): name,
/// duration, who may book (new or known patients), channels, horizon, notice, cut-off and
/// the instructions patients read. A saved change moves the agenda versions (database
/// triggers), so every instance offers slots by the new settings at once.
struct AdminPagesController: Sendable {
    let organisation: any OrganisationRepository
    let motives: any SchedulingRepository
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let admin = router.group(context: AdminPageContext.self)
        admin.get("/admin") { request, context in try await home(request, context.app, booker: context.booker) }
        admin.get("/admin/motives/{id}") { request, context in try await edit(request, context.app, booker: context.booker, fields: nil, error: nil) }
        admin.post("/admin/motives/{id}") { request, context in try await save(request, context.app, booker: context.booker) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    static let channels: [Channel] = [.online, .phone, .desk, .referral, .practitioner]

    func home(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        var departments: [[String: Any]] = []
        for site in try await organisation.sites() {
            for department in try await organisation.departments(siteID: site.id) where booker.serves(department.id) {
                let list = try await motives.motives(departmentID: department.id).sorted { SearchText.fold($0.name) < SearchText.fold($1.name) }
                departments.append(["name": "\(department.name) — \(site.name)", "templatesHref": "/admin/templates?department=\(department.id.json)", "motives": list.map { motive -> [String: Any] in
                    ["href": "/admin/motives/\(motive.id.json)", "name": motive.name, "duration": "\(motive.durationMinutes) \(pages.text("minutes", page.language))",
                     "patients": pages.text("patients_" + motive.patients.rawValue, page.language),
                     "channels": Self.channels.filter { motive.channels.contains(ChannelSet($0)) }.map { pages.text("channel_" + $0.rawValue, page.language) }.joined(separator: ", ")]
                }])
            }
        }
        return try pages.render("admin", page, title: pages.text("admin_title", page.language), values: [
            "departments": departments, "saved": request.uri.queryParameters.get("saved") != nil, "wide": true,
        ])
    }

    func motive(_ context: AppRequestContext, _ booker: Booker) async throws -> Motive {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text), let motive = try await motives.motive(id: id),
              booker.serves(motive.departmentID) else { throw APIError.notFound("No motive of your departments has this id.") }
        return motive
    }

    func edit(_ request: Request, _ context: AppRequestContext, booker: Booker, fields: [String: String]?, error: String?,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let motive = try await self.motive(context, booker)
        func value(_ name: String, _ current: String) -> String { fields?[name] ?? current }
        var values: [String: Any] = [
            "id": motive.id.json, "csrf": page.csrf(request, context, browser), "name": value("name", motive.name), "active": motive.isActive,
            "duration": value("duration", String(motive.durationMinutes)), "horizon": value("horizon", String(motive.horizonDays)),
            "onlineHorizon": value("onlineHorizon", motive.onlineHorizonDays.map(String.init) ?? ""),
            "referralOptions": ReferralRule.allCases.map {
                ["value": $0.rawValue, "label": pages.text("referral_" + $0.rawValue, page.language),
                 "selected": (fields?["referral"] ?? motive.referral.rawValue) == $0.rawValue]
            },
            "notice": value("notice", String(motive.minimumNoticeMinutes)), "cutoff": value("cutoff", String(motive.cancellationCutoffMinutes)),
            "before": value("before", motive.instructionsBefore), "after": value("after", motive.instructionsAfter),
            "reminders": value("reminders", motive.reminders?.description ?? ""),
            "patientOptions": PatientAcceptance.allCases.map {
                ["value": $0.rawValue, "label": pages.text("patients_" + $0.rawValue, page.language), "selected": (fields?["patients"] ?? motive.patients.rawValue) == $0.rawValue]
            },
            "channelOptions": Self.channels.map { channel -> [String: Any] in
                let checked = fields.map { $0["channel-" + channel.rawValue] != nil } ?? motive.channels.contains(ChannelSet(channel))
                return ["value": channel.rawValue, "label": pages.text("channel_" + channel.rawValue, page.language), "checked": checked]
            },
        ]
        if let error { values["error"] = error }
        return try pages.render("admin-motive", page, title: pages.text("admin_motive_title", page.language), values: values, status: status)
    }

    func save(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        var motive = try await self.motive(context, booker)
        func number(_ name: String) -> Int? { fields[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        motive.name = (fields["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        motive.durationMinutes = number("duration") ?? -1
        motive.horizonDays = number("horizon") ?? -1
        // Empty: online books as far ahead as the phone; a word instead of a number is refused, not ignored.
        let online = (fields["onlineHorizon"] ?? "").trimmingCharacters(in: .whitespaces)
        motive.onlineHorizonDays = online.isEmpty ? nil : (Int(online) ?? -1)
        motive.referral = fields["referral"].flatMap(ReferralRule.init(rawValue:)) ?? motive.referral
        motive.minimumNoticeMinutes = number("notice") ?? -1
        motive.cancellationCutoffMinutes = number("cutoff") ?? -1
        motive.instructionsBefore = (fields["before"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        motive.instructionsAfter = (fields["after"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // Empty: the site's reminders; "off": none for this motive (a vaccination with no need for one).
        if let text = fields["reminders"]?.trimmed.nilIfEmpty {
            do { motive.reminders = try ReminderSchedule(parsing: text) } catch {
                return try await edit(request, context, booker: booker, fields: fields, error: pages.text("admin_problem_reminders", page.language),
                                      status: .unprocessableContent)
            }
        } else {
            motive.reminders = nil
        }
        motive.patients = fields["patients"].flatMap(PatientAcceptance.init(rawValue:)) ?? motive.patients
        var channels: ChannelSet = []
        for channel in Self.channels where fields["channel-" + channel.rawValue] != nil { channels.insert(ChannelSet(channel)) }
        motive.channels = channels
        if let problem = MotiveRules.problem(with: motive) {
            return try await edit(request, context, booker: booker, fields: fields, error: pages.text(problem.rawValue, page.language), status: .unprocessableContent)
        }
        try await motives.update(motive)
        return Response(status: .seeOther, headers: [.location: "/admin?saved=1", .cacheControl: "no-store"])
    }
}
