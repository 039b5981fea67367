import Foundation

/// The staff's accounts, run by administrators: an invitation by email (the invitee chooses a
/// password and enrols an authenticator app from the link), roles per site or department, a
/// colleague's second factor reset (a new enrolment link), an account closed (its sessions end at
/// once) or reopened, and who has access to what. Every change is audited.
public struct StaffAccounts: Sendable {
    public struct Dependencies: Sendable {
        public var accounts: any AccountRepository
        public var sessions: any SessionRepository
        public var tokens: any AccountTokenRepository
        public var staff: any StaffAccountRepository
        public var organisation: any OrganisationRepository
        public var referringDoctors: any ReferringDoctorRepository
        public var audit: any AuditRepository
        public var mailer: any Mailer
        public var emails: AccountEmails
        public var passwords: any PasswordHasher
        public var codes: any OneTimeCodes
        public var clock: Clock
        public var ids: IDGenerator
        public var tokenGenerator: TokenGenerator

        public init(accounts: any AccountRepository, sessions: any SessionRepository, tokens: any AccountTokenRepository, staff: any StaffAccountRepository,
                    organisation: any OrganisationRepository, referringDoctors: any ReferringDoctorRepository, audit: any AuditRepository,
                    mailer: any Mailer, emails: AccountEmails,
                    passwords: any PasswordHasher, codes: any OneTimeCodes, clock: Clock, ids: IDGenerator, tokenGenerator: TokenGenerator = .random) {
            self.accounts = accounts
            self.sessions = sessions
            self.tokens = tokens
            self.staff = staff
            self.organisation = organisation
            self.referringDoctors = referringDoctors
            self.audit = audit
            self.mailer = mailer
            self.emails = emails
            self.passwords = passwords
            self.codes = codes
            self.clock = clock
            self.ids = ids
            self.tokenGenerator = tokenGenerator
        }
    }

    /// An invitation link works for a week (an administrator invites on Friday, the secretary starts on Monday).
    public static let invitationLifetime: TimeInterval = 7 * 86_400
    public static let invitableRoles: [Role] = [.secretary, .practitioner, .departmentHead, .siteAdmin, .groupAdmin]

    let deps: Dependencies

    public init(_ dependencies: Dependencies) { self.deps = dependencies }

    /// A staff account and its grants, as the access list shows them.
    public struct Member: Sendable {
        public var account: Account
        public var grants: [RoleGrant]
        /// Password chosen and authenticator enrolled.
        public var enrolled: Bool
    }

    // MARK: Rights

    /// Whether `admin` may grant `role` over `scope`: a site's administrator within their site (not
    /// group-wide roles); a group's administrator anywhere in the group.
    func mayGrant(_ role: Role, _ scope: RoleGrant.Scope, by admin: Administrator) async throws -> Bool {
        guard Self.invitableRoles.contains(role) else { return false }
        // A department head reads one department's statistics: the role has no wider scope.
        if role == .departmentHead, case .department = scope {} else if role == .departmentHead { return false }
        switch scope {
        case .everywhere:
            return admin.everywhere
        case .group(let id):
            return admin.administersGroup(id)
        case .site(let id):
            guard let site = try await deps.organisation.site(id: id) else { return false }
            return role == .groupAdmin ? false : admin.administers(site)
        case .department(let id):
            guard role != .groupAdmin, role != .siteAdmin, let department = try await deps.organisation.department(id: id),
                  let site = try await deps.organisation.site(id: department.siteID) else { return false }
            return admin.administers(site)
        }
    }

    /// Whether `admin` oversees an account with `grants` (one of its staff grants lies in their sites
    /// or groups). `sites`: every site by id; `siteOfDepartment`: each department's site.
    static func oversees(_ grants: [RoleGrant], by admin: Administrator, sites: [UUID: Site], siteOfDepartment: [UUID: UUID]) -> Bool {
        if admin.everywhere { return true }
        return grants.contains { grant in
            guard grant.role != .patient && grant.role != .referringDoctor else { return false }
            switch grant.scope {
            case .everywhere: return false
            case .group(let id): return admin.administersGroup(id)
            case .site(let id): return sites[id].map(admin.administers) ?? false
            case .department(let id): return siteOfDepartment[id].flatMap { sites[$0] }.map(admin.administers) ?? false
            }
        }
    }

    /// The organisation `oversees` looks at, read once (a site's departments each).
    func organisationMap() async throws -> (sites: [UUID: Site], siteOfDepartment: [UUID: UUID]) {
        var sites: [UUID: Site] = [:], siteOfDepartment: [UUID: UUID] = [:]
        for site in try await deps.organisation.sites() {
            sites[site.id] = site
            for department in try await deps.organisation.departments(siteID: site.id) { siteOfDepartment[department.id] = site.id }
        }
        return (sites, siteOfDepartment)
    }

    // MARK: Invitations

    /// Creates the account (or adds the role to an existing one) and emails the enrolment link,
    /// unless the account is already enrolled (then the new role simply applies at next sign-in).
    public func invite(email: String, name: String, role: Role, scope: RoleGrant.Scope, practitionerID: UUID? = nil,
                       language: Language = .fr, by admin: Administrator) async throws -> Account {
        let email = email.trimmed.lowercased(), name = name.trimmed
        guard PatientRules.isPlausibleEmail(email) else {
            throw AccountError.refused(AccountProblem(.invalidEmail, "The email address does not look right: it should be like name@hopital.fr."))
        }
        guard !name.isEmpty, name.count <= 120, !PatientRules.hasControlCharacters(name) else {
            throw AdminError.refused(.init("name", "required", "Give the person's name (at most 120 characters)."))
        }
        guard try await mayGrant(role, scope, by: admin) else { throw AdminError.forbidden("You cannot grant this role there.") }
        let now = deps.clock.now()
        var account = try await deps.accounts.account(email: email)
        if account == nil {
            let created = Account(id: deps.ids.next(), email: email, displayName: name, practitionerID: practitionerID, createdAt: now, language: language)
            try await deps.accounts.insert(created)
            account = created
        }
        guard let account else { throw AdminError.notFound("The account could not be created.") }
        let grants = try await deps.accounts.grants(accountID: account.id)
        if !grants.contains(where: { $0.role == role && $0.scope == scope }) {
            try await deps.accounts.insert(RoleGrant(id: deps.ids.next(), accountID: account.id, role: role, scope: scope))
        }
        if try await !isEnrolled(account) { try await sendInvitation(account, now: now) }
        try await audit("invite_staff", account.id, by: admin)
        return account
    }

    func isEnrolled(_ account: Account) async throws -> Bool {
        account.passwordHash != nil ? try await deps.sessions.totpSecret(accountID: account.id) != nil : false
    }

    /// A new one-time link (earlier ones stop working).
    func sendInvitation(_ account: Account, now: Date) async throws -> String {
        let token = deps.tokenGenerator.next()
        try await deps.tokens.issue(token: token, code: nil, AccountToken(
            accountID: account.id, purpose: .resetPassword, createdAt: now, expiresAt: now.addingTimeInterval(Self.invitationLifetime)))
        try await deps.mailer.send(deps.emails.staffInvitation(
            to: account.email, name: account.displayName, token: token, days: Int(Self.invitationLifetime / 86_400), language: account.language))
        return token
    }

    /// The enrolment link for an account made by an import (unless it is already enrolled).
    public func sendInvitation(accountID: UUID) async throws {
        guard let account = try await deps.accounts.account(id: accountID), try await !isEnrolled(account) else { return }
        _ = try await sendInvitation(account, now: deps.clock.now())
    }

    /// The first administrator of an empty installation (from the command line): a group
    /// administrator of `groupID`; answers the one-time link's token.
    public func firstAdministrator(email: String, name: String, groupID: UUID) async throws -> String {
        let now = deps.clock.now()
        let email = email.trimmed.lowercased()
        guard PatientRules.isPlausibleEmail(email) else {
            throw AccountError.refused(AccountProblem(.invalidEmail, "The email address does not look right: it should be like name@hopital.fr."))
        }
        var found = try await deps.accounts.account(email: email)
        if found == nil {
            let created = Account(id: deps.ids.next(), email: email, displayName: name.trimmed.isEmpty ? email : name.trimmed, createdAt: now)
            try await deps.accounts.insert(created)
            found = created
        }
        guard let account = found else { throw AdminError.notFound("The account could not be created.") }
        if try await !deps.accounts.grants(accountID: account.id).contains(where: { $0.role == .groupAdmin && $0.scope == .group(groupID) }) {
            try await deps.accounts.insert(RoleGrant(id: deps.ids.next(), accountID: account.id, role: .groupAdmin, scope: .group(groupID)))
        }
        return try await sendInvitation(account, now: now)
    }

    // MARK: Enrolment (the invitee, from the link)

    /// The account behind a live invitation link.
    public func invitation(token: String) async throws -> Account {
        guard token.count <= 100, let stored = try await deps.tokens.token(token, purpose: .resetPassword), stored.isLive(at: deps.clock.now()),
              let account = try await deps.accounts.account(id: stored.accountID), account.disabledAt == nil else { throw SignInError.invalidLink }
        return account
    }

    /// The key an authenticator app is given for a stored secret: the base32 of its bytes. The server
    /// keys its HMAC with the secret's UTF-8 bytes (as the demo's published keys do), so the app must too.
    public static func appKey(secret: String) -> String { Base32.encode(Array(secret.utf8)) }

    /// The `otpauth://` address an authenticator app scans for `secret` (Key URI format, RFC 6238 parameters).
    public static func enrolmentAddress(secret: String, email: String, issuer: String = "Creneau") -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let label = "\(issuer):\(email)".addingPercentEncoding(withAllowedCharacters: allowed.union(CharacterSet(charactersIn: ":"))) ?? issuer
        return "otpauth://totp/\(label)?secret=\(appKey(secret: secret))&issuer=\(issuer)&algorithm=SHA1&digits=6&period=30"
    }

    /// Sets the password and the authenticator key once the code the app shows for `secret`
    /// proves it was enrolled; the link is then used up, the address verified.
    public func enrol(token: String, password: String, secret: String, code: String) async throws {
        let account = try await invitation(token: token)
        if let problem = PasswordPolicy.problem(with: password, email: account.email) {
            throw AccountError.refused(AccountProblem(.weakPassword, problem))
        }
        let now = deps.clock.now()
        guard secret.count == 32, secret.allSatisfy({ ("A"..."Z").contains($0) || ("2"..."7").contains($0) }),
              let step = Authenticator.matchingStep(code: code, secret: secret, at: now, codes: deps.codes) else { throw SignInError.wrongEnrolmentCode }
        let hash = try await deps.passwords.hash(password)
        guard try await deps.tokens.redeem(token, purpose: .resetPassword, at: now) == account.id else { throw SignInError.invalidLink }
        try await deps.accounts.setPassword(hash: hash, accountID: account.id, at: now)
        try await deps.accounts.markEmailVerified(accountID: account.id, at: now)
        try await deps.sessions.setTOTPSecret(secret, accountID: account.id)
        // The code used to enrol is spent: it cannot open a session afterwards.
        _ = try await deps.sessions.useTOTPStep(step, accountID: account.id)
        try await deps.sessions.revokeSessions(accountID: account.id, at: now)
    }

    func audit(_ action: String, _ accountID: UUID, by admin: Administrator) async throws {
        try await deps.audit.append(AccessAuditEntry(
            id: deps.ids.next(), at: deps.clock.now(), actorAccountID: admin.accountID, action: "admin:" + action, patientID: nil,
            target: "account:\(accountID.uuidString.lowercased())", outcome: .allowed))
    }
}

