import CreneauDomain
import Foundation
import Hummingbird

/// The administrators' set-up over the API, with the rules, audit and answers of the pages
/// (`OrganisationAdmin`): `POST /api/v1/admin/sites` and `PUT …/sites/{id}`, departments,
/// practitioners (with the departments of a site they work in), rooms and equipment, new motives
/// and archiving them, closures. A change that takes something out of service answers with the
/// appointments still booked in it (`affectedAppointments`).
struct AdminAPIController: Sendable {
    let admin: OrganisationAdmin
    let staff: StaffAccounts
    let clock: Clock
    let ids: IDGenerator

    /// Administrators only; what they may change is decided per site by `Administrator`.
    struct AdminContext: ChildRequestContext {
        var coreContext: CoreRequestContextStorage
        let administrator: Administrator

        init(context: AppRequestContext) throws {
            guard let identity = context.identity else {
                throw APIError(.unauthorized, code: "sign_in_required", message: "Sign in as an administrator first.")
            }
            guard let administrator = Administrator(identity) else {
                throw APIError(.forbidden, code: "admin_only", message: "This is for the site and group administrators.")
            }
            self.coreContext = context.coreContext
            self.administrator = administrator
        }
    }

    struct SiteBody: Decodable {
        let group: String?, name: String?, slug: String?, city: String?, address: String?, phone: String?, timeZone: String?
        let holidayCalendar: String?, active: Bool?
        /// "email:7 sms:2 email:1", "off", or "" for the standard reminders.
        let reminders: String?
        /// Missed appointments before online booking closes (0: no rule), over `noShowMonths` months.
        let noShowLimit: Int?, noShowMonths: Int?
    }

    struct DepartmentBody: Decodable {
        let site: String?, name: String?, specialty: String?, onlineBooking: Bool?, newPatientsNeedReferral: Bool?
        let maxFutureAppointmentsPerPatient: Int?, sameSpecialtyGapDays: Int?, active: Bool?
    }

    struct PractitionerBody: Decodable {
        let site: String?, title: String?, firstName: String?, lastName: String?, profession: String?, specialty: String?, rpps: String?
        let languages: [String]?, departments: [String]?, active: Bool?
    }

    struct ResourceBody: Decodable {
        let site: String?, department: String?, kind: String?, name: String?, capacity: Int?, active: Bool?
    }

    struct HoursBody: Decodable {
        struct Range: Decodable { let weekday: Int?, start: String?, end: String? }
        let ranges: [Range]?
    }

    struct MotiveBody: Decodable {
        let department: String?, name: String?, durationMinutes: Int?, patients: String?, channels: [String]?, horizonDays: Int?
        let onlineHorizonDays: Int?, referral: String?, minimumNoticeMinutes: Int?, cancellationCutoffMinutes: Int?, instructionsBefore: String?
    }

    struct InviteBody: Decodable {
        let email: String?, name: String?, role: String?, site: String?, department: String?, group: String?, practitioner: String?
    }

    struct MemberJSON: Encodable {
        let id: String, name: String, email: String, enrolled: Bool, closed: Bool
        let grants: [GrantJSON]

        struct GrantJSON: Encodable {
            let role: String
            let site: String?, department: String?, group: String?
        }
    }

    struct ClosureBody: Decodable {
        let date: String?, name: String?
    }

    struct SavedJSON: Encodable {
        let id: String
        /// Appointments still booked in what was just taken out of service: the desk calls these patients.
        let affectedAppointments: [Affected]

        struct Affected: Encodable {
            let id: String
            let start: String
            let department: String
            let practitioner: String
        }

        init(_ id: UUID, affected: [Appointment]) {
            self.id = id.json
            affectedAppointments = affected.map {
                Affected(id: $0.id.json, start: RFC3339.format($0.startsAt, in: .gmt), department: $0.departmentID.json, practitioner: $0.practitionerID.json)
            }
        }
    }

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: AdminContext.self)
        group.post("/api/v1/admin/sites") { request, context in try await site(request, context, id: nil) }
        group.put("/api/v1/admin/sites/{id}") { request, context in try await site(request, context, id: try Self.id(context)) }
        group.post("/api/v1/admin/departments") { request, context in try await department(request, context, id: nil) }
        group.put("/api/v1/admin/departments/{id}") { request, context in try await department(request, context, id: try Self.id(context)) }
        group.post("/api/v1/admin/practitioners") { request, context in try await practitioner(request, context, id: nil) }
        group.put("/api/v1/admin/practitioners/{id}") { request, context in try await practitioner(request, context, id: try Self.id(context)) }
        group.post("/api/v1/admin/resources") { request, context in try await resource(request, context, id: nil) }
        group.put("/api/v1/admin/resources/{id}") { request, context in try await resource(request, context, id: try Self.id(context)) }
        group.post("/api/v1/admin/motives") { request, context in try await motive(request, context) }
        // A room's own hours: {"ranges": [{"weekday": 1, "start": "08:30", "end": "12:00"}]}; an empty list removes them.
        group.put("/api/v1/admin/resources/{id}/hours") { request, context in
            let body: HoursBody = try await JSONRequest.read(request)
            var ranges: [(weekday: Int, start: Int, end: Int)] = []
            for range in body.ranges ?? [] {
                guard let weekday = range.weekday, (1...7).contains(weekday), let start = range.start.flatMap(AdminOrganisationController.minutes),
                      let end = range.end.flatMap(AdminOrganisationController.minutes) else {
                    throw APIError.badRequest("Each range has \"weekday\" (1 Monday … 7 Sunday), \"start\" and \"end\" as HH:MM.", code: "invalid_field")
                }
                ranges.append((weekday, start, end))
            }
            _ = try await admin.setHours(ranges, resourceID: try Self.id(context), by: context.administrator)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        for (path, active) in [("archive", false), ("restore", true)] {
            group.post("/api/v1/admin/motives/{id}/\(path)") { _, context in
                let saved = try await admin.setMotive(try Self.id(context), active: active, by: context.administrator)
                return try JSON.response(SavedJSON(saved.value.id, affected: saved.affected))
            }
        }
        group.get("/api/v1/admin/staff") { _, context in
            try JSON.response(try await staff.members(by: context.administrator).map { member in
                MemberJSON(id: member.account.id.json, name: member.account.displayName, email: member.account.email, enrolled: member.enrolled,
                           closed: member.account.disabledAt != nil, grants: member.grants.map { grant in
                    switch grant.scope {
                    case .everywhere: MemberJSON.GrantJSON(role: grant.role.rawValue, site: nil, department: nil, group: nil)
                    case .group(let id): MemberJSON.GrantJSON(role: grant.role.rawValue, site: nil, department: nil, group: id.json)
                    case .site(let id): MemberJSON.GrantJSON(role: grant.role.rawValue, site: id.json, department: nil, group: nil)
                    case .department(let id): MemberJSON.GrantJSON(role: grant.role.rawValue, site: nil, department: id.json, group: nil)
                    }
                })
            })
        }
        group.post("/api/v1/admin/staff") { request, context in
            let body: InviteBody = try await JSONRequest.read(request)
            guard let role = body.role.flatMap(Role.init(rawValue:)), StaffAccounts.invitableRoles.contains(role) else {
                throw APIError.badRequest("\"role\" is one of \(StaffAccounts.invitableRoles.map(\.rawValue).joined(separator: ", ")).", code: "invalid_field")
            }
            let scope: RoleGrant.Scope
            if let department = body.department { scope = .department(try JSONRequest.requiredID(department, field: "department")) }
            else if let site = body.site { scope = .site(try JSONRequest.requiredID(site, field: "site")) }
            else if let group = body.group { scope = .group(try JSONRequest.requiredID(group, field: "group")) }
            else { throw APIError.badRequest("Say where the role applies: \"department\", \"site\" or \"group\".", code: "missing_field") }
            let account = try await staff.invite(
                email: body.email ?? "", name: body.name ?? "", role: role, scope: scope,
                practitionerID: try body.practitioner.map { try JSONRequest.requiredID($0, field: "practitioner") }, by: context.administrator)
            return try respond(account.id, affected: [], created: true)
        }
        for (path, action) in [("reset-second-factor", 0), ("close", 1), ("reopen", 2)] {
            group.post("/api/v1/admin/staff/{id}/\(path)") { _, context in
                let id = try Self.id(context)
                switch action {
                case 0: try await staff.resetSecondFactor(id, by: context.administrator)
                case 1: try await staff.setActive(id, false, by: context.administrator)
                default: try await staff.setActive(id, true, by: context.administrator)
                }
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            }
        }
        group.post("/api/v1/admin/sites/{id}/closures") { request, context in
            let body: ClosureBody = try await JSONRequest.read(request)
            guard let text = body.date, let date = LocalDate(text) else { throw APIError.badRequest("Give \"date\" as YYYY-MM-DD.", code: "missing_field") }
            try await admin.addClosure(PublicHoliday(siteID: try Self.id(context), date: date, name: (body.name ?? "").trimmed), by: context.administrator)
            return Response(status: .created, headers: [.cacheControl: "no-store"])
        }
        group.delete("/api/v1/admin/sites/{id}/closures/{date}") { _, context in
            guard let date = context.parameters.get("date").flatMap({ LocalDate($0) }) else { throw APIError.notFound("The site is not closed that day.") }
            try await admin.removeClosure(siteID: try Self.id(context), date: date, by: context.administrator)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }

    static func id(_ context: AdminContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("Nothing of yours has this id.") }
        return id
    }

    func respond(_ id: UUID, affected: [Appointment], created: Bool) throws -> Response {
        try JSON.response(SavedJSON(id, affected: affected), status: created ? .created : .ok)
    }

    func site(_ request: Request, _ context: AdminContext, id: UUID?) async throws -> Response {
        let body: SiteBody = try await JSONRequest.read(request)
        let existing = try await id.asyncMap { try await admin.site($0, for: context.administrator) }
        guard let groupID = try existing?.groupID ?? body.group.map({ try JSONRequest.requiredID($0, field: "group") }) else {
            throw APIError.badRequest("Give the \"group\" the new site belongs to.", code: "missing_field")
        }
        let calendar = try body.holidayCalendar.map { text in
            guard let value = HolidayCalendar(rawValue: text) else {
                throw APIError.badRequest("\"holidayCalendar\" is one of \(HolidayCalendar.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_field")
            }
            return value
        }
        var reminders = existing?.reminders
        if let text = body.reminders {
            do { reminders = text.trimmed.isEmpty ? nil : try ReminderSchedule(parsing: text) } catch {
                throw APIError(.unprocessableContent, code: "invalid_field", message: "\"reminders\": \(error.description)")
            }
        }
        var noShowPolicy = existing?.noShowPolicy
        if let limit = body.noShowLimit {
            noShowPolicy = limit == 0 ? nil : NoShowPolicy(limit: limit, windowDays: (body.noShowMonths ?? (noShowPolicy?.windowDays ?? 365) / 30) * 30)
        } else if let months = body.noShowMonths, let policy = noShowPolicy {
            noShowPolicy = NoShowPolicy(limit: policy.limit, windowDays: months * 30)
        }
        let site = Site(
            id: existing?.id ?? ids.next(), groupID: groupID, name: body.name ?? existing?.name ?? "", slug: body.slug ?? existing?.slug ?? "",
            city: body.city ?? existing?.city ?? "", timeZone: body.timeZone ?? existing?.timeZone ?? Site.defaultTimeZone,
            address: body.address ?? existing?.address ?? "", phone: body.phone ?? existing?.phone ?? "",
            holidayCalendar: calendar ?? existing?.holidayCalendar ?? .metropolitan, isActive: body.active ?? existing?.isActive ?? true,
            reminders: reminders, noShowPolicy: noShowPolicy)
        let saved = try await admin.save(site, isNew: existing == nil, by: context.administrator)
        return try respond(site.id, affected: saved.affected, created: existing == nil)
    }

    func department(_ request: Request, _ context: AdminContext, id: UUID?) async throws -> Response {
        let body: DepartmentBody = try await JSONRequest.read(request)
        let existing = try await id.asyncMap { try await admin.department($0, for: context.administrator).0 }
        guard let siteID = try existing?.siteID ?? body.site.map({ try JSONRequest.requiredID($0, field: "site") }) else {
            throw APIError.badRequest("Give the \"site\" of the new department.", code: "missing_field")
        }
        let department = Department(
            id: existing?.id ?? ids.next(), siteID: siteID, name: body.name ?? existing?.name ?? "", specialty: body.specialty ?? existing?.specialty ?? "",
            maxFutureAppointmentsPerPatient: body.maxFutureAppointmentsPerPatient ?? existing?.maxFutureAppointmentsPerPatient ?? 3,
            sameSpecialtyGapDays: body.sameSpecialtyGapDays ?? existing?.sameSpecialtyGapDays ?? 0,
            onlineBooking: body.onlineBooking ?? existing?.onlineBooking ?? true,
            newPatientsNeedReferral: body.newPatientsNeedReferral ?? existing?.newPatientsNeedReferral ?? true, isActive: body.active ?? existing?.isActive ?? true)
        let saved = try await admin.save(department, isNew: existing == nil, by: context.administrator)
        return try respond(department.id, affected: saved.affected, created: existing == nil)
    }

    func practitioner(_ request: Request, _ context: AdminContext, id: UUID?) async throws -> Response {
        let body: PractitionerBody = try await JSONRequest.read(request)
        let siteID = try JSONRequest.requiredID(body.site, field: "site")
        let existing = try await id.asyncMap { id in
            guard let found = try await admin.practitioners(of: siteID, for: context.administrator).first(where: { $0.practitioner.id == id }) else {
                throw AdminError.notFound("No practitioner of this site has this id.")
            }
            return found
        }
        let old = existing?.practitioner
        var practitioner = Practitioner(
            id: old?.id ?? ids.next(), title: body.title ?? old?.title ?? "", firstName: body.firstName ?? old?.firstName ?? "",
            lastName: body.lastName ?? old?.lastName ?? "", profession: body.profession ?? old?.profession ?? "",
            specialty: body.specialty ?? old?.specialty ?? "", rpps: body.rpps ?? old?.rpps, languages: body.languages ?? old?.languages ?? ["fr"])
        practitioner.isActive = body.active ?? old?.isActive ?? true
        let departments = try body.departments.map { try $0.map { try JSONRequest.requiredID($0, field: "departments") } } ?? existing?.departmentIDs ?? []
        let saved = try await admin.save(practitioner, isNew: existing == nil, departments: departments, siteID: siteID, by: context.administrator)
        return try respond(practitioner.id, affected: saved.affected, created: existing == nil)
    }

    func resource(_ request: Request, _ context: AdminContext, id: UUID?) async throws -> Response {
        let body: ResourceBody = try await JSONRequest.read(request)
        let siteID = try JSONRequest.requiredID(body.site, field: "site")
        guard let kind = ResourceKind(rawValue: body.kind ?? "room") else { throw APIError.badRequest("\"kind\" is room or equipment.", code: "invalid_field") }
        var resource = Resource(
            id: id ?? ids.next(), siteID: siteID, departmentID: try body.department.map { try JSONRequest.requiredID($0, field: "department") },
            kind: kind, name: body.name ?? "", capacity: body.capacity ?? 1)
        resource.isActive = body.active ?? true
        let saved = try await admin.save(resource, isNew: id == nil, by: context.administrator)
        return try respond(resource.id, affected: saved.affected, created: id == nil)
    }

    func motive(_ request: Request, _ context: AdminContext) async throws -> Response {
        let body: MotiveBody = try await JSONRequest.read(request)
        var channels: ChannelSet = []
        for text in body.channels ?? ["online", "phone", "desk"] {
            guard let channel = Channel(rawValue: text) else {
                throw APIError.badRequest("\"channels\" are among \(Channel.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_field")
            }
            channels.insert(ChannelSet(channel))
        }
        let motive = Motive(
            id: ids.next(), departmentID: try JSONRequest.requiredID(body.department, field: "department"), name: body.name ?? "",
            durationMinutes: body.durationMinutes ?? 0, patients: PatientAcceptance(rawValue: body.patients ?? "both") ?? .both, channels: channels,
            instructionsBefore: body.instructionsBefore ?? "", horizonDays: body.horizonDays ?? 60, onlineHorizonDays: body.onlineHorizonDays,
            referral: ReferralRule(rawValue: body.referral ?? "department") ?? .department, minimumNoticeMinutes: body.minimumNoticeMinutes ?? 60,
            cancellationCutoffMinutes: body.cancellationCutoffMinutes ?? 240)
        let created = try await admin.create(motive, by: context.administrator)
        return try respond(created.id, affected: [], created: true)
    }
}
