import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Synchronization
import Testing

/// The OpenAPI 3.1 document (`GET /api/v1/openapi.json`) kept true: every route of API v1 is in
/// it and nothing else; real answers of a visitor's and a secretary's day validate against its
/// schemas; schemathesis fuzzes the running server from it (no 5xx, no answer outside the document).
@Suite("OpenAPI: the API v1 document, its schemas, and schemathesis")
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let library = root.appendingPathComponent(".build/schemathesis")
    static var peer: Bool { Peers.python3 && FileManager.default.fileExists(atPath: library.appendingPathComponent(".complete").path) }
    static let peerMissing = "needs schemathesis (run scripts/fetch-schemathesis.sh, or scripts/test)"

    static func document() throws -> [String: Any] {
        let data = try #require(OpenAPIController.document)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Runs a Python script with the schemathesis library on its path; bounded (300 s).
    static func python(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let run = try await ChildProcess.python(arguments, pythonPath: library.path)
        return (run.status, run.text)
    }

    @Test("every route of API v1 is documented with its method, and every documented operation is a route")
    func everyRoute() async throws {
        let documented = try Self.document()["paths"] as? [String: [String: Any]] ?? [:]
        let operations = Set(documented.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
        let routes = try await FuzzTests.routes().filter { $0["path"]?.hasPrefix("/api/v1/") == true }.map { "\($0["method"] ?? "") \($0["path"] ?? "")" }
        #expect(routes.count >= 60)
        #expect(Set(routes).subtracting(operations).isEmpty, "not documented: \(Set(routes).subtracting(operations).sorted())")
        // The SMS gateway's route exists only where a shared secret is configured (CRENEAU_SMS_INBOUND_TOKEN).
        let conditional: Set = ["POST /api/v1/sms/inbound"]
        #expect(operations.subtracting(routes).subtracting(conditional).isEmpty, "documented, not routed: \(operations.subtracting(routes).sorted())")
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
    }

    /// What the API answered, for `scripts/openapi-check.py`.
    struct Record: Codable, Sendable {
        var method: String
        var path: String
        var status: Int
        var contentType: String
        var body: String
    }

    final class Recorder: Sendable {
        let records = Mutex<[Record]>([])

        func execute(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, route: String,
                     headers: HTTPFields = [:], json: Any? = nil) async throws -> TestResponse {
            var all = headers
            var body: ByteBuffer?
            if let json {
                all[.contentType] = "application/json"
                body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
            }
            let response = try await client.execute(uri: uri, method: method, headers: all, body: body)
            let record = Record(method: method.rawValue, path: route, status: Int(response.status.code),
                                contentType: response.headers[.contentType] ?? "", body: String(buffer: response.body))
            records.withLock { $0.append(record) }
            return response
        }
    }

    @Test("real answers — directory, availability, a visitor's booking, holds, a secretary's day, accounts — validate against the document",
          .enabled(if: OpenAPITests.peer, Comment(rawValue: OpenAPITests.peerMissing)))
    func answersConform() async throws {
        let recorder = Recorder()
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            let practitioner = fixture.org.practitioner.id.uuidString.lowercased(), motive = fixture.org.motive.id.uuidString.lowercased()
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let r = recorder
                _ = try await r.execute(client, .get, "/api/v1/openapi.json", route: "/api/v1/openapi.json")
                _ = try await r.execute(client, .get, "/api/v1/practitioners?q=lefevre", route: "/api/v1/practitioners")
                _ = try await r.execute(client, .get, "/api/v1/practitioners/\(practitioner)", route: "/api/v1/practitioners/{id}")
                _ = try await r.execute(client, .get, "/api/v1/practitioners/\(UUID().uuidString)", route: "/api/v1/practitioners/{id}")
                _ = try await r.execute(client, .get, "/api/v1/practitioners/\(practitioner)/motives", route: "/api/v1/practitioners/{id}/motives")
                _ = try await r.execute(client, .get, "/api/v1/availability?practitioner=\(practitioner)&motive=\(motive)&from=2026-11-23&days=2", route: "/api/v1/availability")
                _ = try await r.execute(client, .get, "/api/v1/availability?practitioner=\(practitioner)", route: "/api/v1/availability")
                _ = try await r.execute(client, .get, "/api/v1/search?specialty=cardiologie", route: "/api/v1/search")
                _ = try await r.execute(client, .get, "/api/v1/referring-doctors?q=dupont", route: "/api/v1/referring-doctors")
                let hold = try await r.execute(client, .post, "/api/v1/holds", route: "/api/v1/holds",
                                               json: ["practitioner": practitioner, "motive": motive, "start": "2026-11-24T11:00:00+01:00"])
                #expect(hold.status == .created)
                let held = try hold.decode(HoldJSONPeek.self)
                _ = try await r.execute(client, .delete, "/api/v1/holds/\(held.id)", route: "/api/v1/holds/{id}", headers: [HTTPField.Name("Creneau-Hold-Token")!: held.token])

                let key = HTTPField.Name("Idempotency-Key")!, token = HTTPField.Name("Creneau-Manage-Token")!
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: BookingAPITests.body(fixture, start: "2026-11-24T09:00:00+01:00"))))
                let booked = try await r.execute(client, .post, "/api/v1/appointments", route: "/api/v1/appointments", headers: [key: UUID().uuidString], json: body)
                #expect(booked.status == .created)
                let appointment = try booked.decode(BookingAPITests.Booked.self)
                let manage: HTTPFields = [token: try #require(appointment.manageToken)]
                let taken = try await r.execute(client, .post, "/api/v1/appointments", route: "/api/v1/appointments", headers: [key: UUID().uuidString], json: body)
                #expect(taken.status == .conflict)
                _ = try await r.execute(client, .get, "/api/v1/appointments/\(appointment.id)", route: "/api/v1/appointments/{id}", headers: manage)
                _ = try await r.execute(client, .get, "/api/v1/appointments/\(appointment.id)/calendar.ics", route: "/api/v1/appointments/{id}/calendar.ics", headers: manage)
                _ = try await r.execute(client, .post, "/api/v1/appointments/\(appointment.id)/move", route: "/api/v1/appointments/{id}/move", headers: manage,
                                        json: ["start": "2026-11-25T10:00:00+01:00"])
                _ = try await r.execute(client, .post, "/api/v1/appointments/\(appointment.id)/cancel", route: "/api/v1/appointments/{id}/cancel", headers: manage,
                                        json: ["reason": "empêchement"])

                // A secretary's day.
                let signedIn = try await r.execute(client, .post, "/api/v1/sessions", route: "/api/v1/sessions",
                                                   json: ["email": staff.email, "password": staff.password, "code": AuthAPITests().code(staff, at: Fixtures.now)])
                #expect(signedIn.status == .created)
                let bearer: HTTPFields = [.authorization: "Bearer \(try signedIn.decode(AuthAPITests.Token.self).token)"]
                _ = try await r.execute(client, .get, "/api/v1/me", route: "/api/v1/me", headers: bearer)
                _ = try await r.execute(client, .post, "/api/v1/patients/search", route: "/api/v1/patients/search", headers: bearer, json: ["q": "martin"])
                let patient = fixture.org.patient.id.uuidString.lowercased()
                _ = try await r.execute(client, .get, "/api/v1/patients/\(patient)?breakGlass=emergency", route: "/api/v1/patients/{id}", headers: bearer)
                _ = try await r.execute(client, .get, "/api/v1/patients/\(patient)/audit", route: "/api/v1/patients/{id}/audit", headers: bearer)
                _ = try await r.execute(client, .get, "/api/v1/patients/duplicates", route: "/api/v1/patients/duplicates", headers: bearer)
                _ = try await r.execute(client, .get, "/api/v1/waitlist?department=\(fixture.org.department.id.uuidString)", route: "/api/v1/waitlist", headers: bearer)
                _ = try await r.execute(client, .post, "/api/v1/appointments/\(appointment.id)/arrive", route: "/api/v1/appointments/{id}/arrive", headers: bearer)
                _ = try await r.execute(client, .get, "/api/v1/admin/staff", route: "/api/v1/admin/staff", headers: bearer)
                _ = try await r.execute(client, .delete, "/api/v1/sessions/current", route: "/api/v1/sessions/current", headers: bearer)
                _ = try await r.execute(client, .get, "/api/v1/me", route: "/api/v1/me", headers: bearer)

                // Accounts.
                _ = try await r.execute(client, .post, "/api/v1/accounts", route: "/api/v1/accounts",
                                        json: ["email": "nouvelle@example.org", "password": "une phrase de passe solide", "firstName": "Lina",
                                               "lastName": "Roux", "birthDate": "1990-02-03"])
                _ = try await r.execute(client, .post, "/api/v1/accounts/verify", route: "/api/v1/accounts/verify", json: ["token": "not-a-token"])
                _ = try await r.execute(client, .post, "/api/v1/password-resets", route: "/api/v1/password-resets", json: ["email": "nouvelle@example.org"])
                _ = try await r.execute(client, .post, "/api/v1/sessions", route: "/api/v1/sessions", json: ["email": "nobody@example.org", "password": "wrong"])
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = folder.appendingPathComponent("records.json"), document = folder.appendingPathComponent("openapi.json")
        try JSONEncoder().encode(recorder.records.withLock { $0 }).write(to: records)
        try #require(OpenAPIController.document).write(to: document)
        let run = try await Self.python([Self.root.appendingPathComponent("scripts/openapi-check.py").path, document.path, records.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains(" 0 failed") && run.output.contains("OpenAPI answers: \(recorder.records.withLock { $0.count }) passed"), "\(run.output)")
        // Statuses beyond 2xx were exercised too: the error schema is checked, not only the happy path.
        let statuses = Set(recorder.records.withLock { $0 }.map(\.status))
        #expect(statuses.isSuperset(of: [200, 201, 202, 204, 400, 401, 404, 409]), "\(statuses.sorted())")
    }

    struct HoldJSONPeek: Decodable { let id: String; let token: String }

    /// RFC 4648 base32 (the authenticator keys the README prints) to the raw secret TOTP takes.
    static func base32(_ text: String) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0
        var bytes: [UInt8] = []
        for character in text {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((value >> bits) & 255))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("schemathesis against the running demo server: no 5xx, every answer within the document",
          .enabled(if: OpenAPITests.peer, Comment(rawValue: OpenAPITests.peerMissing)))
    func schemathesis() async throws {
        try await FuzzTests.withEngine { environment in
            try await BrowserTests.withDemoServer(environment: environment) { server in
                // Anonymous first, then as the demo's site administrator (a bearer token): the staff and
                // administration operations answer more than 401 then.
                let secret = "IFLE6SKOIVAUITKJJZAVMT2JJZCUIRKNJ5AUCQKBIFAUCQKBIFAQ"
                let code = String(format: "%06d", TOTP(secret: try #require(Self.base32(secret))).compute(date: Date()))
                var request = URLRequest(url: try #require(URL(string: "\(server.url)/api/v1/sessions")), timeoutInterval: 60)
                request.httpMethod = "POST"
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = try JSONSerialization.data(withJSONObject: ["email": "admin@avoine.demo", "password": "avoine-demo-2026", "code": code])
                let (data, _) = try await URLSession.shared.data(for: request)
                let token = try JSONDecoder().decode(AuthAPITests.Token.self, from: data).token
                for (name, headers) in [("anonymous", [String]()), ("administrator", ["-H", "Authorization: Bearer \(token)",
                    // Signing out (or closing one's own account) would end the run's session: those are fuzzed anonymously.
                    "--exclude-path-regex", "^/api/v1/(sessions|me/password|admin/staff/\\{id\\}/)"])] {
                    let reports = server.folder.appendingPathComponent("schemathesis-\(name)")
                    // One worker: hypothesis parses lambdas' source with `ast`, which Python 3.11 does not make thread-safe
                    // ("AST constructor recursion depth mismatch" with two workers).
                    let run = try await Self.python([
                        Self.library.appendingPathComponent("bin/schemathesis").path, "run", "\(server.url)/api/v1/openapi.json",
                        "--url", server.url,
                        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                        "--max-examples", "15", "--seed", "2026", "--workers", "1", "--request-timeout", "20",
                        "--phases", "examples,coverage,fuzzing", "--report-dir", reports.path, "--no-color",
                    ] + headers)
                    #expect(run.status == 0, "\(name): \(run.output.suffix(6_000))")
                    print(run.output.suffix(800))
                }
                let log = (try? String(contentsOf: server.folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                #expect(!log.contains("Fatal error") && !log.contains("Program crashed"))
            }
        }
    }
}
