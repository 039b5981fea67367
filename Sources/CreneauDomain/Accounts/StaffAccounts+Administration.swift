import Foundation

/// What administrators do to colleagues' accounts, and the referring doctors they invite.
extension StaffAccounts {
    /// A city doctor the hospital works with: their entry in the directory of referring doctors
    /// (found by RPPS number, or added) and a portal account, invited like staff. Any administrator may.
    public func inviteReferringDoctor(email: String, firstName: String, lastName: String, rpps: String, city: String, postalCode: String,
                                      by admin: Administrator) async throws -> Account {
        let email = email.trimmed.lowercased(), rpps = rpps.filter { !$0.isWhitespace }
        guard PatientRules.isPlausibleEmail(email) else {
            throw AccountError.refused(AccountProblem(.invalidEmail, "The email address does not look right: it should be like name@cabinet.fr."))
        }
        guard rpps.count == 11, rpps.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AdminError.refused(.init("rpps", "rpps", "The RPPS number is 11 digits."))
        }
        for (value, field) in [(firstName, "firstName"), (lastName, "lastName"), (city, "city")] {
            if let problem = OrganisationRules.text(value, field, max: 100, required: field != "city") { throw AdminError.refused(problem) }
        }
        let now = deps.clock.now()
        var doctor = try await deps.staff.referringDoctor(nationalID: rpps)
        if doctor == nil {
            let created = ReferringDoctor(id: deps.ids.next(), nationalID: rpps, firstName: firstName.trimmed, lastName: lastName.trimmed,
                                          profession: "Médecin", city: city.trimmed, postalCode: postalCode.trimmed)
            try await deps.referringDoctors.insert(created)
            doctor = created
        }
        guard let doctor else { throw AdminError.notFound("The directory entry could not be made.") }
        var account = try await deps.accounts.account(email: email)
        if account == nil {
            let created = Account(id: deps.ids.next(), email: email, displayName: "Dr \(firstName.trimmed) \(lastName.trimmed)",
                                  referringDoctorID: doctor.id, createdAt: now)
            try await deps.accounts.insert(created)
            account = created
        }
        guard let account, account.referringDoctorID == doctor.id else {
            throw AdminError.refused(.init("email", "taken", "This email already belongs to another account."))
        }
        if try await !deps.accounts.grants(accountID: account.id).contains(where: { $0.role == .referringDoctor }) {
            try await deps.accounts.insert(RoleGrant(id: deps.ids.next(), accountID: account.id, role: .referringDoctor, scope: .everywhere))
        }
        if try await !isEnrolled(account) { _ = try await sendInvitation(account, now: now) }
        try await audit("invite_referring_doctor", account.id, by: admin)
        return account
    }

    /// Everyone with a staff role in the administrator's sites or groups.
    public func members(by admin: Administrator) async throws -> [Member] {
        let map = try await organisationMap()
        return try await deps.staff.staffAccounts()
            .filter { Self.oversees($0.grants, by: admin, sites: map.sites, siteOfDepartment: map.siteOfDepartment) }
            .map { Member(account: $0.account, grants: $0.grants, enrolled: $0.enrolled) }
    }

    func member(_ accountID: UUID, by admin: Administrator) async throws -> Account {
        let map = try await organisationMap()
        guard let account = try await deps.accounts.account(id: accountID),
              Self.oversees(try await deps.accounts.grants(accountID: accountID), by: admin, sites: map.sites, siteOfDepartment: map.siteOfDepartment) else {
            throw AdminError.notFound("No colleague of yours has this account.")
        }
        guard account.id != admin.accountID else { throw AdminError.forbidden("Ask another administrator to change your own account.") }
        return account
    }

    /// A lost or changed phone: the key is removed, sessions end, and a new enrolment link goes out.
    public func resetSecondFactor(_ accountID: UUID, by admin: Administrator) async throws {
        let account = try await member(accountID, by: admin)
        let now = deps.clock.now()
        try await deps.staff.clearTOTPSecret(accountID: account.id)
        try await deps.sessions.revokeSessions(accountID: account.id, at: now)
        _ = try await sendInvitation(account, now: now)
        try await audit("reset_second_factor", account.id, by: admin)
    }

    /// Closed: signing in fails and every session ends at once. Reopened: signing in works again.
    public func setActive(_ accountID: UUID, _ active: Bool, by admin: Administrator) async throws {
        var account = try await member(accountID, by: admin)
        let now = deps.clock.now()
        account.disabledAt = active ? nil : now
        try await deps.accounts.update(account)
        if !active { try await deps.sessions.revokeSessions(accountID: account.id, at: now) }
        try await audit(active ? "reopen_account" : "close_account", account.id, by: admin)
    }
}

/// Staff accounts as administrators see them.
public protocol StaffAccountRepository: Sendable {
    /// Every account holding a role other than patient, with its grants and whether it is enrolled
    /// (password chosen and authenticator key saved), by name.
    func staffAccounts() async throws -> [(account: Account, grants: [RoleGrant], enrolled: Bool)]
    /// Removes the authenticator key (the account must enrol again).
    func clearTOTPSecret(accountID: UUID) async throws
    /// The directory's entry for an RPPS number.
    func referringDoctor(nationalID: String) async throws -> ReferringDoctor?
}

/// RFC 4648 base32 (no padding), the alphabet authenticator apps read keys in.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ bytes: [UInt8]) -> String {
        var result = "", buffer = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { result.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return result
    }
}
