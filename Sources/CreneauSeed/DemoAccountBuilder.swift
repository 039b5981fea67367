import CreneauDomain
import CreneauStorage
import Foundation

/// Creates one account per role on the avoine site, as listed in `DemoAccounts`.
struct DemoAccountBuilder {
    let options: SeedOptions
    let site: SiteData
    let groupID: UUID
    let patients: [Patient]
    let doctors: [ReferringDoctor]

    func write(to store: SQLStore, random: inout SeededRandom) async throws {
        var accounts: [Account] = []
        var grants: [RoleGrant] = []
        var managed: [ManagedPatient] = []
        var people: [Patient] = []
        var known: [KnownPatient] = []

        func account(_ index: Int, practitionerID: UUID? = nil, referringDoctorID: UUID? = nil) -> Account {
            let entry = DemoAccounts.entries[index]
            return Account(
                id: random.uuid(), email: entry.email, displayName: entry.name, passwordHash: options.demoPasswordHash,
                emailVerifiedAt: options.now, practitionerID: practitionerID, referringDoctorID: referringDoctorID,
                createdAt: options.now)
        }

        // Léa, 34, and her son Hugo, 6 (scenario 1).
        let lea = account(0)
        let leaSelf = Patient(id: random.uuid(), firstName: "Léa", lastName: "Martin", birthDate: options.today.adding(days: -34 * 365 - 40),
                              email: lea.email, phone: "0611223344", createdAt: options.now)
        let hugo = Patient(id: random.uuid(), firstName: "Hugo", lastName: "Martin", birthDate: options.today.adding(days: -6 * 365 - 100),
                           createdAt: options.now)
        accounts.append(lea)
        people += [leaSelf, hugo]
        managed += [ManagedPatient(accountID: lea.id, patientID: leaSelf.id, relationship: .self),
                    ManagedPatient(accountID: lea.id, patientID: hugo.id, relationship: .child)]
        grants.append(RoleGrant(id: random.uuid(), accountID: lea.id, role: .patient, scope: .everywhere))

        // Mme Girard, known to cardiology (scenario 2).
        let jeanne = account(1)
        let jeanneSelf = Patient(id: random.uuid(), firstName: "Jeanne", lastName: "Girard", birthDate: options.today.adding(days: -67 * 365),
                                 email: jeanne.email, phone: "0622334455", createdAt: options.now)
        accounts.append(jeanne)
        people.append(jeanneSelf)
        managed.append(ManagedPatient(accountID: jeanne.id, patientID: jeanneSelf.id, relationship: .self))
        grants.append(RoleGrant(id: random.uuid(), accountID: jeanne.id, role: .patient, scope: .everywhere))
        if let cardiology = site.departments.first(where: { $0.specialty == "cardiologie" }) {
            known.append(KnownPatient(departmentID: cardiology.id, patientID: jeanneSelf.id, source: .fulfilledAppointment,
                                      since: options.now.addingTimeInterval(-300 * 86_400)))
        }

        for index in 2...4 {
            let secretary = account(index)
            accounts.append(secretary)
            grants.append(RoleGrant(id: random.uuid(), accountID: secretary.id, role: .secretary, scope: .site(site.site.id)))
        }

        let morel = site.practitioners.first { $0.lastName == "Morel" && $0.firstName == "Paul" }
        let doctor = account(5, practitionerID: morel?.id)
        accounts.append(doctor)
        grants.append(RoleGrant(id: random.uuid(), accountID: doctor.id, role: .practitioner, scope: .site(site.site.id)))

        let dupont = doctors.first { $0.lastName == "Dupont" && $0.city == "Pontoise" }
        let referrer = account(6, referringDoctorID: dupont?.id)
        accounts.append(referrer)
        grants.append(RoleGrant(id: random.uuid(), accountID: referrer.id, role: .referringDoctor, scope: .everywhere))

        let admin = account(7)
        accounts.append(admin)
        grants.append(RoleGrant(id: random.uuid(), accountID: admin.id, role: .siteAdmin, scope: .site(site.site.id)))

        let director = account(8)
        accounts.append(director)
        grants.append(RoleGrant(id: random.uuid(), accountID: director.id, role: .groupAdmin, scope: .group(groupID)))

        let rows = (accounts, grants, managed, people, known)
        try await store.bulk { writer in
            try await writer.patients(rows.3)
            try await writer.accounts(rows.0)
            try await writer.roleGrants(rows.1)
            try await writer.managedPatients(rows.2)
            try await writer.knownPatients(rows.4)
        }
        // Staff and referring doctors sign in with an authenticator app; the demo's secrets are public (README).
        let staffRoles: Set<Role> = [.practitioner, .secretary, .siteAdmin, .groupAdmin, .referringDoctor]
        let staffAccounts = Set(grants.filter { staffRoles.contains($0.role) }.map(\.accountID))
        for account in accounts where staffAccounts.contains(account.id) {
            try await store.setTOTPSecret(DemoAccounts.totpSecret(for: account.email), accountID: account.id)
        }
    }
}
