import CreneauDomain
import Foundation
import Hummingbird

/// Practitioners (names, profession, specialty, RPPS, languages, departments, in service),
/// rooms and equipment (capacity), and new motives (with the settings of `/admin/motives/{id}`)
/// or archiving one.
extension AdminOrganisationController {
    func registerPeople(on group: RouterGroup<AdminPageContext>) {
        registerHours(on: group)
        group.get("/admin/sites/{id}/practitioners/new") { request, context in
            try await practitionerForm(request, context, siteID: try Self.id(context), practitioner: nil, fields: nil, problem: nil)
        }
        group.post("/admin/sites/{id}/practitioners/new") { request, context in try await savePractitioner(request, context, siteID: try Self.id(context), id: nil) }
        group.get("/admin/sites/{id}/practitioners/{practitioner}") { request, context in
            let siteID = try Self.id(context), id = try Self.id(context, "practitioner")
            guard let entry = try await admin.practitioners(of: siteID, for: context.administrator).first(where: { $0.practitioner.id == id }) else {
                throw AdminError.notFound("No practitioner of this site has this id.")
            }
            return try await practitionerForm(request, context, siteID: siteID, practitioner: entry, fields: nil, problem: nil)
        }
        group.post("/admin/sites/{id}/practitioners/{practitioner}") { request, context in
            try await savePractitioner(request, context, siteID: try Self.id(context), id: try Self.id(context, "practitioner"))
        }
        group.get("/admin/sites/{id}/resources/new") { request, context in
            try await resourceForm(request, context, siteID: try Self.id(context), resource: nil, fields: nil, problem: nil)
        }
        group.post("/admin/sites/{id}/resources/new") { request, context in try await saveResource(request, context, siteID: try Self.id(context), id: nil) }
        group.get("/admin/resources/{id}") { request, context in
            let resource = try await self.resource(try Self.id(context), context)
            return try await resourceForm(request, context, siteID: resource.siteID, resource: resource, fields: nil, problem: nil)
        }
        group.post("/admin/resources/{id}") { request, context in
            let resource = try await self.resource(try Self.id(context), context)
            return try await saveResource(request, context, siteID: resource.siteID, id: resource.id)
        }
        group.get("/admin/departments/{id}/motives/new") { request, context in
            try await motiveForm(request, context, departmentID: try Self.id(context), fields: nil, problem: nil)
        }
        group.post("/admin/departments/{id}/motives/new") { request, context in try await createMotive(request, context, departmentID: try Self.id(context)) }
        for (path, active) in [("archive", false), ("restore", true)] {
            group.post("/admin/motives/{id}/\(path)") { request, context in
                let saved = try await admin.setMotive(try Self.id(context), active: active, by: context.administrator)
                return try await self.saved(request, context, affected: saved.affected)
            }
        }
    }

    func resource(_ id: UUID, _ context: AdminPageContext) async throws -> Resource {
        try await admin.resource(id, for: context.administrator)
    }

    // MARK: Practitioners

    func practitionerForm(_ request: Request, _ context: AdminPageContext, siteID: UUID, practitioner entry: (practitioner: Practitioner, departmentIDs: [UUID])?,
                          fields: [String: String]?, problem: OrganisationRules.Problem?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = PageContext(request, context.app)
        let pages = try pages()
        let site = try await admin.site(siteID, for: context.administrator)
        let t = { pages.text($0, page.language) }
        let practitioner = entry?.practitioner
        func value(_ name: String, _ current: String) -> String { fields?[name] ?? current }
        var form = AdminForm(invalid: problem?.field)
        form.text("title", t("organisation_title_field"), value("title", practitioner?.title ?? "Dr"), required: false)
        form.text("firstName", t("first_name"), value("firstName", practitioner?.firstName ?? ""))
        form.text("lastName", t("last_name"), value("lastName", practitioner?.lastName ?? ""))
        form.text("profession", t("organisation_profession"), value("profession", practitioner?.profession ?? ""))
        form.text("specialty", t("organisation_specialty"), value("specialty", practitioner?.specialty ?? ""), hint: t("organisation_specialty_hint"))
        form.text("rpps", t("organisation_rpps"), value("rpps", practitioner?.rpps ?? ""), required: false, hint: t("organisation_rpps_hint"))
        form.text("languages", t("organisation_languages"), value("languages", (practitioner?.languages ?? ["fr"]).joined(separator: ", ")),
                  hint: t("organisation_languages_hint"))
        let departments = try await organisation.departments(siteID: site.id)
        let chosen = fields.map { Set(AdminForm.ticked("department", in: $0)) } ?? Set((entry?.departmentIDs ?? []).map(\.json))
        form.choices("department", t("organisation_departments"), departments.map { ($0.id.json, $0.name) }, checked: chosen)
        form.checkbox("active", t("organisation_active"), checked: fields.map { $0["active"] != nil } ?? (practitioner?.isActive ?? true))
        return try renderForm(
            request, context, heading: practitioner.map { "\($0.displayName) — \(site.name)" } ?? "\(t("organisation_new_practitioner")) — \(site.name)",
            action: "/admin/sites/\(site.id.json)/practitioners/" + (practitioner.map { $0.id.json } ?? "new"), form: form, problem: problem, status: status)
    }

    func savePractitioner(_ request: Request, _ context: AdminPageContext, siteID: UUID, id: UUID?) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let languages = (fields["languages"] ?? "").lowercased().split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        var practitioner = Practitioner(
            id: id ?? ids.next(), title: (fields["title"] ?? "").trimmed, firstName: (fields["firstName"] ?? "").trimmed,
            lastName: (fields["lastName"] ?? "").trimmed, profession: (fields["profession"] ?? "").trimmed,
            specialty: (fields["specialty"] ?? "").trimmed.lowercased(), rpps: fields["rpps"]?.filter { !$0.isWhitespace }.nilIfEmpty,
            languages: languages)
        practitioner.isActive = fields["active"] != nil
        let departments = AdminForm.ticked("department", in: fields).compactMap(UUID.init(uuidString:))
        do {
            let saved = try await admin.save(practitioner, isNew: id == nil, departments: departments, siteID: siteID, by: context.administrator)
            return try await self.saved(request, context, affected: saved.affected)
        } catch AdminError.refused(let problem) {
            let existing = try await admin.practitioners(of: siteID, for: context.administrator).first { $0.practitioner.id == id }
            return try await practitionerForm(request, context, siteID: siteID, practitioner: existing, fields: fields, problem: problem, status: .unprocessableContent)
        }
    }

    // MARK: Rooms and equipment

    func resourceForm(_ request: Request, _ context: AdminPageContext, siteID: UUID, resource: Resource?, fields: [String: String]?,
                      problem: OrganisationRules.Problem?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = PageContext(request, context.app)
        let pages = try pages()
        let site = try await admin.site(siteID, for: context.administrator)
        let t = { pages.text($0, page.language) }
        func value(_ name: String, _ current: String) -> String { fields?[name] ?? current }
        var form = AdminForm(invalid: problem?.field)
        form.text("name", t("organisation_name"), value("name", resource?.name ?? ""))
        form.select("kind", t("organisation_kind"), ResourceKind.allCases.map { ($0.rawValue, t("resource_" + $0.rawValue)) },
                    selected: fields?["kind"] ?? (resource?.kind ?? .room).rawValue)
        let departments = try await organisation.departments(siteID: site.id)
        form.select("department", t("organisation_department"), [("", t("organisation_whole_site"))] + departments.map { ($0.id.json, $0.name) },
                    selected: fields?["department"] ?? resource?.departmentID?.json ?? "")
        form.text("capacity", t("organisation_capacity"), value("capacity", String(resource?.capacity ?? 1)), type: "number")
        form.checkbox("active", t("organisation_active"), checked: fields.map { $0["active"] != nil } ?? (resource?.isActive ?? true))
        return try renderForm(
            request, context, heading: resource.map { "\($0.name) — \(site.name)" } ?? "\(t("organisation_new_resource")) — \(site.name)",
            action: resource.map { "/admin/resources/\($0.id.json)" } ?? "/admin/sites/\(site.id.json)/resources/new", form: form, problem: problem, status: status)
    }

    func saveResource(_ request: Request, _ context: AdminPageContext, siteID: UUID, id: UUID?) async throws -> Response {
        let fields = try await FormBody.parse(request)
        var resource = Resource(
            id: id ?? ids.next(), siteID: siteID, departmentID: fields["department"].flatMap(UUID.init(uuidString:)),
            kind: fields["kind"].flatMap(ResourceKind.init(rawValue:)) ?? .room, name: (fields["name"] ?? "").trimmed,
            capacity: AdminForm.number(fields["capacity"]) ?? -1)
        resource.isActive = fields["active"] != nil
        do {
            let saved = try await admin.save(resource, isNew: id == nil, by: context.administrator)
            return try await self.saved(request, context, affected: saved.affected)
        } catch AdminError.refused(let problem) {
            let existing = id == nil ? nil : try await self.resource(resource.id, context)
            return try await resourceForm(request, context, siteID: siteID, resource: existing, fields: fields, problem: problem, status: .unprocessableContent)
        }
    }

    // MARK: New motives

    func motiveForm(_ request: Request, _ context: AdminPageContext, departmentID: UUID, fields: [String: String]?, problem: OrganisationRules.Problem?,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = PageContext(request, context.app)
        let pages = try pages()
        let (department, site) = try await admin.department(departmentID, for: context.administrator)
        let t = { pages.text($0, page.language) }
        func value(_ name: String, _ current: String) -> String { fields?[name] ?? current }
        var form = AdminForm(invalid: problem.map { _ in "motive" })
        form.text("name", t("admin_name"), value("name", ""))
        form.text("duration", t("admin_duration"), value("duration", "20"), type: "number")
        form.select("patients", t("admin_patients"), PatientAcceptance.allCases.map { ($0.rawValue, t("patients_" + $0.rawValue)) },
                    selected: fields?["patients"] ?? PatientAcceptance.both.rawValue)
        let channels = AdminPagesController.channels
        form.choices("channel", t("admin_channels"), channels.map { ($0.rawValue, t("channel_" + $0.rawValue)) },
                     checked: fields.map { Set(AdminForm.ticked("channel", in: $0)) } ?? [Channel.online.rawValue, Channel.phone.rawValue, Channel.desk.rawValue])
        form.text("horizon", t("admin_horizon"), value("horizon", "60"), type: "number")
        form.text("notice", t("admin_notice"), value("notice", "60"), type: "number")
        form.text("cutoff", t("admin_cutoff"), value("cutoff", "240"), type: "number")
        form.select("referral", t("admin_referral"), ReferralRule.allCases.map { ($0.rawValue, t("referral_" + $0.rawValue)) },
                    selected: fields?["referral"] ?? ReferralRule.department.rawValue)
        form.text("before", t("admin_instructions_before"), value("before", ""), required: false)
        return try renderForm(request, context, heading: "\(t("organisation_new_motive")) — \(department.name), \(site.name)",
                              action: "/admin/departments/\(department.id.json)/motives/new", form: form, problem: problem, status: status)
    }

    func createMotive(_ request: Request, _ context: AdminPageContext, departmentID: UUID) async throws -> Response {
        let fields = try await FormBody.parse(request)
        var channels: ChannelSet = []
        for value in AdminForm.ticked("channel", in: fields) { if let channel = Channel(rawValue: value) { channels.insert(ChannelSet(channel)) } }
        let motive = Motive(
            id: ids.next(), departmentID: departmentID, name: (fields["name"] ?? "").trimmed, durationMinutes: AdminForm.number(fields["duration"]) ?? -1,
            patients: fields["patients"].flatMap(PatientAcceptance.init(rawValue:)) ?? .both, channels: channels,
            instructionsBefore: (fields["before"] ?? "").trimmed, horizonDays: AdminForm.number(fields["horizon"]) ?? -1,
            referral: fields["referral"].flatMap(ReferralRule.init(rawValue:)) ?? .department, minimumNoticeMinutes: AdminForm.number(fields["notice"]) ?? -1,
            cancellationCutoffMinutes: AdminForm.number(fields["cutoff"]) ?? -1)
        do {
            let created = try await admin.create(motive, by: context.administrator)
            return Response(status: .seeOther, headers: [.location: "/admin/motives/\(created.id.json)", .cacheControl: "no-store"])
        } catch AdminError.refused(let problem) {
            return try await motiveForm(request, context, departmentID: departmentID, fields: fields, problem: problem, status: .unprocessableContent)
        }
    }
}
