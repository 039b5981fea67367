import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Testing

/// A site administrator sets the hospital up in pages; a group administrator through the API.
@Suite("Web and API: organisation administration")
struct AdminOrganisationTests {
    typealias Pages = AccountPagesTests

    @Test("a site administrator adds a practitioner (a wrong RPPS is explained, values kept), closes a day, and takes someone out of service")
    func pages() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let booked = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let overview = try await client.execute(uri: "/admin/organisation", method: .get, headers: headers)
                #expect(overview.status == .ok)
                #expect(overview.text.contains(fixture.org.site.name) && overview.text.contains("Bérénice Lefèvre"))
                #expect(overview.text.contains("Fermé les jours fériés"))
                // A site administrator does not create sites or departments.
                #expect(!overview.text.contains("href=\"/admin/sites/new\""))

                let site = fixture.org.site.id.json, department = fixture.org.department.id.json
                let form = try await client.execute(uri: "/admin/sites/\(site)/practitioners/new", method: .get, headers: headers)
                #expect(form.status == .ok && form.text.contains("name=\"department-\(department)\""))
                var values = ["title": "Dr", "firstName": "Anne", "lastName": "Roux", "profession": "Médecin", "specialty": "cardiologie",
                              "rpps": "1234", "languages": "fr, en", "department-\(department)": "1", "active": "1", "_csrf": session.csrf]
                let wrong = try await Pages.post(client, "/admin/sites/\(site)/practitioners/new", form: values, cookie: session.cookie)
                #expect(wrong.status == .unprocessableContent)
                #expect(wrong.text.contains("Le numéro RPPS comporte 11 chiffres"))
                #expect(wrong.text.contains("value=\"Roux\"") && wrong.text.contains("aria-invalid=\"true\""))
                values["rpps"] = "10101010101"
                let saved = try await Pages.post(client, "/admin/sites/\(site)/practitioners/new", form: values, cookie: session.cookie)
                #expect(saved.status == .seeOther && saved.headers[.location] == "/admin/organisation?notice=saved")
                let found = try await client.execute(uri: "/api/v1/practitioners?q=anne%20roux", method: .get)
                #expect(found.text.contains("Roux"))

                let closed = try await Pages.post(client, "/admin/sites/\(site)/closures", form: ["date": "2026-12-24", "name": "Pont", "_csrf": session.csrf],
                                                  cookie: session.cookie)
                #expect(closed.status == .seeOther)
                #expect(try await test.store.holidays(siteID: fixture.org.site.id).map(\.date.description) == ["2026-12-24"])
                let past = try await Pages.post(client, "/admin/sites/\(site)/closures", form: ["date": "2020-01-01", "name": "Passé", "_csrf": session.csrf],
                                                cookie: session.cookie)
                #expect(past.status == .unprocessableContent && past.text.contains("Une fermeture est un jour"))

                // Dr Lefèvre leaves: her booked Monday visit is listed, kept, with a link to that day's agenda.
                let leave = ["title": "Dr", "firstName": "Bérénice", "lastName": "Lefèvre", "profession": "Médecin", "specialty": "cardiologie",
                             "rpps": "", "languages": "fr", "department-\(department)": "1", "_csrf": session.csrf]
                let left = try await Pages.post(client, "/admin/sites/\(site)/practitioners/\(fixture.org.practitioner.id.json)", form: leave, cookie: session.cookie)
                #expect(left.status == .ok)
                #expect(left.text.contains("Rendez-vous encore réservés"))
                #expect(left.text.contains("/staff/agenda?department=\(department)&amp;day=2026-11-23") || left.text.contains("/staff/agenda?department=\(department)&day=2026-11-23"))
                #expect(try await test.store.appointment(id: booked.id)?.status == .booked)

                // Archiving the booked motive from its page: out of the offer, its appointment listed and kept.
                let motivePage = try await client.execute(uri: "/admin/motives/\(fixture.org.motive.id.json)", method: .get, headers: headers)
                #expect(motivePage.text.contains("Archiver ce motif"))
                let archived = try await Pages.post(client, "/admin/motives/\(fixture.org.motive.id.json)/archive", form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(archived.status == .ok && archived.text.contains("Rendez-vous encore réservés"))
                #expect(try await test.store.motive(id: fixture.org.motive.id)?.isActive == false)
                let restorable = try await client.execute(uri: "/admin/motives/\(fixture.org.motive.id.json)", method: .get, headers: headers)
                #expect(restorable.text.contains("Proposer à nouveau ce motif"))
            }
        }
    }

    @Test("a room's own hours narrow the slots of the motives that need it; times given half are explained; emptied, it follows its practitioners again")
    func roomHours() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let path = "/admin/resources/\(fixture.org.room.id.json)/hours"
                func starts(_ day: String) async throws -> Int {
                    let text = try await client.execute(uri: "/api/v1/availability?practitioner=\(fixture.org.practitioner.id.json)&motive=\(fixture.org.motive.id.json)&from=\(day)&days=1",
                                                        method: .get).text
                    return text.components(separatedBy: "\"start\"").count - 1
                }
                #expect(try await starts("2026-11-24") == 6)
                let form = try await client.execute(uri: path, method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(form.status == .ok && form.text.contains("Heures d") && form.text.contains("name=\"h-1-1-start\""))
                let half = try await Pages.post(client, path, form: ["h-2-1-start": "09:00", "_csrf": session.csrf], cookie: session.cookie)
                #expect(half.status == .unprocessableContent && half.text.contains("les deux heures"))
                let saved = try await Pages.post(client, path, form: ["h-2-1-start": "09:00", "h-2-1-end": "10:00", "_csrf": session.csrf], cookie: session.cookie)
                #expect(saved.status == .seeOther)
                // Tuesday: the room opens 09:00–10:00 only, so two 30-minute first visits; Wednesday: closed.
                #expect(try await starts("2026-11-24") == 2)
                #expect(try await starts("2026-11-25") == 0)
                let emptied = try await Pages.post(client, path, form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(emptied.status == .seeOther)
                #expect(try await starts("2026-11-25") == 6)

                // Out of service: nothing needing the room is offered; a booked visit in it is listed and kept.
                let booked = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
                let room = fixture.org.room
                let closed = try await Pages.post(client, "/admin/resources/\(room.id.json)", form: [
                    "name": room.name, "kind": "room", "department": fixture.org.department.id.json, "capacity": "1", "_csrf": session.csrf], cookie: session.cookie)
                #expect(closed.status == .ok && closed.text.contains("Rendez-vous encore réservés"))
                #expect(try await starts("2026-11-25") == 0)
                #expect(try await test.store.appointment(id: booked.id)?.status == .booked)
            }
        }
    }

    @Test("a group administrator creates a site, a department and a practitioner through the API; refusals name the field")
    func api() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let id = UUID(), password = "correct horse battery staple"
            try await test.store.insert(Account(id: id, email: "direction@hopital.test", displayName: "Direction", passwordHash: Bcrypt.hash(password, cost: 4),
                                                createdAt: Fixtures.now))
            try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: .groupAdmin, scope: .group(org.group.id)))
            let secret = Authenticator.newTOTPSecret()
            try await test.store.setTOTPSecret(secret, accountID: id)
            let staff = AuthAPITests.Staff(email: "direction@hopital.test", password: password, secret: secret, id: id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let bearer = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: Fixtures.now)).decode(AuthAPITests.Token.self).token
                func post(_ path: String, _ body: [String: Any]) async throws -> TestResponse {
                    try await PatientAccountsAPITests.post(client, path, body, bearer: bearer)
                }
                let bad = try await post("/api/v1/admin/sites", ["group": org.group.id.json, "name": "Hôpital Nord", "slug": "Hôpital Nord", "city": "Pontoise"])
                #expect(bad.status == .unprocessableContent && bad.text.contains("invalid_slug"))
                let site = try await post("/api/v1/admin/sites", ["group": org.group.id.json, "name": "Hôpital Nord", "slug": "hopital-nord", "city": "Pontoise",
                                                                 "holidayCalendar": "alsace_moselle"])
                #expect(site.status == .created, "\(site.text)")
                let siteID = try #require(try JSONSerialization.jsonObject(with: Data(site.text.utf8)) as? [String: Any])["id"] as? String ?? ""
                let department = try await post("/api/v1/admin/departments", ["site": siteID, "name": "Pédiatrie", "specialty": "pediatrie",
                                                                              "newPatientsNeedReferral": false])
                #expect(department.status == .created)
                let departmentID = try #require(try JSONSerialization.jsonObject(with: Data(department.text.utf8)) as? [String: Any])["id"] as? String ?? ""
                let practitioner = try await post("/api/v1/admin/practitioners", [
                    "site": siteID, "firstName": "Paul", "lastName": "Girard", "profession": "Médecin", "specialty": "pediatrie", "departments": [departmentID]])
                #expect(practitioner.status == .created)
                #expect(try await test.store.site(id: try #require(UUID(uuidString: siteID)))?.holidayCalendar == .alsaceMoselle)
                // Reminders and the no-show rule through the API; an update that does not name them keeps them.
                func put(_ body: [String: Any]) async throws -> TestResponse {
                    try await client.execute(uri: "/api/v1/admin/sites/\(siteID)", method: .put,
                                             headers: [.contentType: "application/json", .authorization: "Bearer \(bearer)"],
                                             body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
                }
                let wrongReminders = try await put(["reminders": "pigeon:3"])
                #expect(wrongReminders.status == .unprocessableContent && wrongReminders.text.contains("reminders"))
                #expect(try await put(["reminders": "sms:2", "noShowLimit": 3, "noShowMonths": 6]).status == .ok)
                #expect(try await put(["phone": "01 45 67 89 10"]).status == .ok)
                let updatedID = try #require(UUID(uuidString: siteID))
                let updated = try #require(try await test.store.site(id: updatedID))
                #expect(updated.reminders == ReminderSchedule([.init(.sms, daysBefore: 2)]) && updated.noShowPolicy == NoShowPolicy(limit: 3, windowDays: 180))
                // A secretary is not an administrator.
                let anonymous = try await client.execute(uri: "/api/v1/admin/sites", method: .post, headers: [.contentType: "application/json"],
                                                         body: ByteBuffer(string: "{}"))
                #expect(anonymous.status == .unauthorized)
            }
        }
    }
}
