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

/// Who reaches what, on every appointment endpoint: the holder of the manage token,
/// another visitor with their own token, a secretary of the department, a secretary of
/// another department, a referring doctor who did not refer the patient, a site admin.
@Suite("Access matrix: appointment endpoints × callers")
struct AccessMatrixTests {
    typealias API = BookingAPITests

    enum Caller: String, CaseIterable {
        case owner, otherVisitor, nobody, secretary, otherSecretary, otherReferrer, siteAdmin
    }

    func account(_ test: TestDatabase, email: String, role: Role, scope: RoleGrant.Scope, referringDoctor: UUID? = nil) async throws -> (email: String, secret: String) {
        let id = UUID()
        try await test.store.insert(Account(id: id, email: email, displayName: email, passwordHash: Bcrypt.hash("correct horse battery staple", cost: 4),
                                            referringDoctorID: referringDoctor, createdAt: Fixtures.now))
        try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: role, scope: scope))
        let secret = Authenticator.newTOTPSecret()
        try await test.store.setTOTPSecret(secret, accountID: id)
        return (email, secret)
    }

    func token(_ client: some TestClientProtocol, _ who: (email: String, secret: String)) async throws -> String {
        let code = String(format: "%06d", TOTP(secret: who.secret).compute(date: Fixtures.now))
        let body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["email": who.email, "password": "correct horse battery staple", "code": code]))
        return try await client.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: body).decode(AuthAPITests.Token.self).token
    }

    @Test("each caller gets exactly what it should on each endpoint")
    func matrix() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let dermatology = Department(id: UUID(), siteID: fixture.org.site.id, name: "Dermatologie", specialty: "dermatologie")
            try await test.store.insert(dermatology)
            let otherDoctor = ReferringDoctor(id: UUID(), nationalID: "810000000777", firstName: "Anne", lastName: "Roux", profession: "Médecin")
            try await test.store.insert(otherDoctor)
            let people = [
                Caller.secretary: try await account(test, email: "s1@h.test", role: .secretary, scope: .department(fixture.org.department.id)),
                .otherSecretary: try await account(test, email: "s2@h.test", role: .secretary, scope: .department(dermatology.id)),
                .otherReferrer: try await account(test, email: "r@h.test", role: .referringDoctor, scope: .everywhere, referringDoctor: otherDoctor.id),
                .siteAdmin: try await account(test, email: "a@h.test", role: .siteAdmin, scope: .site(fixture.org.site.id)),
            ]
            var dependencies = test.dependencies()
            dependencies.limits = .off
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                var tokens: [Caller: String] = [:]
                for (caller, who) in people { tokens[caller] = try await token(client, who) }

                /// Free slots: weekdays from Tuesday 24 November, 09:00–11:30 every half hour.
                var slots: [String] = []
                for day in ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07"] {
                    for time in ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"] { slots.append("\(day)T\(time):00+01:00") }
                }
                var next = 0
                func freeSlot() -> String {
                    defer { next += 1 }
                    return slots[next]
                }
                /// A fresh appointment per check, so that one caller's change does not hide the next one's.
                func freshAppointment() async throws -> (id: String, token: String) {
                    // A different patient each time: the same one would be found again and reach the department's limit.
                    let start = freeSlot()
                    let booked = try await API.book(client, API.body(fixture, start: start, patient: [
                        "firstName": "Patient", "lastName": "N\(next)", "birthDate": "1992-05-14", "email": "p\(next)@example.org"]))
                    let json = try booked.decode(API.Booked.self)
                    return (json.id, json.manageToken!)
                }
                let other = try await freshAppointment()

                func headers(_ caller: Caller, owner: String) -> HTTPFields {
                    switch caller {
                    case .owner: [API.token: owner, .contentType: "application/json"]
                    case .otherVisitor: [API.token: other.token, .contentType: "application/json"]
                    case .nobody: [.contentType: "application/json"]
                    default: [.authorization: "Bearer \(tokens[caller]!)", .contentType: "application/json"]
                    }
                }
                let cancel = ByteBuffer(string: #"{"reason":"demande du patient"}"#)
                // endpoint → caller → expected status
                let move = ByteBuffer(string: "{}")  // replaced per call by a free slot
                let expected: [(String, HTTPRequest.Method, ByteBuffer?, [Caller: HTTPResponse.Status])] = [
                    ("", .get, nil, [.owner: .ok, .otherVisitor: .notFound, .nobody: .notFound, .secretary: .ok, .otherSecretary: .notFound, .otherReferrer: .notFound, .siteAdmin: .ok]),
                    ("/cancel", .post, cancel, [.owner: .ok, .otherVisitor: .notFound, .nobody: .notFound, .secretary: .ok, .otherSecretary: .notFound, .otherReferrer: .notFound, .siteAdmin: .ok]),
                    ("/move", .post, move, [.owner: .ok, .otherVisitor: .notFound, .nobody: .notFound, .secretary: .ok, .otherSecretary: .notFound, .otherReferrer: .notFound, .siteAdmin: .ok]),
                    ("/arrive", .post, nil, [.owner: .unauthorized, .otherVisitor: .unauthorized, .nobody: .unauthorized, .secretary: .unprocessableContent, .otherSecretary: .notFound, .otherReferrer: .forbidden, .siteAdmin: .unprocessableContent]),
                    ("/noshow", .post, nil, [.owner: .unauthorized, .otherVisitor: .unauthorized, .nobody: .unauthorized, .secretary: .unprocessableContent, .otherSecretary: .notFound, .otherReferrer: .forbidden, .siteAdmin: .unprocessableContent]),
                ]
                for (suffix, method, body, outcomes) in expected {
                    for caller in Caller.allCases {
                        let appointment = try await freshAppointment()
                        let payload = suffix == "/move" ? ByteBuffer(string: #"{"start":"\#(freeSlot())","reason":"demande du patient"}"#) : body
                        let response = try await client.execute(
                            uri: "/api/v1/appointments/\(appointment.id)\(suffix)", method: method,
                            headers: headers(caller, owner: appointment.token), body: payload)
                        #expect(response.status == outcomes[caller], "\(method) …\(suffix) as \(caller): \(response.status)")
                    }
                }
                // The access history: admins only.
                for caller in Caller.allCases {
                    let response = try await client.execute(uri: "/api/v1/patients/\(fixture.org.patient.id)/audit", method: .get, headers: headers(caller, owner: other.token))
                    let allowed: HTTPResponse.Status = caller == .siteAdmin ? .ok : [.secretary, .otherSecretary].contains(caller) ? .forbidden
                        : caller == .otherReferrer ? .forbidden : .unauthorized
                    #expect(response.status == allowed, "audit as \(caller)")
                }
            }
        }
    }
}
