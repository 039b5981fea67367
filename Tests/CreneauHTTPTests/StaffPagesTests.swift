import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The agenda pages through the real router, with a browser session.
@Suite("Web: the staff agenda — who comes and why, arrivals, audit, who may see it")
struct StaffPagesTests {
    typealias Pages = AccountPagesTests

    /// A secretary of `department` signed in with a browser session: the cookie and the session's CSRF token.
    static func secretarySession(_ client: some TestClientProtocol, _ test: TestDatabase, department: UUID) async throws -> (cookie: String, csrf: String) {
        let staff = try await AuthAPITests().secretary(test, department: department)
        let body: [String: Any] = ["email": staff.email, "password": staff.password, "code": AuthAPITests().code(staff, at: Fixtures.now), "session": "browser"]
        let response = try await PatientAccountsAPITests.post(client, "/api/v1/sessions", body)
        let cookie = String(try #require(response.headers[.setCookie]).prefix { $0 != ";" })
        return (cookie, try #require(try response.decode(BrowserSessionAPITests.SignedIn.self).csrfToken))
    }

    @Test("the day shows each booking with its channel and the reason typed online; listing is audited; arrival is recorded")
    func agenda() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            let online = try await service.book(fixture.request(at: BookingFixture.monday(9)), by: .visitor).appointment
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                let session = try await Self.secretarySession(client, test, department: fixture.org.department.id)
                let home = try await client.execute(uri: "/staff", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(home.text.contains("/staff/agenda?department=\(fixture.org.department.id.json)"))

                let uri = "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23"
                let day = try await client.execute(uri: uri, method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(day.status == .ok)
                #expect(day.text.contains("MARTIN Léa (1992-05-14)"))
                #expect(day.text.contains("en ligne"))
                #expect(day.text.contains("« Essoufflement à l&#39;effort »"))
                // At 08:00, a 09:00 patient can be marked arrived, not yet absent.
                #expect(day.text.contains("/staff/appointments/\(online.id.json)/arrive"))
                #expect(!day.text.contains("/staff/appointments/\(online.id.json)/noshow"))
                let listed = try await test.store.entries(patientID: online.patientID).filter { $0.action == "list_appointments" }
                #expect(listed.count == 1)

                let arrived = try await Pages.post(client, "/staff/appointments/\(online.id.json)/arrive", form: ["_csrf": session.csrf, "back": uri], cookie: session.cookie)
                #expect(arrived.status == .seeOther)
                #expect(arrived.headers[.location] == uri)
                #expect(try await test.store.appointment(id: online.id)?.status == .arrived)
                // The "back" address is only ever one of ours.
                let elsewhere = try await Pages.post(client, "/staff/appointments/\(online.id.json)/arrive", form: ["_csrf": session.csrf, "back": "https://evil.example/"],
                                                     cookie: session.cookie)
                #expect(elsewhere.headers[.location] != "https://evil.example/")
            }
        }
    }

    @Test("visitors and patients are sent to sign in; a secretary of another department sees nothing of this one")
    func access() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let dermatology = Department(id: UUID(), siteID: fixture.org.site.id, name: "Dermatologie", specialty: "dermatologie")
            try await test.store.insert(dermatology)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let uri = "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23"
                let visitor = try await client.execute(uri: uri, method: .get, headers: Pages.html)
                #expect(visitor.status == .seeOther && visitor.headers[.location] == "/signin")
                let other = try await Self.secretarySession(client, test, department: dermatology.id)
                let refused = try await client.execute(uri: uri, method: .get, headers: [.cookie: other.cookie, .accept: "text/html"])
                #expect(refused.status == .notFound)
                let mine = try await client.execute(uri: "/staff", method: .get, headers: [.cookie: other.cookie, .accept: "text/html"])
                #expect(mine.text.contains("Dermatologie") && !mine.text.contains(">Cardiologie<"))
            }
        }
    }
}
