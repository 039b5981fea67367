import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Organisation administration: rules, rights, audit, what leaving service leaves behind")
struct OrganisationAdminTests {
    func service(_ test: TestDatabase) -> OrganisationAdmin {
        OrganisationAdmin(.init(organisation: test.store, practitioners: test.store, scheduling: test.store, administration: test.store,
                                audit: test.store, clock: .fixed(Fixtures.now), ids: .random))
    }

    /// An administrator's stored account (audit rows name it).
    func administrator(_ test: TestDatabase, group: UUID? = nil, site: UUID? = nil) async throws -> Administrator {
        let id = UUID()
        try await test.store.insert(Account(id: id, email: "admin.\(id.uuidString.prefix(8))@hopital.test", displayName: "Admin", createdAt: Fixtures.now))
        return Administrator(accountID: id, groups: Set([group].compactMap { $0 }), sites: Set([site].compactMap { $0 }))
    }

    @Test("a group administrator creates a site and a department; a site administrator may not, but sets its switches")
    func sitesAndDepartments() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let director = try await administrator(test, group: org.group.id)
            let siteAdmin = try await administrator(test, site: org.site.id)
            let admin = service(test)
            let site = Site(id: UUID(), groupID: org.group.id, name: "Hôpital Nord", slug: "hopital-nord", city: "Pontoise",
                            timeZone: "Europe/Paris", address: "6 avenue de l'Île-de-France, 95300 Pontoise", phone: "01 99 00 00 07")
            await #expect(throws: AdminError.self) { try await admin.save(site, isNew: true, by: siteAdmin) }
            var bad = site
            bad.slug = "Hôpital Nord"
            await #expect(throws: AdminError.refused(.init("slug", "slug", "The short name is 2 to 60 lowercase letters, digits or dashes (it appears in addresses)."))) {
                try await admin.save(bad, isNew: true, by: director)
            }
            bad = site
            bad.timeZone = "Europe/Pontoise"
            await #expect(throws: AdminError.self) { try await admin.save(bad, isNew: true, by: director) }
            _ = try await admin.save(site, isNew: true, by: director)
            #expect(try await test.store.site(id: site.id) == site)
            var clash = site
            clash.id = UUID()
            await #expect(throws: AdminError.refused(.init("slug", "taken", "Another record already uses this slug."))) {
                try await admin.save(clash, isNew: true, by: director)
            }

            let department = Department(id: UUID(), siteID: site.id, name: "Pédiatrie", specialty: "pediatrie", newPatientsNeedReferral: false)
            await #expect(throws: AdminError.self) { try await admin.save(department, isNew: true, by: siteAdmin) }
            _ = try await admin.save(department, isNew: true, by: director)
            // The site administrator of the fixture's site switches its department's online booking off.
            var cardiology = org.department
            cardiology.onlineBooking = false
            _ = try await admin.save(cardiology, isNew: false, by: siteAdmin)
            #expect(try await test.store.department(id: cardiology.id)?.onlineBooking == false)
            // But not another site's.
            await #expect(throws: AdminError.self) { try await admin.save(department, isNew: false, by: siteAdmin) }
            let actions = try await test.rows("SELECT action FROM access_audit WHERE action LIKE 'admin:%'").map { try $0.decode(column: "action", as: String.self) }
            #expect(actions.sorted() == ["admin:save_department", "admin:save_department", "admin:save_site"])
        }
    }

    @Test("practitioners: rules name the field; their departments are set per site; leaving service lists their booked appointments")
    func practitioners() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let org = fixture.org
            let admin = service(test)
            let siteAdmin = try await administrator(test, site: org.site.id)
            var newcomer = Practitioner(id: UUID(), title: "Dr", firstName: "Anne", lastName: "Roux", profession: "Médecin", specialty: "cardiologie",
                                        rpps: "1234", languages: ["fr", "en"])
            await #expect(throws: AdminError.refused(.init("rpps", "rpps", "The RPPS number is 11 digits."))) {
                try await admin.save(newcomer, isNew: true, departments: [org.department.id], siteID: org.site.id, by: siteAdmin)
            }
            newcomer.rpps = "10101010101"
            await #expect(throws: AdminError.self) { try await admin.save(newcomer, isNew: true, departments: [], siteID: org.site.id, by: siteAdmin) }
            await #expect(throws: AdminError.self) { try await admin.save(newcomer, isNew: true, departments: [UUID()], siteID: org.site.id, by: siteAdmin) }
            _ = try await admin.save(newcomer, isNew: true, departments: [org.department.id], siteID: org.site.id, by: siteAdmin)
            let listed = try await admin.practitioners(of: org.site.id, for: siteAdmin)
            #expect(listed.contains { $0.practitioner.id == newcomer.id && $0.departmentIDs == [org.department.id] })

            // Dr Lefèvre has a booked visit on Monday; taking her out of service keeps it and says so.
            let booked = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            var leaving = org.practitioner
            leaving.isActive = false
            let saved = try await admin.save(leaving, isNew: false, departments: [org.department.id], siteID: org.site.id, by: siteAdmin)
            #expect(saved.affected.map(\.id) == [booked.id])
            #expect(try await test.store.appointment(id: booked.id)?.status == .booked)
            #expect(try await test.store.searchPractitioners(query: "lefevre", specialty: nil, siteID: nil, limit: 5).isEmpty)
            // Saving again (still out of service) lists nothing new: only the change says what it leaves behind.
            #expect(try await admin.save(leaving, isNew: false, departments: [org.department.id], siteID: org.site.id, by: siteAdmin).affected.isEmpty)
            // Another site's administrator cannot touch her.
            let stranger = try await administrator(test, site: UUID())
            await #expect(throws: AdminError.self) { try await admin.save(leaving, isNew: false, departments: [org.department.id], siteID: org.site.id, by: stranger) }
        }
    }

    @Test("a new motive is checked like an edited one; archiving one lists its booked appointments; closures open and close days")
    func motivesAndClosures() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let org = fixture.org
            let admin = service(test)
            let siteAdmin = try await administrator(test, site: org.site.id)
            let bad = Motive(id: UUID(), departmentID: org.department.id, name: "Téléconsultation", durationMinutes: 17)
            await #expect(throws: AdminError.self) { try await admin.create(bad, by: siteAdmin) }
            var good = bad
            good.durationMinutes = 20
            _ = try await admin.create(good, by: siteAdmin)
            #expect(try await test.store.motive(id: good.id)?.name == "Téléconsultation")

            let booked = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            let archived = try await admin.setMotive(org.motive.id, active: false, by: siteAdmin)
            #expect(archived.affected.map(\.id) == [booked.id])
            #expect(try await test.store.motive(id: org.motive.id)?.isActive == false)

            let day = Fixtures.today.adding(days: 10)
            try await admin.addClosure(PublicHoliday(siteID: org.site.id, date: day, name: "Déménagement"), by: siteAdmin)
            await #expect(throws: AdminError.self) { try await admin.addClosure(PublicHoliday(siteID: org.site.id, date: day, name: "Encore"), by: siteAdmin) }
            await #expect(throws: AdminError.self) {
                try await admin.addClosure(PublicHoliday(siteID: org.site.id, date: Fixtures.today.adding(days: -1), name: "Hier"), by: siteAdmin)
            }
            #expect(try await test.store.holidays(siteID: org.site.id).map(\.date) == [day])
            try await admin.removeClosure(siteID: org.site.id, date: day, by: siteAdmin)
            await #expect(throws: AdminError.self) { try await admin.removeClosure(siteID: org.site.id, date: day, by: siteAdmin) }
            #expect(try await test.store.holidays(siteID: org.site.id).isEmpty)
            let actions = try await test.rows("SELECT action FROM access_audit WHERE action LIKE 'admin:%'").map { try $0.decode(column: "action", as: String.self) }
            #expect(Set(actions) == ["admin:create_motive", "admin:archive_motive", "admin:add_closure", "admin:remove_closure"])
        }
    }
}
