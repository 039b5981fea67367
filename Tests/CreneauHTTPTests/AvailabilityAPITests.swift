import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The availability contract (README.md, "API v1"), through the real router on a real database.
@Suite("API: practitioners, motives, availability, search")
struct AvailabilityAPITests {
    /// Dr Bérénice Lefèvre, cardiology, weekdays 09:00–12:00; a 30-minute first visit needing the room.
    func setUp(_ test: TestDatabase) async throws -> Fixtures.Organisation {
        let org = try await Fixtures.organisation(in: test.store)
        let ranges = (1...5).map { OpeningRange(id: UUID(), weekday: $0, startMinute: 540, endMinute: 720, motiveIDs: [org.motive.id], channels: .all) }
        try await test.store.insert(ScheduleTemplate(id: UUID(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                                                     validFrom: Fixtures.today.adding(days: -30), ranges: ranges))
        return org
    }

    struct Slots: Decodable {
        struct Slot: Decodable { let start: String; let end: String }
        let slots: [Slot]
        let timeZone: String
    }

    func app(_ test: TestDatabase) -> some ApplicationProtocol { Application(router: buildRouter(test.dependencies())) }

    func availabilityURI(_ org: Fixtures.Organisation, _ extra: String = "") -> String {
        "/api/v1/availability?practitioner=\(org.practitioner.id)&motive=\(org.motive.id)&from=2026-11-23&days=1\(extra)"
    }

    @Test("practitioner search ignores accents and case, filters by specialty and site")
    func practitionerSearch() async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            try await app(test).test(.router) { client in
                for uri in ["/api/v1/practitioners?q=berenice", "/api/v1/practitioners?q=LEFEVRE&specialty=cardiologie",
                            "/api/v1/practitioners?site=\(org.site.slug)", "/api/v1/practitioners?site=\(org.site.id)"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .ok, "\(uri)")
                        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                        let list = json["practitioners"] as! [[String: Any]]
                        #expect(list.count == 1, "\(uri)")
                        #expect(list.first?["id"] as? String == org.practitioner.id.uuidString.lowercased())
                        #expect(list.first?["name"] as? String == "Dr Bérénice Lefèvre")
                        #expect((list.first?["sites"] as? [[String: Any]])?.first?["name"] as? String == "Hôpital Test")
                        #expect((list.first?["departments"] as? [[String: Any]])?.first?["name"] as? String == "Cardiologie")
                    }
                }
                try await client.execute(uri: "/api/v1/practitioners?specialty=pediatrie", method: .get) { response in
                    #expect(response.text == #"{"practitioners":[]}"#)
                }
                try await client.execute(uri: "/api/v1/practitioners?site=nowhere", method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test("motives list the contract's fields")
    func motives() async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            try await app(test).test(.router) { client in
                try await client.execute(uri: "/api/v1/practitioners/\(org.practitioner.id)/motives", method: .get) { response in
                    #expect(response.status == .ok)
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                    let motive = try #require((json["motives"] as? [[String: Any]])?.first)
                    #expect(motive["name"] as? String == "Première consultation")
                    #expect(motive["durationMinutes"] as? Int == 30)
                    #expect(motive["channels"] as? [String] == ["online", "phone"])
                    #expect(motive["patients"] as? String == "new")
                    #expect(motive["instructions"] as? String == "Apportez votre ECG.")
                }
                try await client.execute(uri: "/api/v1/practitioners/\(UUID())/motives", method: .get) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/practitioners/not-an-id/motives", method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test("availability answers slots with the site's UTC offset")
    func availability() async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            try await app(test).test(.router) { client in
                try await client.execute(uri: availabilityURI(org), method: .get) { response in
                    #expect(response.status == .ok)
                    let answer = try response.decode(Slots.self)
                    #expect(answer.timeZone == "Europe/Paris")
                    #expect(answer.slots.map(\.start) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"].map { "2026-11-23T\($0):00+01:00" })
                    #expect(answer.slots.first?.end == "2026-11-23T09:30:00+01:00")
                }
            }
        }
    }

    @Test("a booking or a cancellation shows in the very next answer")
    func freshness() async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            let start = Fixtures.today.instant(atMinute: 600, in: TimeZone(identifier: "Europe/Paris")!)
            let booked = Appointment(id: UUID(), departmentID: org.department.id, motiveID: org.motive.id, practitionerID: org.practitioner.id,
                                     patientID: org.patient.id, resourceIDs: [org.room.id], startsAt: start, endsAt: start.addingTimeInterval(1_800),
                                     channel: .phone, createdAt: Fixtures.now)
            try await app(test).test(.router) { client in
                try await test.store.insert(booked)
                try await client.execute(uri: availabilityURI(org), method: .get) { response in
                    let starts = try response.decode(Slots.self).slots.map(\.start)
                    #expect(!starts.contains("2026-11-23T10:00:00+01:00"))
                    #expect(starts.contains("2026-11-23T10:30:00+01:00"))
                }
                var cancelled = booked
                cancelled.status = .cancelled
                cancelled.cancelledBy = .patient
                try await test.store.update(cancelled)
                try await client.execute(uri: availabilityURI(org), method: .get) { response in
                    let starts = try response.decode(Slots.self).slots.map(\.start)
                    #expect(starts.contains("2026-11-23T10:00:00+01:00"))
                }
            }
        }
    }

    @Test("bad parameters get 400, unknown ids 404, staff channels 403", arguments: [
        ("&days=0", 400), ("&days=91", 400), ("&days=two", 400), ("&from=2026-02-30", 400), ("&from=23/11/2026", 400),
        ("&channel=fax", 400), ("&channel=phone", 403), ("&channel=referral", 403),
    ])
    func badParameters(extra: String, status: Int) async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            try await app(test).test(.router) { client in
                let uri = "/api/v1/availability?practitioner=\(org.practitioner.id)&motive=\(org.motive.id)" + extra
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status.code == status, "\(uri)")
                    let payload = try response.decode(ErrorPayload.self)
                    #expect(payload.error.message.count > 10)
                }
            }
        }
    }

    @Test("unknown or malformed ids")
    func ids() async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            try await app(test).test(.router) { client in
                let cases: [(String, HTTPResponse.Status)] = [
                    ("/api/v1/availability?motive=\(org.motive.id)", .badRequest),
                    ("/api/v1/availability?practitioner=12&motive=\(org.motive.id)", .badRequest),
                    ("/api/v1/availability?practitioner=\(UUID())&motive=\(org.motive.id)", .notFound),
                    ("/api/v1/availability?practitioner=\(org.practitioner.id)&motive=\(UUID())", .notFound),
                ]
                for (uri, status) in cases {
                    try await client.execute(uri: uri, method: .get) { response in #expect(response.status == status, "\(uri)") }
                }
            }
        }
    }

    @Test("search lists a specialty's practitioners with their first free slots")
    func search() async throws {
        try await TestDatabase.with { test in
            let org = try await setUp(test)
            try await app(test).test(.router) { client in
                try await client.execute(uri: "/api/v1/search?specialty=cardiologie", method: .get) { response in
                    #expect(response.status == .ok)
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                    let results = try #require(json["results"] as? [[String: Any]])
                    #expect(results.count == 1)
                    #expect((results[0]["practitioner"] as? [String: Any])?["id"] as? String == org.practitioner.id.uuidString.lowercased())
                    #expect((results[0]["slots"] as? [[String: Any]])?.first?["start"] as? String == "2026-11-23T09:00:00+01:00")
                    #expect((results[0]["slots"] as? [[String: Any]])?.count == 4)
                }
                try await client.execute(uri: "/api/v1/search", method: .get) { response in
                    #expect(response.status == .badRequest)
                }
            }
        }
    }
}

@Suite("RFC 3339 with the site's offset")
struct RFC3339Tests {
    @Test("local times with their offset, either side of the DST change, and far dates")
    func format() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_417_200), in: paris) == "2026-11-23T08:00:00+01:00")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_774_767_600), in: paris) == "2026-03-29T09:00:00+02:00")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0), in: TimeZone(identifier: "America/New_York")!) == "1969-12-31T19:00:00-05:00")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 4_102_444_799), in: TimeZone(identifier: "UTC")!) == "2099-12-31T23:59:59+00:00")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_417_200), in: TimeZone(identifier: "Asia/Kolkata")!) == "2026-11-23T12:30:00+05:30")
    }
}
