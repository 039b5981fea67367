import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Organisation, practitioners and resources")
struct OrganisationRepositoryTests {
    @Test("groups, sites, departments and holidays: create, read, update")
    func organisationTree() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let ids = Fixtures.IDs()
            // given
            var group = HospitalGroup(id: ids.next(), name: "AP-HP", slug: "aphp")
            var site = Site(id: ids.next(), groupID: group.id, name: "Necker", slug: "necker", city: "Paris")
            var department = Department(id: ids.next(), siteID: site.id, name: "Pédiatrie", specialty: "pediatrie")
            let holiday = PublicHoliday(siteID: site.id, date: LocalDate(year: 2026, month: 12, day: 25)!, name: "Noël")

            // when
            try await store.insert(group)
            try await store.insert(site)
            try await store.insert(department)
            try await store.insert(holiday)
            group.name = "Assistance Publique – Hôpitaux de Paris"
            site.timeZone = "Europe/Paris"
            site.city = "Paris 15e"
            department.maxFutureAppointmentsPerPatient = 2
            department.sameSpecialtyGapDays = 14
            try await store.update(group)
            try await store.update(site)
            try await store.update(department)

            // then
            #expect(try await store.group(id: group.id) == group)
            #expect(try await store.site(id: site.id) == site)
            #expect(try await store.sites() == [site])
            #expect(try await store.department(id: department.id) == department)
            #expect(try await store.departments(siteID: site.id) == [department])
            #expect(try await store.holidays(siteID: site.id) == [holiday])
            #expect(try await store.group(id: ids.next()) == nil)
        }
    }

    @Test("updating a record that does not exist is notFound")
    func updateMissing() async throws {
        try await TestDatabase.with { test in
            let ghost = HospitalGroup(id: UUID(), name: "Ghost", slug: "ghost")
            await #expect(throws: RepositoryError.notFound(entity: "hospital_groups", id: ghost.id.uuidString.lowercased())) {
                try await test.store.update(ghost)
            }
        }
    }

    @Test("practitioners, memberships and resources: create, read, update")
    func practitioners() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            var practitioner = org.practitioner
            practitioner.languages = ["fr", "en", "ar"]
            practitioner.rpps = "10003456789"
            practitioner.skills = "Échographie cardiaque"
            try await store.update(practitioner)
            var room = org.room
            room.capacity = 2
            room.name = "Salle d'écho 2"
            try await store.update(room)

            #expect(try await store.practitioner(id: practitioner.id) == practitioner)
            #expect(try await store.practitionerCount() == 1)
            #expect(try await store.memberships(practitionerID: practitioner.id) == [Membership(practitionerID: practitioner.id, departmentID: org.department.id)])
            #expect(try await store.resource(id: room.id) == room)
            let stored = try await test.rows("SELECT search_name FROM practitioners")
            #expect(try stored.first?.decode(column: "search_name", as: String.self) == "berenice lefevre")
        }
    }

    @Test("constraint violations surface as typed errors")
    func constraints() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)

            // a second site with the same slug
            var copy = org.site
            copy.id = UUID()
            #expect(await failure { try await store.insert(copy) } == .duplicate)

            // a department of a site that does not exist
            let orphan = Department(id: UUID(), siteID: UUID(), name: "Orpheline", specialty: "x")
            #expect(await failure { try await store.insert(orphan) } == .missingReference)

            // a resource with no capacity
            let empty = Resource(id: UUID(), siteID: org.site.id, departmentID: nil, kind: .equipment, name: "IRM", capacity: 0)
            #expect(await failure { try await store.insert(empty) } == .invalidValue)
            #expect(try await store.resource(id: empty.id) == nil)
        }
    }
}
