import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Browser sessions: an HttpOnly cookie with a CSRF token derived from it.
@Suite("API: browser sessions — cookies, CSRF, idle timeout, sign-out")
struct BrowserSessionAPITests {
    typealias Refusal = BookingAPITests.Refusal
    static let csrf = HTTPField.Name("X-CSRF-Token")!

    struct SignedIn: Decodable { let token: String?; let csrfToken: String?; let account: Account }
    struct Account: Decodable { let roles: [String] }

    /// A patient signed in with `"session": "browser"`: the Set-Cookie header and the CSRF token.
    static func browserPatient(_ client: some TestClientProtocol, _ mailer: RecordingMailer, email: String) async throws -> (cookie: String, setCookie: String, csrf: String) {
        _ = try await PatientAccountsAPITests.patient(client, mailer, email: email)
        let started = try await PatientAccountsAPITests.post(client, "/api/v1/sessions", ["email": email, "password": PatientAccountsAPITests.password])
        let challenge = try started.decode(PatientAccountsAPITests.Challenge.self).challenge
        let code = try #require(mailer.lastCode(to: email))
        let done = try await PatientAccountsAPITests.post(client, "/api/v1/sessions/challenge", ["challenge": challenge, "code": code, "session": "browser"])
        #expect(done.status == .created)
        let setCookie = try #require(done.headers[.setCookie])
        let body = try done.decode(SignedIn.self)
        #expect(body.token == nil)
        let cookie = String(setCookie.prefix { $0 != ";" })
        return (cookie, setCookie, try #require(body.csrfToken))
    }

    @Test("the cookie is HttpOnly and SameSite; reads need no token, changes need the CSRF token, by header or form field")
    func cookieAndCSRF() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let (cookie, setCookie, csrf) = try await Self.browserPatient(client, mailer, email: "lea@example.org")
                #expect(setCookie.hasPrefix("creneau_session="))
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/"))
                #expect(!setCookie.contains("Secure"))

                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: cookie])
                #expect(me.status == .ok)

                let relative = PatientAccountsAPITests.json(["firstName": "Zoé", "lastName": "Martin", "birthDate": "2019-06-02", "relationship": "child"])
                let json: HTTPFields = [.cookie: cookie, .contentType: "application/json"]
                let missing = try await client.execute(uri: "/api/v1/me/patients", method: .post, headers: json, body: relative)
                #expect(missing.status == .forbidden)
                #expect(try missing.decode(Refusal.self).error.code == "csrf_failed")
                var wrong = json
                wrong[Self.csrf] = String(csrf.reversed())
                #expect(try await client.execute(uri: "/api/v1/me/patients", method: .post, headers: wrong, body: relative).status == .forbidden)
                #expect(try await client.execute(uri: "/api/v1/me/patients", method: .get, headers: [.cookie: cookie]).decode([PatientAccountsAPITests.Relative].self).count == 1)

                var right = json
                right[Self.csrf] = csrf
                #expect(try await client.execute(uri: "/api/v1/me/patients", method: .post, headers: right, body: relative).status == .created)

                // A form carries the token in its _csrf field; the body reaches the route intact.
                let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
                let badForm = try await client.execute(uri: "/api/v1/me/patients", method: .post, headers: form, body: ByteBuffer(string: "_csrf=nope&firstName=X"))
                #expect(badForm.status == .forbidden)
                let goodForm = try await client.execute(uri: "/api/v1/me/patients", method: .post, headers: form,
                                                        body: ByteBuffer(string: "firstName=X&_csrf=\(csrf)"))
                #expect(goodForm.status == .badRequest)
                #expect(try goodForm.decode(Refusal.self).error.code == "malformed_body")

                // Bearer requests carry no ambient authority: no CSRF token needed.
                let bearer = try await PatientAccountsAPITests.patient(client, mailer, email: "hugo@example.org")
                #expect(try await PatientAccountsAPITests.post(client, "/api/v1/me/patients",
                                                               ["firstName": "Noé", "lastName": "M", "birthDate": "2019-01-01", "relationship": "child"],
                                                               bearer: bearer).status == .created)
            }
        }
    }

    @Test("a cookie's token is no bearer token, and a bearer token is no cookie")
    func kindsDoNotMix() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let (cookie, _, _) = try await Self.browserPatient(client, mailer, email: "lea@example.org")
                let token = String(cookie.drop { $0 != "=" }.dropFirst())
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
                let bearer = try await PatientAccountsAPITests.patient(client, mailer, email: "hugo@example.org")
                let asCookie = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: "creneau_session=\(bearer)"])
                #expect(asCookie.status == .unauthorized)
                #expect(asCookie.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
        }
    }

    @Test("a new session at every sign-in; 30 idle minutes end it; signing out ends it on the server and clears the cookie")
    func lifetime() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock, mailer: mailer))).test(.router) { client in
                let first = try await Self.browserPatient(client, mailer, email: "lea@example.org")
                // 29 minutes of quiet keep it; 31 more end it.
                time.advance(by: 29 * 60)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: first.cookie]).status == .ok)
                time.advance(by: 31 * 60)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: first.cookie]).status == .unauthorized)

                let started = try await PatientAccountsAPITests.post(client, "/api/v1/sessions", ["email": "lea@example.org", "password": PatientAccountsAPITests.password])
                let challenge = try started.decode(PatientAccountsAPITests.Challenge.self).challenge
                let second = try await PatientAccountsAPITests.post(client, "/api/v1/sessions/challenge",
                                                                    ["challenge": challenge, "code": try #require(mailer.lastCode(to: "lea@example.org")), "session": "browser"])
                let secondCookie = String(try #require(second.headers[.setCookie]).prefix { $0 != ";" })
                #expect(secondCookie != first.cookie)

                // The second session signs out: 204, the cookie cleared, the session dead on the server.
                let secondCSRF = try second.decode(SignedIn.self).csrfToken ?? ""
                _ = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: secondCookie])
                let out = try await client.execute(uri: "/api/v1/sessions/current", method: .delete, headers: [.cookie: secondCookie, Self.csrf: secondCSRF])
                #expect(out.status == .noContent)
                #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: secondCookie]).status == .unauthorized)
            }
        }
    }

    @Test("under TLS the cookie is __Host- prefixed and Secure; staff sign in to a browser session with their TOTP code")
    func secureCookie() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            var dependencies = test.dependencies()
            dependencies.strictTransportSecurity = true
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let body: [String: Any] = ["email": staff.email, "password": staff.password, "code": AuthAPITests().code(staff, at: Fixtures.now), "session": "browser"]
                let response = try await PatientAccountsAPITests.post(client, "/api/v1/sessions", body)
                #expect(response.status == .created)
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.hasPrefix("__Host-creneau_session=") && setCookie.contains("; Secure"))
                let cookie = String(setCookie.prefix { $0 != ";" })
                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: cookie])
                #expect(try me.decode(Account.self).roles == ["secretary"])
                #expect(try await PatientAccountsAPITests.post(client, "/api/v1/sessions", body.merging(["session": "cookie"]) { $1 }).status == .badRequest)
            }
        }
    }
}
