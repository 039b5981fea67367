import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /api/v1/appointments` and friends (README.md, "API v1"), through the real router on a real database.
@Suite("API: booking, idempotency, holds, cancel and move")
struct BookingAPITests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let token = HTTPField.Name("Creneau-Manage-Token")!

    struct Booked: Decodable {
        let id: String
        let status: String
        let start: String
        let end: String
        let manageToken: String?
        let channel: String
        let instructions: String
        let moves: Int
    }

    struct Refusal: Decodable {
        struct Detail: Decodable {
            let code: String
            let message: String
            let nextSlots: [Slot]?
        }
        struct Slot: Decodable { let start: String; let end: String }
        let error: Detail
    }

    static func body(_ fixture: BookingFixture, start: String = "2026-11-23T09:00:00+01:00", motive: Motive? = nil,
                     referring: Bool = true, extra: [String: Any] = [:], patient: [String: Any]? = nil) -> ByteBuffer {
        var json: [String: Any] = [
            "practitioner": fixture.org.practitioner.id.uuidString, "motive": (motive ?? fixture.org.motive).id.uuidString, "start": start,
            "patient": patient ?? ["firstName": "Léa", "lastName": "Martin", "birthDate": "1992-05-14", "email": "lea@example.org"],
            "reason": "Essoufflement à l'effort",
        ]
        if referring { json["referringDoctor"] = fixture.doctor.id.uuidString }
        json.merge(extra) { $1 }
        return ByteBuffer(data: try! JSONSerialization.data(withJSONObject: json))
    }

    static func book(_ client: some TestClientProtocol, _ body: ByteBuffer, key: String = UUID().uuidString) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/appointments", method: .post, headers: [Self.key: key, .contentType: "application/json"], body: body)
    }

    func app(_ test: TestDatabase, clock: Clock = .fixed(Fixtures.now)) -> some ApplicationProtocol {
        Application(router: buildRouter(test.dependencies(clock: clock)))
    }

    @Test("a visitor books online: 201 with the appointment, then sees it with its manage token only")
    func bookAndShow() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let response = try await Self.book(client, Self.body(fixture))
                #expect(response.status == .created)
                let booked = try response.decode(Booked.self)
                #expect(booked.status == "booked")
                #expect(booked.start == "2026-11-23T09:00:00+01:00")
                #expect(booked.end == "2026-11-23T09:30:00+01:00")
                #expect(booked.channel == "online")
                #expect(response.headers[.location] == "/api/v1/appointments/\(booked.id)")
                let token = try #require(booked.manageToken)
                #expect(token.count >= 43)

                try await client.execute(uri: "/api/v1/appointments/\(booked.id)", method: .get, headers: [Self.token: token]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "no-store")
                    let shown = try response.decode(Booked.self)
                    #expect(shown.id == booked.id && shown.manageToken == nil)
                }
                for headers: HTTPFields in [[:], [Self.token: "not-the-token"]] {
                    try await client.execute(uri: "/api/v1/appointments/\(booked.id)", method: .get, headers: headers) { response in
                        #expect(response.status == .notFound)
                    }
                }
                // The slot is gone from availability at once.
                try await client.execute(uri: "/api/v1/availability?practitioner=\(fixture.org.practitioner.id)&motive=\(fixture.org.motive.id)&from=2026-11-23&days=1", method: .get) { response in
                    #expect(!response.text.contains("2026-11-23T09:00:00+01:00"))
                    #expect(response.text.contains("2026-11-23T09:30:00+01:00"))
                }
                // The reason is stored sealed, and the booking has its history event.
                let row = try #require(try await test.rows("SELECT reason_sealed, manage_token_hash FROM appointments").first)
                #expect(!(try row.decode(column: "reason_sealed", as: String.self)).contains("Essoufflement"))
                #expect(try row.decode(column: "manage_token_hash", as: String.self) != token)
                let appointmentID = try #require(UUID(uuidString: booked.id))
                #expect(try await test.store.events(appointmentID: appointmentID).map(\.action) == [.created])
            }
        }
    }

    @Test("idempotency: a replay gets the stored answer, another body with the same key 422, no key 400")
    func idempotency() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let key = UUID().uuidString
                let first = try await Self.book(client, Self.body(fixture), key: key)
                #expect(first.status == .created)
                let replay = try await Self.book(client, Self.body(fixture), key: key)
                #expect(replay.status == .created)
                #expect(replay.text == first.text)
                #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(try await test.rows("SELECT id FROM appointments").count == 1)

                let other = try await Self.book(client, Self.body(fixture, start: "2026-11-23T10:00:00+01:00"), key: key)
                #expect(other.status == .unprocessableContent)
                #expect(try other.decode(Refusal.self).error.code == "idempotency_key_reused")

                let missing = try await client.execute(uri: "/api/v1/appointments", method: .post, headers: [.contentType: "application/json"], body: Self.body(fixture))
                #expect(missing.status == .badRequest)
                #expect(try missing.decode(Refusal.self).error.code == "missing_idempotency_key")
            }
        }
    }

    @Test("idempotency: concurrent replays book once; the others get 409 or the stored answer")
    func concurrentReplays() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let key = UUID().uuidString
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<20 { group.addTask { try await Self.book(client, Self.body(fixture), key: key).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict })
                #expect(statuses.contains(.created))
                #expect(try await test.rows("SELECT id FROM appointments").count == 1)
            }
        }
    }

    @Test("malformed bodies are 400s naming the field; unknown ids are 404s")
    func badInput() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let cases: [(ByteBuffer, String)] = [
                    (ByteBuffer(string: "{not json"), "malformed_body"),
                    (ByteBuffer(string: ""), "malformed_body"),
                    (ByteBuffer(string: #"{"practitioner": 12}"#), "malformed_body"),
                    (Self.body(fixture, extra: ["start": "tomorrow at nine"]), "invalid_field"),
                    (Self.body(fixture, extra: ["start": "2026-11-23T09:00:00"]), "invalid_field"),
                    (Self.body(fixture, extra: ["practitioner": "dr-lefevre"]), "invalid_field"),
                    (Self.body(fixture, extra: ["channel": "carrier-pigeon"]), "invalid_field"),
                    (Self.body(fixture, patient: ["firstName": "Léa", "lastName": "Martin", "birthDate": "14/05/1992"]), "invalid_field"),
                    (Self.body(fixture, patient: ["firstName": "Léa"]), "missing_field"),
                    (Self.body(fixture, extra: ["patientId": UUID().uuidString]), "invalid_field"),
                ]
                for (body, code) in cases {
                    let response = try await Self.book(client, body)
                    #expect(response.status == .badRequest, "\(String(buffer: body))")
                    #expect((try? response.decode(Refusal.self).error.code) == code, "\(String(buffer: body))")
                }
                let unknown = [Self.body(fixture, extra: ["practitioner": UUID().uuidString]), Self.body(fixture, extra: ["motive": UUID().uuidString])]
                for body in unknown {
                    #expect(try await Self.book(client, body).status == .notFound)
                }
                try await client.execute(uri: "/api/v1/appointments/\(UUID())", method: .get) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/appointments/\(UUID())/cancel", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")) { #expect($0.status == .notFound) }
                #expect(try await test.rows("SELECT id FROM appointments").isEmpty)
                #expect(try await test.rows("SELECT id FROM patients").count == 1)
            }
        }
    }

    @Test("every booking rule refuses with a 422 a person understands")
    func rules() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let phoneOnly = Motive(id: UUID(), departmentID: fixture.org.department.id, name: "Avis urgent", durationMinutes: 30, channels: [.phone])
            try await test.store.insert(phoneOnly)
            try await test.run("INSERT INTO opening_range_motives (range_id, motive_id) SELECT id, '\(phoneOnly.id.uuidString.lowercased())' FROM opening_ranges")
            try await app(test).test(.router) { client in
                let cases: [(ByteBuffer, String, String)] = [
                    (Self.body(fixture, referring: false), "referring_doctor_required", "referred you"),
                    (Self.body(fixture, extra: ["referringDoctor": UUID().uuidString]), "unknown_referring_doctor", "directory"),
                    (Self.body(fixture, start: "2026-11-23T09:00:00+01:00", motive: fixture.followUp), "known_patients_only", "already followed"),
                    (Self.body(fixture, motive: phoneOnly), "channel_not_allowed", "call the department"),
                    (Self.body(fixture, start: "2026-11-23T08:30:00+01:00"), "too_soon", "at least 1 hour ahead"),
                    (Self.body(fixture, start: "2026-11-23T07:00:00+01:00"), "in_the_past", "passed"),
                    (Self.body(fixture, start: "2027-03-01T09:00:00+01:00"), "too_far_ahead", "at most 90 days"),
                    (Self.body(fixture, start: "2026-11-23T13:00:00+01:00"), "not_an_opening", "no opening"),
                    (Self.body(fixture, start: "2026-11-23T09:10:00+01:00"), "not_an_opening", "no opening"),
                    (Self.body(fixture, patient: ["firstName": "Léa", "lastName": "Martin", "birthDate": "1992-05-14"]), "invalid_patient", "email address or a mobile"),
                    (Self.body(fixture, patient: ["firstName": "Léa", "lastName": "Martin", "birthDate": "1992-05-14", "email": "lea@"]), "invalid_patient", "email"),
                    (Self.body(fixture, extra: ["reason": String(repeating: "a", count: 1_001)]), "text_too_long", "too long"),
                ]
                for (body, code, words) in cases {
                    let response = try await Self.book(client, body)
                    #expect(response.status == .unprocessableContent, "\(code)")
                    let refusal = try response.decode(Refusal.self)
                    #expect(refusal.error.code == code)
                    #expect(refusal.error.message.contains(words), "\(refusal.error.message)")
                }
                // Staff channels need a signed-in member of staff.
                let phone = try await Self.book(client, Self.body(fixture, extra: ["channel": "phone"]))
                #expect(phone.status == .forbidden)
                #expect(try await test.rows("SELECT id FROM appointments").isEmpty)
                #expect(try await test.rows("SELECT id FROM patients").count == 1)
            }
        }
    }

    @Test("a visitor booking too often from one address gets 429 with Retry-After")
    func bookingRateLimit() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<21 {
                    statuses.append(try await Self.book(client, Self.body(fixture, start: "2026-11-23T08:00:00+01:00")).status)
                }
                #expect(statuses.prefix(20).allSatisfy { $0 == .unprocessableContent })
                let limited = try await Self.book(client, Self.body(fixture))
                #expect(limited.status == .tooManyRequests)
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            }
        }
    }

    @Test("a taken slot is a 409 with the next free slots")
    func taken() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                #expect(try await Self.book(client, Self.body(fixture)).status == .created)
                let again = try await Self.book(client, Self.body(fixture))
                #expect(again.status == .conflict)
                let refusal = try again.decode(Refusal.self)
                #expect(refusal.error.code == "slot_taken")
                #expect(refusal.error.nextSlots?.first?.start == "2026-11-23T09:30:00+01:00")
                #expect(refusal.error.nextSlots?.count == 5)
            }
        }
    }

    @Test("a slot packed right after another visit, once taken, is a 409 too (not 'no opening')")
    func takenAfterPacking() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            // A 15-minute follow-up at 09:00 makes the 30-minute first visits pack at 09:15, 09:45…
            try await test.store.insert(Appointment(
                id: UUID(), departmentID: fixture.org.department.id, motiveID: fixture.followUp.id, practitionerID: fixture.org.practitioner.id,
                patientID: fixture.org.patient.id, startsAt: BookingFixture.monday(9), endsAt: BookingFixture.monday(9, 15), channel: .phone,
                createdAt: Fixtures.now))
            try await app(test).test(.router) { client in
                #expect(try await Self.book(client, Self.body(fixture, start: "2026-11-23T09:15:00+01:00")).status == .created)
                let again = try await Self.book(client, Self.body(fixture, start: "2026-11-23T09:15:00+01:00"))
                #expect(again.status == .conflict)
                #expect(try again.decode(Refusal.self).error.nextSlots?.first?.start == "2026-11-23T09:45:00+01:00")
            }
        }
    }

    @Test("200 concurrent requests for one slot: exactly one 201, the rest 409 — with a 15- and a 30-minute motive racing")
    func stampede() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            // A 15-minute motive open to every patient races the 30-minute first visit.
            let renewal = Motive(id: UUID(), departmentID: fixture.org.department.id, name: "Renouvellement", durationMinutes: 15, channels: [.online])
            try await test.store.insert(renewal)
            try await test.run("INSERT INTO opening_range_motives (range_id, motive_id) SELECT id, '\(renewal.id.uuidString.lowercased())' FROM opening_ranges")
            try await test.withSecondInstance { otherStore in
                // Two server instances on one database (on SQLite: two pools on one file).
                // One address sends them all: per-address limits off, the database is what is tested.
                var one = test.dependencies(clock: .fixed(Fixtures.now)), two = test.dependencies(store: otherStore, clock: .fixed(Fixtures.now))
                one.limits = .off
                two.limits = .off
                let first = Application(router: buildRouter(one))
                let second = Application(router: buildRouter(two))
                try await first.test(.router) { one in
                    try await second.test(.router) { two in
                        let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                            for index in 0..<200 {
                                let body = index % 2 == 0
                                    ? Self.body(fixture, start: "2026-11-23T09:00:00+01:00")
                                    : Self.body(fixture, start: "2026-11-23T09:15:00+01:00", motive: renewal,
                                                patient: ["firstName": "Paul", "lastName": "Durand", "birthDate": "1970-01-02", "phone": "06 11 22 33 44"])
                                group.addTask {
                                    index % 4 < 2 ? try await Self.book(one, body).status : try await Self.book(two, body).status
                                }
                            }
                            return try await group.reduce(into: []) { $0.append($1) }
                        }
                        #expect(statuses.filter { $0 == .created }.count == 1)
                        #expect(statuses.filter { $0 == .conflict }.count == 199)
                    }
                }
            }
            #expect(try await test.rows("SELECT id FROM appointments").count == 1)
            // Only the winner's patient was created: the losers left nothing behind.
            #expect(try await test.rows("SELECT id FROM patients").count == 2)
        }
    }
}
