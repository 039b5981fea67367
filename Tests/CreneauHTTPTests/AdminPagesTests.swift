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

/// Site administrators set up motives through the pages; the slots follow at once.
@Suite("Web: motive settings for administrators")
struct AdminPagesTests {
    typealias Pages = AccountPagesTests

    static func adminSession(
        _ client: some TestClientProtocol, _ test: TestDatabase, site: UUID, email: String = "admin@hopital.test", at now: Date = Fixtures.now
    ) async throws -> (cookie: String, csrf: String) {
        let id = UUID(), password = "correct horse battery staple"
        try await test.store.insert(Account(id: id, email: email, displayName: "Admin", passwordHash: Bcrypt.hash(password, cost: 4), createdAt: Fixtures.now))
        try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: .siteAdmin, scope: .site(site)))
        let secret = Authenticator.newTOTPSecret()
        try await test.store.setTOTPSecret(secret, accountID: id)
        let staff = AuthAPITests.Staff(email: email, password: password, secret: secret, id: id)
        let response = try await PatientAccountsAPITests.post(client, "/api/v1/sessions",
                                                              ["email": staff.email, "password": password, "code": AuthAPITests().code(staff, at: now), "session": "browser"])
        return (String(try #require(response.headers[.setCookie]).prefix { $0 != ";" }), try #require(try response.decode(BrowserSessionAPITests.SignedIn.self).csrfToken))
    }

    @Test("an administrator changes a motive's duration and channels; the online slots follow at once; wrong values are explained")
    func editMotive() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await Self.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let list = try await client.execute(uri: "/admin", method: .get, headers: headers)
                #expect(list.text.contains("/admin/motives/\(fixture.followUp.id.json)"))
                let form = try await client.execute(uri: "/admin/motives/\(fixture.followUp.id.json)", method: .get, headers: headers)
                #expect(form.text.contains("value=\"15\""))

                let values = ["name": "Consultation de suivi", "duration": "20", "patients": "known", "channel-phone": "1", "horizon": "60", "notice": "60",
                              "cutoff": "240", "before": "", "after": "Apportez vos résultats.", "_csrf": session.csrf]
                let wrong = try await Pages.post(client, "/admin/motives/\(fixture.followUp.id.json)", form: values.merging(["duration": "17"]) { $1 }, cookie: session.cookie)
                #expect(wrong.status == .unprocessableContent)
                #expect(wrong.text.contains("par pas de 5"))
                #expect(wrong.text.contains("value=\"17\""))
                let none = try await Pages.post(client, "/admin/motives/\(fixture.followUp.id.json)", form: values.filter { $0.key != "channel-phone" }, cookie: session.cookie)
                #expect(none.text.contains("au moins un canal"))
                #expect(try await test.store.motive(id: fixture.followUp.id)?.durationMinutes == 15)

                let availability = "/api/v1/availability?practitioner=\(fixture.org.practitioner.id.json)&motive=\(fixture.followUp.id.json)&from=2026-11-24&days=1"
                #expect(try await client.execute(uri: availability, method: .get).text.contains("\"start\""))
                let saved = try await Pages.post(client, "/admin/motives/\(fixture.followUp.id.json)", form: values, cookie: session.cookie)
                #expect(saved.status == .seeOther && saved.headers[.location] == "/admin?saved=1")
                let motive = try #require(try await test.store.motive(id: fixture.followUp.id))
                #expect(motive.durationMinutes == 20 && motive.channels == [.phone])
                // Online, the follow-up has no slot any more (it is open to the phone only).
                let online = try await client.execute(
                    uri: "/api/v1/availability?practitioner=\(fixture.org.practitioner.id.json)&motive=\(fixture.followUp.id.json)&from=2026-11-24&days=1", method: .get)
                #expect(online.text.contains("\"slots\":[]"), "\(online.text)")
            }
        }
    }

    @Test("an administrator keeps online booking to a week ahead and drops the referral rule for a motive; a wrong horizon is explained")
    func onlineHorizonAndReferral() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await Self.adminSession(client, test, site: fixture.org.site.id)
                let path = "/admin/motives/\(fixture.org.motive.id.json)"
                let form = try await client.execute(uri: path, method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(form.text.contains("Médecin adresseur pour un nouveau patient"))
                #expect(form.text.contains("<option value=\"department\" selected>"))
                let motive = fixture.org.motive
                func online(from day: String) async throws -> String {
                    try await client.execute(uri: "/api/v1/availability?practitioner=\(fixture.org.practitioner.id.json)&motive=\(motive.id.json)&from=\(day)&days=5",
                                             method: .get).text
                }
                #expect(try await online(from: "2026-12-07").contains("\"start\""), "the test needs slots in December to show them go")
                var values = ["name": motive.name, "duration": String(motive.durationMinutes), "patients": motive.patients.rawValue,
                              "channel-online": "1", "channel-phone": "1", "horizon": "90", "notice": "60", "cutoff": "240",
                              "before": "", "after": "", "onlineHorizon": "120", "referral": "not_required", "_csrf": session.csrf]
                let wrong = try await Pages.post(client, path, form: values, cookie: session.cookie)
                #expect(wrong.status == .unprocessableContent)
                #expect(wrong.text.contains("La réservation en ligne va de 1 jour"))
                #expect(wrong.text.contains("value=\"120\""))
                #expect(try await test.store.motive(id: motive.id)?.onlineHorizonDays == nil)

                values["onlineHorizon"] = "7"
                let saved = try await Pages.post(client, path, form: values, cookie: session.cookie)
                #expect(saved.status == .seeOther)
                let stored = try #require(try await test.store.motive(id: motive.id))
                #expect(stored.onlineHorizonDays == 7 && stored.referral == .notRequired)
                // Online, slots this week and nothing beyond it.
                #expect(try await online(from: "2026-11-24").contains("\"start\""))
                #expect(try await online(from: "2026-12-07").contains("\"slots\":[]"))
            }
        }
    }

    @Test("secretaries and visitors do not reach the settings")
    func access() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                #expect(try await client.execute(uri: "/admin", method: .get, headers: Pages.html).headers[.location] == "/signin")
                let secretary = try await StaffPagesTests.secretarySession(client, test, department: fixture.org.department.id)
                let refused = try await client.execute(uri: "/admin/motives/\(fixture.followUp.id.json)", method: .get, headers: [.cookie: secretary.cookie, .accept: "text/html"])
                #expect(refused.status == .seeOther && refused.headers[.location] == "/signin")
                let post = try await Pages.post(client, "/admin/motives/\(fixture.followUp.id.json)", form: ["name": "x", "_csrf": secretary.csrf], cookie: secretary.cookie)
                #expect(post.headers[.location] == "/signin")
                #expect(try await test.store.motive(id: fixture.followUp.id)?.name == fixture.followUp.name)
            }
        }
    }
}
