import CreneauApp
import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdOTP
import HummingbirdTesting
import Testing

/// Staff sign-in (password + TOTP), bearer sessions, and what each role reaches.
@Suite("API: sign-in, sessions and staff routes")
struct AuthAPITests {
    typealias API = BookingAPITests

    @Test("TOTP matches the RFC 6238 test vectors (SHA-1)")
    func rfc6238() {
        let totp = TOTP(secret: "12345678901234567890", length: 8)
        let vectors: [(TimeInterval, Int)] = [(59, 94_287_082), (1_111_111_109, 7_081_804), (1_111_111_111, 14_050_471),
                                              (1_234_567_890, 89_005_924), (2_000_000_000, 69_279_037), (20_000_000_000, 65_353_130)]
        for (time, code) in vectors {
            #expect(totp.compute(date: Date(timeIntervalSince1970: time)) == code, "T=\(time)")
        }
        // Six digits, as authenticator apps show them, one step of drift accepted either way, not two.
        let secret = "12345678901234567890"
        let now = Date(timeIntervalSince1970: 1_111_111_111)
        let six = String(format: "%06d", TOTP(secret: secret).compute(date: now))
        #expect(Authenticator.matchingStep(code: six, secret: secret, at: now, codes: TOTPCodes()) == 37_037_037)
        #expect(Authenticator.matchingStep(code: six, secret: secret, at: now.addingTimeInterval(30), codes: TOTPCodes()) == 37_037_037)
        #expect(Authenticator.matchingStep(code: six, secret: secret, at: now.addingTimeInterval(75), codes: TOTPCodes()) == nil)
        #expect(Authenticator.matchingStep(code: "12345", secret: secret, at: now, codes: TOTPCodes()) == nil)
    }

    struct Staff {
        let email: String
        let password: String
        let secret: String
        let id: UUID
    }

    /// A secretary of the fixture's cardiology department, with password and authenticator.
    func secretary(_ test: TestDatabase, department: UUID, email: String = "sandrine@hopital.test") async throws -> Staff {
        let id = UUID()
        let password = "correct horse battery staple"
        try await test.store.insert(Account(id: id, email: email, displayName: "Sandrine Leroy",
                                            passwordHash: Bcrypt.hash(password, cost: 4), createdAt: Fixtures.now))
        try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: .secretary, scope: .department(department)))
        let secret = Authenticator.newTOTPSecret()
        try await test.store.setTOTPSecret(secret, accountID: id)
        return Staff(email: email, password: password, secret: secret, id: id)
    }

    func signIn(_ client: some TestClientProtocol, _ staff: Staff, code: String?, password: String? = nil) async throws -> TestResponse {
        var body: [String: Any] = ["email": staff.email, "password": password ?? staff.password]
        if let code { body["code"] = code }
        return try await client.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
    }

    func code(_ staff: Staff, at date: Date) -> String { String(format: "%06d", TOTP(secret: staff.secret).compute(date: date)) }

    struct Token: Decodable { let token: String; let expiresAt: String }

    @Test("staff sign in with password and authenticator code; a code works once; failures say nothing more")
    func signInFlow() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await secretary(test, department: fixture.org.department.id)
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                let failures = [
                    try await signIn(client, staff, code: nil),
                    try await signIn(client, staff, code: "000000"),
                    try await signIn(client, staff, code: code(staff, at: Fixtures.now), password: "wrong password here"),
                    try await signIn(client, Staff(email: "nobody@hopital.test", password: "whatever whatever", secret: staff.secret, id: UUID()), code: code(staff, at: Fixtures.now)),
                ]
                for failure in failures {
                    #expect(failure.status == .unauthorized)
                    #expect(try failure.decode(API.Refusal.self).error.message == "The email, password or code is not right.")
                }
                let signedIn = try await signIn(client, staff, code: code(staff, at: Fixtures.now))
                #expect(signedIn.status == .created)
                let token = try signedIn.decode(Token.self).token
                #expect(token.count == 43)
                // The same code again (a replay) is refused.
                #expect(try await signIn(client, staff, code: code(staff, at: Fixtures.now)).status == .unauthorized)

                let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
                try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains(#""roles":["secretary"]"#))
                }
                // The stored token is a hash: a dump cannot be replayed.
                #expect(try await test.rows("SELECT token_hash FROM sessions").allSatisfy { (try? $0.decode(column: "token_hash", as: String.self)) != token })
                try await client.execute(uri: "/api/v1/me", method: .get) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer forged"]) { #expect($0.status == .unauthorized) }

                // Signing out ends the session on the server.
                try await client.execute(uri: "/api/v1/sessions/current", method: .delete, headers: bearer) { #expect($0.status == .noContent) }
                try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer) { #expect($0.status == .unauthorized) }

                // A new session expires after its absolute lifetime, whatever the activity.
                time.advance(by: 60)
                let again = try await signIn(client, staff, code: code(staff, at: time.clock.now())).decode(Token.self).token
                for _ in 0..<5 {
                    time.advance(by: 2 * 3_600)
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(again)"]) { #expect($0.status == .ok) }
                }
                time.advance(by: 2 * 3_600 + 60)
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(again)"]) { #expect($0.status == .unauthorized) }
                // And after eight hours without use.
                time.advance(by: 60)
                let idle = try await signIn(client, staff, code: code(staff, at: time.clock.now())).decode(Token.self).token
                time.advance(by: 8 * 3_600 + 1)
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(idle)"]) { #expect($0.status == .unauthorized) }
            }
        }
    }

    @Test("a password change follows the policy and signs the account out everywhere")
    func passwordChange() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await secretary(test, department: fixture.org.department.id)
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                let first = try await signIn(client, staff, code: code(staff, at: time.clock.now())).decode(Token.self).token
                time.advance(by: 30)
                let second = try await signIn(client, staff, code: code(staff, at: time.clock.now())).decode(Token.self).token
                func change(_ current: String, _ new: String) async throws -> TestResponse {
                    try await client.execute(uri: "/api/v1/me/password", method: .post, headers: [.authorization: "Bearer \(first)"],
                                             body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["currentPassword": current, "newPassword": new])))
                }
                let wrong = try await change("not my password", "tisane de tilleul au jardin")
                #expect(wrong.status == .unprocessableContent)
                let weak = try await change(staff.password, "password1234")
                #expect(weak.status == .unprocessableContent)
                #expect(try weak.decode(API.Refusal.self).error.code == "weak_password")
                #expect(try await change(staff.password, "tisane de tilleul au jardin").status == .noContent)
                for token in [first, second] {
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { #expect($0.status == .unauthorized) }
                }
                time.advance(by: 30)
                #expect(try await signIn(client, staff, code: code(staff, at: time.clock.now())).status == .unauthorized)
                time.advance(by: 30)
                let renewed = Staff(email: staff.email, password: "tisane de tilleul au jardin", secret: staff.secret, id: staff.id)
                let third = try await signIn(client, renewed, code: code(renewed, at: time.clock.now())).decode(Token.self).token
                try await client.execute(uri: "/api/v1/sessions", method: .delete, headers: [.authorization: "Bearer \(third)"]) { #expect($0.status == .noContent) }
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(third)"]) { #expect($0.status == .unauthorized) }
            }
        }
    }

    @Test("behind a trusted proxy the client is the right-most untrusted X-Forwarded-For hop; otherwise the header is ignored")
    func clientAddress() {
        let proxy: Set<String> = ["10.0.0.2", "10.0.0.3"]
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.2", forwardedFor: ["203.0.113.9, 10.0.0.3"], trusted: proxy) == "203.0.113.9")
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.2", forwardedFor: ["1.2.3.4", "203.0.113.9"], trusted: proxy) == "203.0.113.9")
        #expect(ClientAddressMiddleware.client(peer: "198.51.100.7", forwardedFor: ["1.2.3.4"], trusted: proxy) == "198.51.100.7")
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.2", forwardedFor: [], trusted: proxy) == "10.0.0.2")
        #expect(ClientAddressMiddleware.client(peer: nil, forwardedFor: ["1.2.3.4"], trusted: proxy) == "local")
    }

    @Test("HSTS is sent only when the public address is https")
    func hsts() async throws {
        try await TestDatabase.with { test in
            var dependencies = test.dependencies()
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { #expect($0.headers[HTTPField.Name("Strict-Transport-Security")!] == nil) }
            }
            dependencies.strictTransportSecurity = true
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) {
                    #expect($0.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000; includeSubDomains")
                }
            }
        }
    }

    @Test("repeated failures are slowed down with 429 and Retry-After")
    func rateLimit() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await secretary(test, department: fixture.org.department.id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                for _ in 0..<5 { #expect(try await signIn(client, staff, code: "000000").status == .unauthorized) }
                let limited = try await signIn(client, staff, code: code(staff, at: Fixtures.now))
                #expect(limited.status == .tooManyRequests)
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            }
        }
    }

    @Test("a secretary books by phone for a patient in the records, sees phone slots, and marks the arrival; nothing outside her departments")
    func staffRoutes() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await secretary(test, department: fixture.org.department.id)
            let otherDepartment = Department(id: UUID(), siteID: fixture.org.site.id, name: "Dermatologie", specialty: "dermatologie")
            try await test.store.insert(otherDepartment)
            let outsider = try await secretary(test, department: otherDepartment.id, email: "nadia@hopital.test")
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                let token = try await signIn(client, staff, code: code(staff, at: Fixtures.now)).decode(Token.self).token
                let other = try await signIn(client, outsider, code: code(outsider, at: Fixtures.now)).decode(Token.self).token
                let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
                let availability = "/api/v1/availability?practitioner=\(fixture.org.practitioner.id)&motive=\(fixture.org.motive.id)&from=2026-11-23&days=1&channel=phone"
                try await client.execute(uri: availability, method: .get) { #expect($0.status == .forbidden) }
                try await client.execute(uri: availability, method: .get, headers: bearer) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains("2026-11-23T09:00:00+01:00"))
                }

                let body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: [
                    "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString,
                    "start": "2026-11-23T09:00:00+01:00", "patientId": fixture.org.patient.id.uuidString, "channel": "phone",
                    "referringDoctor": fixture.doctor.id.uuidString,
                ] as [String: Any]))
                let headers: HTTPFields = [.authorization: "Bearer \(token)", API.key: UUID().uuidString]
                let outsiderHeaders: HTTPFields = [.authorization: "Bearer \(other)", API.key: UUID().uuidString]
                #expect(try await client.execute(uri: "/api/v1/appointments", method: .post, headers: outsiderHeaders, body: body).status == .notFound)
                let booked = try await client.execute(uri: "/api/v1/appointments", method: .post, headers: headers, body: body)
                #expect(booked.status == .created)
                let appointment = try booked.decode(API.Booked.self)
                #expect(appointment.channel == "phone")
                let appointmentID = try #require(UUID(uuidString: appointment.id))
                let stored = try #require(try await test.store.appointment(id: appointmentID))
                #expect(stored.createdByAccountID == staff.id)

                // Seeing and changing it: the secretary yes, her colleague of another department and visitors no.
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)", method: .get, headers: bearer) { #expect($0.status == .ok) }
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)", method: .get, headers: [.authorization: "Bearer \(other)"]) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)/arrive", method: .post) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)/arrive", method: .post, headers: [.authorization: "Bearer \(other)"]) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)/arrive", method: .post, headers: bearer) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains(#""status":"arrived""#))
                }
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)/noshow", method: .post, headers: bearer) { #expect($0.status == .conflict) }
                try await client.execute(uri: "/api/v1/appointments/\(appointment.id)/fulfil", method: .post, headers: bearer) { #expect($0.status == .ok) }
                #expect(try await test.store.isKnown(patientID: fixture.org.patient.id, departmentID: fixture.org.department.id))

                // Every staff read and every refusal left an audit row; only admins read them.
                let entries = try await test.store.entries(patientID: fixture.org.patient.id)
                #expect(entries.contains { $0.actorAccountID == staff.id && $0.outcome == .allowed && $0.target == "appointment:\(appointment.id)" })
                #expect(entries.contains { $0.actorAccountID == outsider.id && $0.outcome == .denied })
                try await client.execute(uri: "/api/v1/patients/\(fixture.org.patient.id)/audit", method: .get, headers: bearer) { #expect($0.status == .forbidden) }
                let adminID = UUID()
                try await test.store.insert(Account(id: adminID, email: "admin@hopital.test", displayName: "Claire Admin",
                                                    passwordHash: Bcrypt.hash(staff.password, cost: 4), createdAt: Fixtures.now))
                try await test.store.insert(RoleGrant(id: UUID(), accountID: adminID, role: .siteAdmin, scope: .site(fixture.org.site.id)))
                let adminSecret = Authenticator.newTOTPSecret()
                try await test.store.setTOTPSecret(adminSecret, accountID: adminID)
                let admin = Staff(email: "admin@hopital.test", password: staff.password, secret: adminSecret, id: adminID)
                let adminToken = try await signIn(client, admin, code: code(admin, at: Fixtures.now)).decode(Token.self).token
                try await client.execute(uri: "/api/v1/patients/\(fixture.org.patient.id)/audit", method: .get, headers: [.authorization: "Bearer \(adminToken)"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains(#""outcome":"denied""#))
                    #expect(response.text.contains(staff.id.uuidString.lowercased()))
                }
                #expect(try await test.store.entries(patientID: fixture.org.patient.id).contains { $0.actorAccountID == adminID && $0.action == "read_audit" })
            }
        }
    }
}
