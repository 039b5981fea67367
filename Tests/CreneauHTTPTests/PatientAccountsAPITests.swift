import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Patients' own accounts through the real router: sign-up, email verification, the emailed
/// second factor, password reset, relatives, and what one patient can never reach of another's.
@Suite("API: patient accounts, second factor by email, reset, relatives")
struct PatientAccountsAPITests {
    typealias Refusal = BookingAPITests.Refusal
    static let password = "cerisier en fleur au printemps"

    struct Message: Decodable { let message: String }
    struct Challenge: Decodable { let challenge: String; let method: String; let sentTo: String; let expiresAt: String }
    struct SignedIn: Decodable { let token: String }
    struct Me: Decodable { let id: String; let email: String; let roles: [String] }
    struct Relative: Decodable { let id: String; let firstName: String; let lastName: String; let birthDate: String; let relationship: String }
    struct PatientAppointments: Decodable {
        let patient: Relative
        let upcoming: [BookingAPITests.Booked]
        let past: [BookingAPITests.Booked]
    }

    static func json(_ object: [String: Any]) -> ByteBuffer { ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object)) }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: [String: Any], bearer: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if uri == "/api/v1/appointments" { headers[BookingAPITests.key] = UUID().uuidString }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: json(body))
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, bearer: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(bearer)"])
    }

    static func signUpBody(_ email: String, birthDate: String = "1988-02-11", password: String = password) -> [String: Any] {
        ["email": email, "password": password, "firstName": "Léa", "lastName": "Martin", "birthDate": birthDate, "language": "fr"]
    }

    /// Signs up, follows the verification link and signs in with the emailed code: a patient's bearer token.
    static func patient(_ client: some TestClientProtocol, _ mailer: RecordingMailer, email: String) async throws -> String {
        #expect(try await post(client, "/api/v1/accounts", signUpBody(email)).status == .accepted)
        let link = try #require(mailer.lastLinkParameter("token", to: email))
        #expect(try await post(client, "/api/v1/accounts/verify", ["token": link]).status == .ok)
        let started = try await post(client, "/api/v1/sessions", ["email": email, "password": password])
        #expect(started.status == .accepted)
        let challenge = try started.decode(Challenge.self).challenge
        let code = try #require(mailer.lastCode(to: email))
        let finished = try await post(client, "/api/v1/sessions/challenge", ["challenge": challenge, "code": code])
        #expect(finished.status == .created)
        return try finished.decode(SignedIn.self).token
    }

    @Test("sign up, verify the address, sign in with the emailed code; each step refuses what it should")
    func signUpAndSignIn() async throws {
        try await TestDatabase.with { test in
            _ = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock, mailer: mailer))).test(.router) { client in
                let email = "lea.martin@example.org"
                let created = try await Self.post(client, "/api/v1/accounts", Self.signUpBody("Lea.Martin@Example.org"))
                #expect(created.status == .accepted)
                let verification = try #require(mailer.messages(to: email).last)
                #expect(verification.subject == "Confirmez votre adresse e-mail")
                #expect(verification.text.contains("https://rdv.avoine.example/account/verify?token="))

                // The password is right but the address is not confirmed yet: a new link, and a clear answer.
                let early = try await Self.post(client, "/api/v1/sessions", ["email": email, "password": Self.password])
                #expect(early.status == .forbidden)
                #expect(try early.decode(Refusal.self).error.code == "email_not_verified")
                #expect(mailer.messages(to: email).count == 2)
                let firstLink = try #require(mailer.messages(to: email).first.flatMap { $0.text.components(separatedBy: "token=").last?.prefix { !$0.isWhitespace } })
                // Only the newest link works.
                #expect(try await Self.post(client, "/api/v1/accounts/verify", ["token": String(firstLink)]).status == .unprocessableContent)
                let link = try #require(mailer.lastLinkParameter("token", to: email))
                #expect(try await Self.post(client, "/api/v1/accounts/verify", ["token": link]).status == .ok)
                let reused = try await Self.post(client, "/api/v1/accounts/verify", ["token": link])
                #expect(reused.status == .unprocessableContent)
                #expect(try reused.decode(Refusal.self).error.code == "invalid_link")

                // Wrong password: the same answer as for anyone.
                let wrong = try await Self.post(client, "/api/v1/sessions", ["email": email, "password": "not the password at all"])
                #expect(wrong.status == .unauthorized)
                #expect(try wrong.decode(Refusal.self).error.message == "The email, password or code is not right.")

                let started = try await Self.post(client, "/api/v1/sessions", ["email": email, "password": Self.password])
                #expect(started.status == .accepted)
                let challenge = try started.decode(Challenge.self)
                #expect(challenge.method == "email" && challenge.sentTo == "l•••@example.org")
                let code = try #require(mailer.lastCode(to: email))
                #expect(mailer.messages(to: email).last?.text.contains("10 minutes") == true)

                let wrongCode = code == "000000" ? "000001" : "000000"
                let miss = try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": challenge.challenge, "code": wrongCode])
                #expect(miss.status == .unauthorized)
                #expect(try miss.decode(Refusal.self).error.code == "wrong_code")
                #expect(try miss.decode(Refusal.self).error.message.contains("4 more times"))

                let done = try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": challenge.challenge, "code": code])
                #expect(done.status == .created)
                let token = try done.decode(SignedIn.self).token
                let me = try await Self.get(client, "/api/v1/me", bearer: token)
                #expect(try me.decode(Me.self).roles == ["patient"])
                #expect(try me.decode(Me.self).email == email)
                // A used challenge cannot open a second session.
                #expect(try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": challenge.challenge, "code": code]).status == .unauthorized)

                // A code lapses after 10 minutes.
                let later = try await Self.post(client, "/api/v1/sessions", ["email": email, "password": Self.password])
                let lapsing = try later.decode(Challenge.self).challenge
                let lapsingCode = try #require(mailer.lastCode(to: email))
                time.advance(by: 10 * 60 + 1)
                let lapsed = try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": lapsing, "code": lapsingCode])
                #expect(lapsed.status == .unauthorized)
                #expect(try lapsed.decode(Refusal.self).error.code == "code_expired")
            }
        }
    }

    @Test("five wrong codes end the challenge: the right code no longer works")
    func codeAttempts() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let email = "hugo@example.org"
                _ = try await Self.patient(client, mailer, email: email)
                let started = try await Self.post(client, "/api/v1/sessions", ["email": email, "password": Self.password])
                let challenge = try started.decode(Challenge.self).challenge
                let code = try #require(mailer.lastCode(to: email))
                let wrong = String(format: "%06d", (Int(code)! + 1) % 1_000_000)
                var codes: [String] = []
                for _ in 0..<5 {
                    codes.append(try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": challenge, "code": wrong]).decode(Refusal.self).error.code)
                }
                #expect(codes == ["wrong_code", "wrong_code", "wrong_code", "wrong_code", "code_expired"])
                let late = try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": challenge, "code": code])
                #expect(try late.decode(Refusal.self).error.code == "code_expired")
            }
        }
    }

    @Test("sign-up refuses weak passwords, children under 15, bad addresses and malformed bodies; nothing is created")
    func signUpRefusals() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let cases: [([String: Any], HTTPResponse.Status, String)] = [
                    (Self.signUpBody("a@example.org", password: "short"), .unprocessableContent, "weak_password"),
                    (Self.signUpBody("a@example.org", password: "motdepasse123456"), .unprocessableContent, "weak_password"),
                    (Self.signUpBody("a@example.org", birthDate: "2012-01-01"), .unprocessableContent, "too_young_for_account"),
                    (Self.signUpBody("not-an-address"), .unprocessableContent, "invalid_email"),
                    (Self.signUpBody("a@example.org", birthDate: "2030-01-01"), .unprocessableContent, "invalid_patient"),
                    (Self.signUpBody("a@example.org", birthDate: "11/02/1988"), .badRequest, "invalid_field"),
                    (["email": "a@example.org"], .badRequest, "missing_field"),
                ]
                for (body, status, code) in cases {
                    let response = try await Self.post(client, "/api/v1/accounts", body)
                    #expect(response.status == status, "\(body)")
                    #expect(try response.decode(Refusal.self).error.code == code)
                }
                let underFifteen = try await Self.post(client, "/api/v1/accounts", Self.signUpBody("a@example.org", birthDate: "2012-01-01"))
                #expect(try underFifteen.decode(Refusal.self).error.message.contains("parent or guardian"))
                let malformed = try await client.execute(uri: "/api/v1/accounts", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{not json"))
                #expect(malformed.status == .badRequest)
                #expect(try await test.store.account(email: "a@example.org") == nil)
                #expect(mailer.messages.isEmpty)
            }
        }
    }

    @Test("no enumeration: sign-up and reset answer alike for known and unknown addresses; only the owner hears of it")
    func noEnumeration() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let email = "claire@example.org"
                _ = try await Self.patient(client, mailer, email: email)
                let before = mailer.messages(to: email).count
                let again = try await Self.post(client, "/api/v1/accounts", Self.signUpBody(email))
                let fresh = try await Self.post(client, "/api/v1/accounts", Self.signUpBody("someone.new@example.org"))
                #expect(again.status == .accepted && fresh.status == .accepted)
                #expect(again.text == fresh.text)
                #expect(mailer.messages(to: email).count == before + 1)
                #expect(mailer.messages(to: email).last?.subject == "Vous avez déjà un compte")

                let known = try await Self.post(client, "/api/v1/password-resets", ["email": email])
                let unknown = try await Self.post(client, "/api/v1/password-resets", ["email": "nobody@example.org"])
                #expect(known.status == .accepted && unknown.status == .accepted)
                #expect(known.text == unknown.text)
                #expect(mailer.messages(to: "nobody@example.org").isEmpty)
                #expect(mailer.messages(to: email).last?.subject == "Choisir un nouveau mot de passe")
            }
        }
    }

    @Test("abuse limits: sign-ups per address, reset emails per address a handful an hour, code guesses per address; 429 with Retry-After")
    func limits() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                var signUps: [HTTPResponse.Status] = []
                for index in 0..<11 { signUps.append(try await Self.post(client, "/api/v1/accounts", Self.signUpBody("person\(index)@example.org")).status) }
                #expect(signUps == Array(repeating: .accepted, count: 10) + [.tooManyRequests])
                let limited = try await Self.post(client, "/api/v1/accounts", Self.signUpBody("late@example.org"))
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
                #expect(try await test.store.account(email: "late@example.org") == nil)

                var resets: [HTTPResponse.Status] = []
                for _ in 0..<4 { resets.append(try await Self.post(client, "/api/v1/password-resets", ["email": "person1@example.org"]).status) }
                #expect(resets == [.accepted, .accepted, .accepted, .tooManyRequests])
                #expect(mailer.messages(to: "person1@example.org").filter { $0.subject == "Choisir un nouveau mot de passe" }.count == 3)

                var guesses: [HTTPResponse.Status] = []
                for _ in 0..<21 {
                    guesses.append(try await Self.post(client, "/api/v1/sessions/challenge", ["challenge": "made-up", "code": "123456"]).status)
                }
                #expect(guesses.last == .tooManyRequests)
                #expect(guesses.dropLast().allSatisfy { $0 == .unauthorized })
            }
        }
    }

    @Test("a reset link sets a new password once, ends every session, and the old password stops working")
    func passwordReset() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock, mailer: mailer))).test(.router) { client in
                let email = "marc@example.org"
                let session = try await Self.patient(client, mailer, email: email)
                #expect(try await Self.post(client, "/api/v1/password-resets", ["email": email]).status == .accepted)
                let token = try #require(mailer.lastLinkParameter("token", to: email))

                let weak = try await Self.post(client, "/api/v1/password-resets/confirm", ["token": token, "password": "azertyuiop123"])
                #expect(weak.status == .unprocessableContent)
                #expect(try weak.decode(Refusal.self).error.code == "weak_password")

                let newPassword = "la mer est calme ce matin"
                let done = try await Self.post(client, "/api/v1/password-resets/confirm", ["token": token, "password": newPassword])
                #expect(done.status == .noContent)
                #expect(try await Self.get(client, "/api/v1/me", bearer: session).status == .unauthorized)
                #expect(try await Self.post(client, "/api/v1/password-resets/confirm", ["token": token, "password": "encore un autre mot de passe"]).status == .unprocessableContent)
                #expect(try await Self.post(client, "/api/v1/sessions", ["email": email, "password": Self.password]).status == .unauthorized)
                #expect(try await Self.post(client, "/api/v1/sessions", ["email": email, "password": newPassword]).status == .accepted)

                // A link lapses after an hour.
                _ = try await Self.post(client, "/api/v1/password-resets", ["email": email])
                let lapsing = try #require(mailer.lastLinkParameter("token", to: email))
                time.advance(by: 3_601)
                #expect(try await Self.post(client, "/api/v1/password-resets/confirm", ["token": lapsing, "password": "une autre phrase assez longue"]).status == .unprocessableContent)
            }
        }
    }

    @Test("relatives: add a child, book for them, see their appointments; removal waits for upcoming ones and keeps the history")
    func relatives() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let token = try await Self.patient(client, mailer, email: "parent@example.org")
                let added = try await Self.post(client, "/api/v1/me/patients",
                                                ["firstName": "Zoé", "lastName": "Martin", "birthDate": "2019-06-02", "relationship": "child"], bearer: token)
                #expect(added.status == .created)
                let zoe = try added.decode(Relative.self)
                let list = try await Self.get(client, "/api/v1/me/patients", bearer: token).decode([Relative].self)
                #expect(list.map(\.relationship) == ["self", "child"])
                #expect(list.map(\.firstName) == ["Léa", "Zoé"])

                // Refusals: a second holder, a missing field, a bad relationship.
                let selfAgain = try await Self.post(client, "/api/v1/me/patients",
                                                    ["firstName": "X", "lastName": "Y", "birthDate": "2000-01-01", "relationship": "self"], bearer: token)
                #expect(try selfAgain.decode(Refusal.self).error.code == "invalid_relationship")
                #expect(try await Self.post(client, "/api/v1/me/patients", ["firstName": "X"], bearer: token).status == .badRequest)
                #expect(try await Self.post(client, "/api/v1/me/patients",
                                             ["firstName": "X", "lastName": "Y", "birthDate": "2000-01-01", "relationship": "cousin"], bearer: token).status == .badRequest)

                // Book for Zoé as the signed-in parent, on Wednesday (a patient cancels up to 4 hours before).
                var body: [String: Any] = [
                    "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString,
                    "start": "2026-11-25T09:00:00+01:00", "patientId": zoe.id, "referringDoctor": fixture.doctor.id.uuidString,
                ]
                let booked = try await Self.post(client, "/api/v1/appointments", body, bearer: token)
                #expect(booked.status == .created)
                let appointment = try booked.decode(BookingAPITests.Booked.self)

                let mine = try await Self.get(client, "/api/v1/me/appointments", bearer: token).decode([PatientAppointments].self)
                #expect(mine.map(\.patient.firstName) == ["Léa", "Zoé"])
                #expect(mine[1].upcoming.map(\.id) == [appointment.id])
                #expect(mine[0].upcoming.isEmpty)

                // Zoé has an appointment to come: she stays until it is cancelled.
                let blocked = try await client.execute(uri: "/api/v1/me/patients/\(zoe.id)", method: .delete, headers: [.authorization: "Bearer \(token)"])
                #expect(blocked.status == .conflict)
                #expect(try blocked.decode(Refusal.self).error.code == "upcoming_appointments")
                let cancelled = try await Self.post(client, "/api/v1/appointments/\(appointment.id)/cancel", ["reason": "Guérie"], bearer: token)
                #expect(cancelled.status == .ok)
                let removed = try await client.execute(uri: "/api/v1/me/patients/\(zoe.id)", method: .delete, headers: [.authorization: "Bearer \(token)"])
                #expect(removed.status == .noContent)
                #expect(try await Self.get(client, "/api/v1/me/patients", bearer: token).decode([Relative].self).map(\.firstName) == ["Léa"])
                // The hospital keeps Zoé and her history; the account no longer reaches them.
                #expect(try await test.store.appointments(patientID: UUID(uuidString: zoe.id)!).map(\.id.json) == [appointment.id])
                #expect(try await Self.get(client, "/api/v1/appointments/\(appointment.id)", bearer: token).status == .notFound)
                body["start"] = "2026-11-25T10:00:00+01:00"
                #expect(try await Self.post(client, "/api/v1/appointments", body, bearer: token).status == .notFound)

                // The holder cannot be removed.
                let holder = list[0].id
                let holderRemoval = try await client.execute(uri: "/api/v1/me/patients/\(holder)", method: .delete, headers: [.authorization: "Bearer \(token)"])
                #expect(try holderRemoval.decode(Refusal.self).error.code == "account_holder")
            }
        }
    }

    @Test("at most ten relatives per account")
    func relativesLimit() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let token = try await Self.patient(client, mailer, email: "famille@example.org")
                var statuses: [HTTPResponse.Status] = []
                for index in 0..<11 {
                    statuses.append(try await Self.post(client, "/api/v1/me/patients",
                                                        ["firstName": "Enfant\(index)", "lastName": "Martin", "birthDate": "2015-01-01", "relationship": "child"],
                                                        bearer: token).status)
                }
                #expect(statuses == Array(repeating: .created, count: 10) + [.unprocessableContent])
            }
        }
    }

    @Test("patient A reaches nothing of patient B: appointments, cancel, move, relatives, booking for B's child — all 404",
          .enabled(if: Peers.icalendar, Comment(rawValue: Peers.icalendarMissing)))
    func bolaMatrix() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let a = try await Self.patient(client, mailer, email: "a@example.org")
                let b = try await Self.patient(client, mailer, email: "b@example.org")
                let child = try await Self.post(client, "/api/v1/me/patients",
                                                ["firstName": "Noé", "lastName": "B", "birthDate": "2018-03-03", "relationship": "child"], bearer: b)
                    .decode(Relative.self)
                let booked = try await Self.post(client, "/api/v1/appointments", [
                    "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString,
                    "start": "2026-11-23T09:00:00+01:00", "patientId": child.id, "referringDoctor": fixture.doctor.id.uuidString,
                ], bearer: b).decode(BookingAPITests.Booked.self)

                let attempts: [TestResponse] = [
                    try await Self.get(client, "/api/v1/appointments/\(booked.id)", bearer: a),
                    try await Self.get(client, "/api/v1/appointments/\(booked.id)/calendar.ics", bearer: a),
                    try await client.execute(uri: "/api/v1/appointments/\(booked.id)/calendar.ics", method: .get),
                    try await Self.post(client, "/api/v1/appointments/\(booked.id)/cancel", ["reason": "x"], bearer: a),
                    try await Self.post(client, "/api/v1/appointments/\(booked.id)/move", ["start": "2026-11-23T10:00:00+01:00"], bearer: a),
                    try await client.execute(uri: "/api/v1/me/patients/\(child.id)", method: .delete, headers: [.authorization: "Bearer \(a)"]),
                    try await Self.post(client, "/api/v1/appointments", [
                        "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString,
                        "start": "2026-11-23T10:00:00+01:00", "patientId": child.id, "referringDoctor": fixture.doctor.id.uuidString,
                    ], bearer: a),
                ]
                #expect(attempts.map(\.status) == Array(repeating: .notFound, count: attempts.count))
                // A sees only their own people and appointments.
                let seen = try await Self.get(client, "/api/v1/me/appointments", bearer: a).decode([PatientAppointments].self)
                #expect(seen.count == 1 && seen[0].upcoming.isEmpty)
                // B downloads the .ics of their child's appointment; a real iCalendar parser reads it back.
                let ics = try await Self.get(client, "/api/v1/appointments/\(booked.id)/calendar.ics", bearer: b)
                #expect(ics.status == .ok)
                #expect(ics.headers[.contentType] == "text/calendar; charset=utf-8")
                #expect(ics.headers[.contentDisposition]?.contains("attachment") == true)
                let event = try await ICalendarPeer.parse(ics.text)
                #expect(event["uid"] == "\(booked.id)@creneau")
                #expect(event["dtstart"] == "2026-11-23T08:00:00+00:00")
                #expect(event["dtend"] == "2026-11-23T08:30:00+00:00")
                #expect(event["status"] == "CONFIRMED")
                #expect(event["summary"]?.hasPrefix(fixture.org.motive.name) == true)
                #expect(event["location"]?.contains(fixture.org.department.name) == true)
                #expect(!ics.text.contains("Essoufflement"))
                // B's appointment is untouched.
                #expect(try await Self.get(client, "/api/v1/appointments/\(booked.id)", bearer: b).decode(BookingAPITests.Booked.self).status == "booked")
                // Refusals of A are in the audit, against B's child.
                let denied = try await test.store.entries(patientID: UUID(uuidString: child.id)!).filter { $0.outcome == .denied }
                #expect(denied.count >= 5)
            }
        }
    }

    @Test("relatives routes are for patient accounts: visitors 401, staff 403")
    func patientOnlyRoutes() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                #expect(try await client.execute(uri: "/api/v1/me/patients", method: .get).status == .unauthorized)
                let signedIn = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: Fixtures.now))
                let token = try signedIn.decode(SignedIn.self).token
                let response = try await Self.get(client, "/api/v1/me/patients", bearer: token)
                #expect(response.status == .forbidden)
                #expect(try response.decode(Refusal.self).error.code == "patients_only")
            }
        }
    }
}
