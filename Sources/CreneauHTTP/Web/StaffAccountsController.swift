import CreneauDomain
import Foundation
import Hummingbird

/// Who has access to what (`/admin/staff`): the staff of the administrator's sites with their
/// roles, an invitation form, and per colleague "new authenticator" and "close / reopen the
/// account". The invitee's side is `/staff/welcome?token=`: a password, the authenticator key
/// as a QR code and as text, and the six digits the app then shows.
struct StaffAccountsController: Sendable {
    let staff: StaffAccounts
    let organisation: any OrganisationRepository
    let admin: OrganisationAdmin
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: AdminPageContext.self)
        group.get("/admin/staff") { request, context in try await list(request, context, notice: nil, error: nil) }
        group.post("/admin/staff/invite") { request, context in try await invite(request, context) }
        group.post("/admin/staff/invite-doctor") { request, context in try await inviteDoctor(request, context) }
        for (path, action) in [("reset", "reset"), ("close", "close"), ("reopen", "reopen")] {
            group.post("/admin/staff/{id}/\(path)") { _, context in
                guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw AdminError.notFound("No colleague of yours has this account.") }
                switch action {
                case "reset": try await staff.resetSecondFactor(id, by: context.administrator)
                case "close": try await staff.setActive(id, false, by: context.administrator)
                default: try await staff.setActive(id, true, by: context.administrator)
                }
                return Response(status: .seeOther, headers: [.location: "/admin/staff?notice=\(action)", .cacheControl: "no-store"])
            }
        }
        router.get("/staff/welcome") { request, context in
            let token = request.uri.queryParameters.get("token").map { String($0) } ?? ""
            return try await welcome(request, context, token: token, secret: Authenticator.newTOTPSecret(), error: nil)
        }
        router.post("/staff/welcome") { request, context in try await enrol(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    /// "Secretary — Cardiologie (Hôpital Nord)", per grant.
    func describe(_ grant: RoleGrant, _ pages: WebPages, _ language: Language) async throws -> String {
        let role = pages.text("role_" + grant.role.rawValue, language)
        switch grant.scope {
        case .everywhere: return role
        case .group(let id): return "\(role) — \(try await organisation.group(id: id)?.name ?? "")"
        case .site(let id): return "\(role) — \(try await organisation.site(id: id)?.name ?? "")"
        case .department(let id):
            guard let department = try await organisation.department(id: id) else { return role }
            return "\(role) — \(department.name) (\(try await organisation.site(id: department.siteID)?.name ?? ""))"
        }
    }

    func list(_ request: Request, _ context: AdminPageContext, notice: String?, error: String?, fields: [String: String] = [:],
              status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        let csrf = page.csrf(request, context.app, browser)
        var members: [[String: Any]] = []
        for member in try await staff.members(by: context.administrator) {
            var roles: [String] = []
            for grant in member.grants { roles.append(try await describe(grant, pages, page.language)) }
            let state = member.account.disabledAt != nil ? "closed" : member.enrolled ? "active" : "invited"
            members.append([
                "id": member.account.id.json, "name": member.account.displayName, "email": member.account.email, "roles": roles.joined(separator: " · "),
                "state": pages.text("staff_state_" + state, page.language), "closed": member.account.disabledAt != nil, "csrf": csrf,
                "self": member.account.id == context.administrator.accountID,
            ])
        }
        // Where a role may be granted: each site, and each of its departments.
        var scopes: [(value: String, label: String)] = []
        for site in try await admin.sites(for: context.administrator) {
            scopes.append(("site:\(site.id.json)", site.name))
            for department in try await organisation.departments(siteID: site.id) { scopes.append(("department:\(department.id.json)", "\(site.name) — \(department.name)")) }
        }
        for group in context.administrator.groups.sorted(by: { $0.uuidString < $1.uuidString }) {
            scopes.append(("group:\(group.json)", try await organisation.group(id: group)?.name ?? group.json))
        }
        var values: [String: Any] = [
            "members": members, "csrf": csrf, "wide": true, "email": fields["email"] ?? "", "name": fields["name"] ?? "",
            "doctorEmail": fields["doctorEmail"] ?? "", "doctorFirstName": fields["doctorFirstName"] ?? "", "doctorLastName": fields["doctorLastName"] ?? "",
            "doctorRpps": fields["doctorRpps"] ?? "", "doctorCity": fields["doctorCity"] ?? "", "doctorPostalCode": fields["doctorPostalCode"] ?? "",
            "roles": StaffAccounts.invitableRoles.map { ["value": $0.rawValue, "label": pages.text("role_" + $0.rawValue, page.language),
                                                         "selected": fields["role"] == $0.rawValue] },
            "scopes": scopes.map { ["value": $0.value, "label": $0.label, "selected": fields["scope"] == $0.value] },
        ]
        if let key = notice ?? request.uri.queryParameters.get("notice").map({ "staff_notice_" + String($0) }), pages.text(key, page.language) != key {
            values["notice"] = pages.text(key, page.language)
        }
        if let error { values["error"] = error }
        return try pages.render("admin-staff", page, title: pages.text("staff_accounts_title", page.language), values: values, status: status)
    }

    func invite(_ request: Request, _ context: AdminPageContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let pages = try pages()
        let page = PageContext(request, context.app)
        let parts = (fields["scope"] ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        let scope: RoleGrant.Scope? = switch (parts.first, parts.count == 2 ? UUID(uuidString: parts[1]) : nil) {
        case ("site", let id?): .site(id)
        case ("department", let id?): .department(id)
        case ("group", let id?): .group(id)
        default: nil
        }
        guard let role = fields["role"].flatMap(Role.init(rawValue:)), let scope else {
            return try await list(request, context, notice: nil, error: pages.text("staff_invite_missing", page.language), fields: fields, status: .unprocessableContent)
        }
        do {
            _ = try await staff.invite(email: fields["email"] ?? "", name: fields["name"] ?? "", role: role, scope: scope, language: page.language,
                                       by: context.administrator)
        } catch AccountError.refused {
            return try await list(request, context, notice: nil, error: pages.text("account_problem_invalid_email", page.language), fields: fields,
                                  status: .unprocessableContent)
        } catch AdminError.refused {
            return try await list(request, context, notice: nil, error: pages.text("staff_invite_missing", page.language), fields: fields, status: .unprocessableContent)
        } catch AdminError.forbidden {
            return try await list(request, context, notice: nil, error: pages.text("staff_invite_forbidden", page.language), fields: fields, status: .forbidden)
        }
        return Response(status: .seeOther, headers: [.location: "/admin/staff?notice=invited", .cacheControl: "no-store"])
    }

    func inviteDoctor(_ request: Request, _ context: AdminPageContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let pages = try pages()
        let page = PageContext(request, context.app)
        do {
            _ = try await staff.inviteReferringDoctor(
                email: fields["doctorEmail"] ?? "", firstName: fields["doctorFirstName"] ?? "", lastName: fields["doctorLastName"] ?? "",
                rpps: fields["doctorRpps"] ?? "", city: fields["doctorCity"] ?? "", postalCode: fields["doctorPostalCode"] ?? "", by: context.administrator)
        } catch AccountError.refused {
            return try await list(request, context, notice: nil, error: pages.text("account_problem_invalid_email", page.language), fields: fields,
                                  status: .unprocessableContent)
        } catch AdminError.refused(let problem) {
            return try await list(request, context, notice: nil, error: AdminOrganisationController.sentence(problem, pages, page.language), fields: fields,
                                  status: .unprocessableContent)
        }
        return Response(status: .seeOther, headers: [.location: "/admin/staff?notice=invited", .cacheControl: "no-store"])
    }

    // MARK: The invitee

    func welcome(_ request: Request, _ context: AppRequestContext, token: String, secret: String, error: String?,
                 status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let account: Account
        do {
            account = try await staff.invitation(token: token)
        } catch SignInError.invalidLink {
            return try pages.render("message", page, title: pages.text("link_expired_title", page.language), values: [
                "text": pages.text("staff_welcome_expired", page.language), "kind": "error", "role": "alert",
            ], status: .unprocessableContent)
        }
        let address = StaffAccounts.enrolmentAddress(secret: secret, email: account.email)
        var values: [String: Any] = [
            "csrf": page.csrf(request, context, browser), "token": token, "secret": secret, "name": account.displayName, "email": account.email,
            "grouped": Self.grouped(StaffAccounts.appKey(secret: secret)),
            "qr": QRCode(address)?.svg(label: pages.text("staff_welcome_qr_label", page.language)) ?? "", "address": address,
        ]
        if let error { values["error"] = error }
        return try pages.render("staff-welcome", page, title: pages.text("staff_welcome_title", page.language), values: values, status: status)
    }

    /// "JBSW Y3DP …": a key a person types, in groups of four.
    static func grouped(_ key: String) -> String {
        let characters = Array(key)
        return stride(from: 0, to: characters.count, by: 4).map { String(characters[$0..<min($0 + 4, characters.count)]) }.joined(separator: " ")
    }

    func enrol(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        let token = fields["token"] ?? "", secret = fields["secret"] ?? "", password = fields["password"] ?? ""
        do {
            try await staff.enrol(token: token, password: password, secret: secret, code: fields["code"] ?? "")
        } catch SignInError.wrongEnrolmentCode {
            return try await welcome(request, context, token: token, secret: secret.count == 32 ? secret : Authenticator.newTOTPSecret(),
                                     error: pages.text("staff_welcome_wrong_code", page.language), status: .unprocessableContent)
        } catch AccountError.refused(let problem) where problem.code == .weakPassword {
            let key = PasswordPolicy.check(password)?.rawValue ?? PasswordPolicy.Problem.containsEmail.rawValue
            return try await welcome(request, context, token: token, secret: secret, error: pages.text(key, page.language), status: .unprocessableContent)
        }
        return try pages.render("message", page, title: pages.text("staff_welcome_done_title", page.language), values: [
            "text": pages.text("staff_welcome_done_text", page.language), "kind": "notice", "role": "status",
        ])
    }
}
