import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Patients, accounts, roles and the referring-doctor directory")
struct PeopleRepositoryTests {
    @Test("an account manages relatives; removing one keeps the patient")
    func relatives() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let ids = Fixtures.IDs()
            let account = Account(id: ids.next(), email: "Lea.Martin@Example.org", displayName: "Léa Martin", createdAt: Fixtures.now)
            let lea = Patient(id: ids.next(), firstName: "Léa", lastName: "Martin", birthDate: LocalDate("1992-04-01")!, email: "lea.martin@example.org", createdAt: Fixtures.now)
            var hugo = Patient(id: ids.next(), firstName: "Hugo", lastName: "Martin", birthDate: LocalDate("2020-06-15")!, createdAt: Fixtures.now)
            try await store.insert(account)
            try await store.insert(lea)
            try await store.insert(hugo)
            try await store.link(ManagedPatient(accountID: account.id, patientID: lea.id, relationship: .self))
            try await store.link(ManagedPatient(accountID: account.id, patientID: hugo.id, relationship: .child))
            hugo.phone = "0612345678"
            try await store.update(hugo)

            #expect(try await store.account(email: "lea.martin@example.org")?.id == account.id)
            #expect(try await store.managedPatients(accountID: account.id).count == 2)
            #expect(try await store.patient(id: hugo.id) == hugo)

            // a second "self" in the same account is refused by the schema
            let other = Patient(id: ids.next(), firstName: "Autre", lastName: "Personne", birthDate: LocalDate("1990-01-01")!, createdAt: Fixtures.now)
            try await store.insert(other)
            #expect(await failure { try await store.link(ManagedPatient(accountID: account.id, patientID: other.id, relationship: .self)) } == .duplicate)

            // when Hugo is removed from the account
            try await store.unlink(accountID: account.id, patientID: hugo.id, at: Fixtures.now)

            // then he is no longer managed, but still exists
            #expect(try await store.managedPatients(accountID: account.id).map(\.patientID) == [lea.id])
            #expect(try await store.patient(id: hugo.id) != nil)
            #expect(await failure { try await store.unlink(accountID: account.id, patientID: hugo.id, at: Fixtures.now) } == .notFound)
        }
    }

    @Test("patient search folds accents and case; rows written before the search column get it filled")
    func patientSearch() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let lea = Patient(id: UUID(), firstName: "Léa", lastName: "Lefèvre", birthDate: LocalDate("1992-05-14")!, createdAt: Fixtures.now)
            let zoe = Patient(id: UUID(), firstName: "Zoé", lastName: "Lefèvre-Œuvray", birthDate: LocalDate("2019-06-02")!, createdAt: Fixtures.now)
            try await store.insert(lea)
            try await store.insert(zoe)
            #expect(try await store.searchPatients("LEFEVRE", birthDate: nil, limit: 10).map(\.id) == [lea.id, zoe.id])
            #expect(try await store.searchPatients("oeuvray zoe", birthDate: nil, limit: 10).map(\.id) == [zoe.id])
            #expect(try await store.searchPatients("lefevre", birthDate: LocalDate("1992-05-14"), limit: 10).map(\.id) == [lea.id])
            #expect(try await store.searchPatients("%", birthDate: nil, limit: 10).isEmpty)

            // As after migration 0011 on a database that had patients.
            try await test.run("UPDATE patients SET search_text = NULL")
            #expect(try await store.searchPatients("lea", birthDate: nil, limit: 10).isEmpty)
            #expect(try await store.backfillPatientSearch() == 2)
            #expect(try await store.backfillPatientSearch() == 0)
            #expect(try await store.searchPatients("lea lefevre", birthDate: nil, limit: 10).map(\.id) == [lea.id])
        }
    }

    @Test("known patients per department")
    func known() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            #expect(try await test.store.isKnown(patientID: org.patient.id, departmentID: org.department.id) == false)
            try await test.store.insert(KnownPatient(departmentID: org.department.id, patientID: org.patient.id, source: .importedIndex, since: Fixtures.now))
            #expect(try await test.store.isKnown(patientID: org.patient.id, departmentID: org.department.id))
            #expect(await failure {
                try await test.store.insert(KnownPatient(departmentID: org.department.id, patientID: org.patient.id, source: .fulfilledAppointment, since: Fixtures.now))
            } == .duplicate)
        }
    }

    @Test("accounts: unique email, roles with their scopes")
    func accounts() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            var account = Account(id: UUID(), email: "sandrine@hopital.fr", displayName: "Sandrine", passwordHash: "$2b$12$abc", createdAt: Fixtures.now)
            try await store.insert(account)
            account.emailVerifiedAt = Fixtures.now
            account.practitionerID = org.practitioner.id
            try await store.update(account)
            #expect(try await store.account(id: account.id) == account)

            let grants = [
                RoleGrant(id: UUID(), accountID: account.id, role: .secretary, scope: .department(org.department.id)),
                RoleGrant(id: UUID(), accountID: account.id, role: .siteAdmin, scope: .site(org.site.id)),
                RoleGrant(id: UUID(), accountID: account.id, role: .groupAdmin, scope: .group(org.group.id)),
                RoleGrant(id: UUID(), accountID: account.id, role: .patient, scope: .everywhere),
            ]
            for grant in grants { try await store.insert(grant) }
            #expect(Set(try await store.grants(accountID: account.id)) == Set(grants))

            let twin = Account(id: UUID(), email: "SANDRINE@hopital.fr", displayName: "Twin", createdAt: Fixtures.now)
            #expect(await failure { try await store.insert(twin) } == .duplicate)
            let notAnEmail = Account(id: UUID(), email: "sandrine", displayName: "No", createdAt: Fixtures.now)
            #expect(await failure { try await store.insert(notAnEmail) } == .invalidValue)
        }
    }

    @Test("the referring-doctor directory is searched by name and town, accents ignored")
    func directory() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            var dupont = ReferringDoctor(id: UUID(), nationalID: "810001234567", firstName: "Jean", lastName: "Dupont", profession: "Médecin", city: "Pontoise", postalCode: "95300")
            let other = ReferringDoctor(id: UUID(), nationalID: "810007654321", firstName: "Bérénice", lastName: "Dupont", profession: "Médecin", city: "Créteil", postalCode: "94000")
            try await store.insert(dupont)
            try await store.insert(other)
            dupont.specialty = "Médecine générale"
            try await store.update(dupont)

            #expect(try await store.searchReferringDoctors("dupont pontoise", limit: 10) == [dupont])
            #expect(try await store.searchReferringDoctors("BERENICE", limit: 10).map(\.id) == [other.id])
            #expect(try await store.searchReferringDoctors("Dupont", limit: 10).count == 2)
            #expect(try await store.searchReferringDoctors("%", limit: 10).isEmpty)
            #expect(try await store.referringDoctor(id: dupont.id) == dupont)
            // Existence, as a booking asks it: unknown ids are asked again each time (a doctor may be added).
            #expect(try await store.referringDoctorExists(id: dupont.id))
            #expect(try await store.referringDoctorExists(id: dupont.id))
            let later = ReferringDoctor(id: UUID(), nationalID: "810000000777", firstName: "Inès", lastName: "Garnier", profession: "Médecin")
            #expect(try await store.referringDoctorExists(id: later.id) == false)
            try await store.insert(later)
            #expect(try await store.referringDoctorExists(id: later.id))

            var twin = other
            twin.id = UUID()
            #expect(await failure { try await store.insert(twin) } == .duplicate)
        }
    }
}
