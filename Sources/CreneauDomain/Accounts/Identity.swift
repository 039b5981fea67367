import Foundation

/// Who a request comes from once signed in: the account and its role grants.
public struct Identity: Hashable, Sendable {
    public var account: Account
    public var grants: [RoleGrant]
    /// Departments the staff grants cover; nil when a grant covers a whole group or everything.
    public var staffDepartments: Set<UUID>?

    public init(account: Account, grants: [RoleGrant], staffDepartments: Set<UUID>?) {
        self.account = account
        self.grants = grants
        self.staffDepartments = staffDepartments
    }

    public var roles: Set<Role> { Set(grants.map(\.role)) }

    /// Roles that must sign in with a second factor from an authenticator app (TOTP).
    public static let staffRoles: Set<Role> = [.practitioner, .secretary, .siteAdmin, .groupAdmin, .referringDoctor, .departmentHead]

    public var isStaff: Bool { !roles.isDisjoint(with: [.practitioner, .secretary, .siteAdmin, .groupAdmin]) }

    /// The booker this identity acts as: staff first (a practitioner who is also a patient
    /// books for the hospital when signed in at work), then referring doctor, then patient.
    public var booker: Booker {
        let roles = self.roles
        for role in [Role.secretary, .siteAdmin, .groupAdmin, .practitioner] where roles.contains(role) {
            var booker = Booker(.staff(accountID: account.id, role: role))
            booker.departments = staffDepartments
            return booker
        }
        if roles.contains(.referringDoctor), let doctor = account.referringDoctorID {
            return Booker(.referringDoctor(accountID: account.id, doctorID: doctor))
        }
        if roles.contains(.patient) { return Booker(.patient(accountID: account.id)) }
        return .visitor
    }
}
