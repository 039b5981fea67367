import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// FHIR R4 at `/fhir` through the real router on a real database: the directory, agendas,
/// free slots, booking and cancelling, who sees which appointment, and OperationOutcome for
/// every refusal.
@Suite("FHIR: directory, slots, booking, appointments, errors")
struct FHIRTests {
    static let token = HTTPField.Name("Creneau-Manage-Token")!
    static let fhirJSON = "application/fhir+json; charset=utf-8"

    func app(_ test: TestDatabase, clock: Clock = .fixed(Fixtures.now)) -> some ApplicationProtocol {
        Application(router: buildRouter(test.dependencies(clock: clock)))
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func entries(_ bundle: [String: Any]) -> [[String: Any]] {
        ((bundle["entry"] as? [[String: Any]]) ?? []).compactMap { $0["resource"] as? [String: Any] }
    }

    /// The OperationOutcome's issue code and Creneau's code in its details.
    static func outcome(_ response: TestResponse) throws -> (issue: String, code: String, text: String) {
        #expect(response.headers[.contentType] == fhirJSON)
        let body = try json(response)
        #expect(body["resourceType"] as? String == "OperationOutcome")
        let issue = try #require((body["issue"] as? [[String: Any]])?.first)
        let details = try #require(issue["details"] as? [String: Any])
        let code = ((details["coding"] as? [[String: Any]])?.first?["code"] as? String) ?? ""
        return (issue["code"] as? String ?? "", code, details["text"] as? String ?? "")
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers)
    }

    /// An Appointment asking for `slot`, for a new patient described inside it, referred by the fixture's doctor.
    static func booking(slot: String, fixture: BookingFixture, referrer: Bool = true, family: String = "Martin") -> ByteBuffer {
        var participants: [[String: Any]] = [["actor": ["reference": "#p"], "status": "needs-action"]]
        if referrer {
            participants.append([
                "type": [["coding": [["system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "REF"]]]],
                "actor": ["identifier": ["system": "urn:creneau:referring-doctor", "value": fixture.doctor.id.uuidString.lowercased()]],
                "status": "accepted",
            ])
        }
        let body: [String: Any] = [
            "resourceType": "Appointment", "status": "booked",
            "contained": [["resourceType": "Patient", "id": "p", "name": [["family": family, "given": ["Léa"]]], "birthDate": "1992-05-14",
                           "telecom": [["system": "email", "value": "lea@example.org"]]]],
            "slot": [["reference": "Slot/\(slot)"]], "comment": "Essoufflement à l'effort", "participant": participants,
        ]
        return ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    static func post(_ client: some TestClientProtocol, _ body: ByteBuffer, headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = headers
        all[.contentType] = "application/fhir+json"
        return try await client.execute(uri: "/fhir/Appointment", method: .post, headers: all, body: body)
    }

    /// The fixture's Monday slots for `motive`, as a Slot search answers them.
    static func slots(_ client: some TestClientProtocol, _ fixture: BookingFixture, motive: Motive, day: Int = 23, count: Int = 50) async throws -> [[String: Any]] {
        let uri = "/fhir/Slot?schedule=Schedule/\(fixture.org.practitioner.id.uuidString.lowercased())&start=ge2026-11-\(day)&start=lt2026-11-\(day + 1)"
            + "&service-type=urn:creneau:motive|\(motive.id.uuidString.lowercased())&_count=\(count)"
        let response = try await get(client, uri)
        #expect(response.status == .ok)
        return entries(try json(response))
    }

    @Test("a slot id names practitioner, motive and start in 58 characters of FHIR's id alphabet, and reads back; any other text is no slot")
    func slotIDs() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let start = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 1_000_000_000...6_000_000_000, using: &random) / 60 * 60))
            let id = FHIRSlotID(practitionerID: UUID(), motiveID: UUID(), start: start)
            let text = id.text
            #expect(text.utf8.count == 58)
            #expect(text.utf8.allSatisfy { FHIRSlotID.alphabet.contains($0) })
            #expect(FHIRSlotID(text) == id)
            // One spelling per slot: a changed letter or padding bit is another slot or none, never the same one.
            var bytes = Array(text.utf8)
            bytes[21] = bytes[21] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            #expect(FHIRSlotID(String(decoding: bytes, as: UTF8.self)) != id)
        }
        for text in ["", "Slot", String(repeating: "a", count: 58), String(repeating: "é", count: 29), "0000000000000000000000-0000000000000000000000-209913312460",
                     "0000000000000000000000-0000000000000000000000-999912010000", "0000000000000000000000-0000000000000000000000-20261301000"] {
            #expect(FHIRSlotID(text) == nil, "\(text)")
        }
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...80, using: &random)
            let text = String(decoding: (0..<length).map { _ in UInt8.random(in: 32...126, using: &random) }, as: UTF8.self)
            _ = FHIRSlotID(text)
        }
    }

    @Test("the directory: Practitioner, PractitionerRole, HealthcareService, Location and Schedule share the JSON API's ids; searches page")
    func directory() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let org = fixture.org
            let practitioner = org.practitioner.id.uuidString.lowercased()
            try await app(test).test(.router) { client in
                let read = try await Self.get(client, "/fhir/Practitioner/\(practitioner)")
                #expect(read.status == .ok)
                #expect(read.headers[.contentType] == Self.fhirJSON)
                let body = try Self.json(read)
                #expect(body["resourceType"] as? String == "Practitioner" && body["id"] as? String == practitioner)
                let name = try #require((body["name"] as? [[String: Any]])?.first)
                #expect(name["family"] as? String == "Lefèvre" && (name["given"] as? [String]) == ["Bérénice"] && (name["prefix"] as? [String]) == ["Dr"])

                let role = try Self.json(try await Self.get(client, "/fhir/PractitionerRole/\(practitioner)"))
                #expect((role["healthcareService"] as? [[String: Any]])?.first?["reference"] as? String == "HealthcareService/\(org.department.id.uuidString.lowercased())")
                #expect((role["location"] as? [[String: Any]])?.first?["reference"] as? String == "Location/\(org.site.id.uuidString.lowercased())")
                let codes = ((role["specialty"] as? [[String: Any]])?.first?["coding"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
                #expect(codes == ["cardiologie"])
                // The national code where it is known (the GAP example's general practice), nothing invented elsewhere.
                #expect(FHIRMapping.specialty("medecine-generale")?.first?.coding?.map(\.code) == ["medecine-generale", "SM54"])
                #expect(FHIRMapping.nationalSpecialty("cardiologie") == nil)

                let schedule = try Self.json(try await Self.get(client, "/fhir/Schedule/\(practitioner)"))
                #expect((schedule["meta"] as? [String: Any])?["profile"] as? [String] == [FHIRMapping.scheduleProfile])
                #expect((schedule["actor"] as? [[String: Any]])?.first?["reference"] as? String == "Practitioner/\(practitioner)")

                let service = try Self.json(try await Self.get(client, "/fhir/HealthcareService/\(org.department.id.uuidString.lowercased())"))
                #expect(service["name"] as? String == "Cardiologie")
                let location = try Self.json(try await Self.get(client, "/fhir/Location/\(org.site.id.uuidString.lowercased())"))
                #expect(location["name"] as? String == "Hôpital Test" && location["status"] as? String == "active")

                // Searches: by name (accents aside), by specialty (the hospital's or the national code), by site.
                for uri in ["/fhir/Practitioner?name=lefevre", "/fhir/PractitionerRole?specialty=cardiologie", "/fhir/PractitionerRole?location=Location/\(org.site.id.uuidString)",
                            "/fhir/Schedule?actor=Practitioner/\(practitioner)", "/fhir/HealthcareService?specialty=urn:creneau:specialty|cardiologie",
                            "/fhir/Location?address-city=par"] {
                    let bundle = try Self.json(try await Self.get(client, uri))
                    #expect(bundle["type"] as? String == "searchset" && bundle["total"] as? Int == 1, "\(uri)")
                }
                #expect(try Self.json(try await Self.get(client, "/fhir/Practitioner?name=dupuis"))["total"] as? Int == 0)

                // Unknown ids, malformed ids, unknown parameters: an OperationOutcome each.
                for uri in ["/fhir/Practitioner/\(UUID().uuidString)", "/fhir/Location/not-an-id", "/fhir/Schedule/\(UUID().uuidString)", "/fhir/Slot/nothing"] {
                    let response = try await Self.get(client, uri)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(try Self.outcome(response).issue == "not-found")
                }
                let unsupported = try await Self.get(client, "/fhir/Practitioner?family=lefevre")
                #expect(unsupported.status == .badRequest)
                #expect(try Self.outcome(unsupported).issue == "not-supported")
                let badCount = try await Self.get(client, "/fhir/Location?_count=100000")
                #expect(badCount.status == .badRequest)
                #expect(try Self.outcome(badCount).text.contains("_count"))
            }
        }
    }

    @Test("metadata lists each resource with its interactions, and each listed read and search answers")
    func capability() async throws {
        try await TestDatabase.with { test in
            _ = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let response = try await Self.get(client, "/fhir/metadata")
                #expect(response.status == .ok)
                let statement = try Self.json(response)
                #expect(statement["resourceType"] as? String == "CapabilityStatement" && statement["fhirVersion"] as? String == "4.0.1")
                let resources = try #require(((statement["rest"] as? [[String: Any]])?.first?["resource"]) as? [[String: Any]])
                let types = resources.compactMap { $0["type"] as? String }
                #expect(types == ["Practitioner", "PractitionerRole", "HealthcareService", "Location", "Schedule", "Slot", "Appointment"])
                for resource in resources {
                    let type = try #require(resource["type"] as? String)
                    let interactions = (resource["interaction"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                    #expect(interactions.contains("read") && interactions.contains("search-type"))
                    // A route exists for each: an unknown id is the resource's 404, not the router's.
                    let read = try await Self.get(client, "/fhir/\(type)/\(UUID().uuidString)")
                    #expect(read.status == .notFound)
                    #expect(try Self.outcome(read).text.contains(type) || type == "Slot" || type == "Appointment", "\(type)")
                }
            }
        }
    }

    @Test("Slot search: a practitioner's free slots per motive, with the GAP profile, start ranges, paging links; bad ranges are 400")
    func slotSearch() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let first = try await Self.slots(client, fixture, motive: fixture.org.motive)
                #expect(first.count == 6)
                let slot = try #require(first.first)
                #expect(slot["start"] as? String == "2026-11-23T09:00:00+01:00" && slot["end"] as? String == "2026-11-23T09:30:00+01:00")
                #expect(slot["status"] as? String == "free")
                #expect((slot["meta"] as? [String: Any])?["profile"] as? [String] == [FHIRMapping.slotProfile])
                #expect((slot["schedule"] as? [String: Any])?["reference"] as? String == "Schedule/\(fixture.org.practitioner.id.uuidString.lowercased())")
                let slotID = try #require(slot["id"] as? String)
                let id = try #require(FHIRSlotID(slotID))
                #expect(id.motiveID == fixture.org.motive.id && id.practitionerID == fixture.org.practitioner.id && id.start == BookingFixture.monday(9))

                // Both motives, soonest first; the follow-up's quarter hours among them.
                let schedule = "Schedule/\(fixture.org.practitioner.id.uuidString.lowercased())"
                let all = try Self.json(try await Self.get(client, "/fhir/Slot?schedule=\(schedule)&start=ge2026-11-23T10:00:00%2B01:00&start=lt2026-11-23T11:00:00%2B01:00&_count=3"))
                #expect(all["total"] as? Int == 6)
                #expect(Self.entries(all).count == 3)
                let next = try #require((all["link"] as? [[String: Any]])?.first { $0["relation"] as? String == "next" }?["url"] as? String)
                let fhir = try #require(next.range(of: "/fhir/"))
                let path = String(next[fhir.lowerBound...])
                let second = try Self.json(try await Self.get(client, path))
                #expect(Self.entries(second).count == 3)
                #expect((second["link"] as? [[String: Any]])?.contains { $0["relation"] as? String == "next" } == false)
                #expect(try Self.json(try await Self.get(client, "/fhir/Slot?schedule=\(schedule)&status=busy"))["total"] as? Int == 0)

                for (uri, phrase) in [("/fhir/Slot", "schedule"), ("/fhir/Slot?schedule=\(schedule)&start=ge2026-11-23&start=lt2027-01-23", "31 days"),
                                      ("/fhir/Slot?schedule=\(schedule)&start=ge9999-01-01", "five years"), ("/fhir/Slot?schedule=\(schedule)&start=xx2026-11-23", "prefixes"),
                                      ("/fhir/Slot?schedule=Practitioner/\(UUID().uuidString)", "Schedule"), ("/fhir/Slot?schedule=\(schedule)&status=open", "status")] {
                    let response = try await Self.get(client, uri)
                    #expect(response.status == .badRequest, "\(uri)")
                    let text = try Self.outcome(response).text
                    #expect(text.contains(phrase), "\(uri): \(text)")
                }
            }
        }
    }

    @Test("booking by POST /fhir/Appointment: 201 with Location and the manage token; the slot is gone; taken is 409, a rule 422; cancelled by update")
    func booking() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let slot = try #require(try await Self.slots(client, fixture, motive: fixture.org.motive, day: 24).first?["id"] as? String)
                let booked = try await Self.post(client, Self.booking(slot: slot, fixture: fixture))
                #expect(booked.status == .created, "\(booked.text)")
                let appointment = try Self.json(booked)
                let id = try #require(appointment["id"] as? String)
                // Absolute: the public address when configured (CRENEAU_PUBLIC_URL), else the one the client used.
                #expect(booked.headers[.location] == "http://localhost/fhir/Appointment/\(id)")
                #expect(appointment["status"] as? String == "booked" && appointment["start"] as? String == "2026-11-24T09:00:00+01:00")
                #expect((appointment["meta"] as? [String: Any])?["profile"] as? [String] == [FHIRMapping.appointmentProfile])
                let token = try #require(booked.headers[Self.token])
                // The same appointment through the JSON API: one booking path, one id.
                try await client.execute(uri: "/api/v1/appointments/\(id)", method: .get, headers: [Self.token: token]) { #expect($0.status == .ok) }
                #expect(try await Self.slots(client, fixture, motive: fixture.org.motive, day: 24).count == 5)
                #expect(try await Self.get(client, "/fhir/Slot/\(slot)").status == .notFound)

                // Read: with the token only.
                #expect(try await Self.get(client, "/fhir/Appointment/\(id)").status == .notFound)
                let read = try await Self.get(client, "/fhir/Appointment/\(id)", headers: [Self.token: token])
                #expect(read.status == .ok)
                #expect(try Self.json(read)["comment"] as? String == "Essoufflement à l'effort")

                // The same slot again: taken (409, conflict); a known-patients motive for a new patient: a rule (422).
                let again = try await Self.post(client, Self.booking(slot: slot, fixture: fixture, family: "Durand"))
                #expect(again.status == .conflict)
                let taken = try Self.outcome(again)
                #expect(taken.issue == "conflict" && taken.code == "slot_taken")
                let followUp = try #require(try await Self.slots(client, fixture, motive: fixture.followUp, day: 24).first?["id"] as? String)
                let refused = try await Self.post(client, Self.booking(slot: followUp, fixture: fixture, family: "Petit"))
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                #expect(try Self.outcome(refused).issue == "business-rule")
                #expect(try Self.outcome(refused).code != "")

                // Bad bodies: 400 or 422 with an OperationOutcome, nothing written.
                for (body, status) in [("{", HTTPResponse.Status.badRequest), (#"{"resourceType":"Patient"}"#, .badRequest),
                                       (#"{"resourceType":"Appointment","slot":[{"reference":"Slot/x"}]}"#, .unprocessableContent),
                                       (#"{"resourceType":"Appointment","status":"fulfilled"}"#, .unprocessableContent)] {
                    let response = try await Self.post(client, ByteBuffer(string: body))
                    #expect(response.status == status, "\(body)")
                    _ = try Self.outcome(response)
                }
                #expect(try await Self.slots(client, fixture, motive: fixture.org.motive, day: 24).count == 5)

                // Cancelled by an update of its status, with the token (a day ahead: before the motive's cut-off); the slot is free again.
                var changed = try Self.json(read)
                changed["status"] = "cancelled"
                let body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: changed))
                #expect(try await client.execute(uri: "/fhir/Appointment/\(id)", method: .put, headers: [.contentType: "application/fhir+json"], body: body).status == .notFound)
                let cancelled = try await client.execute(uri: "/fhir/Appointment/\(id)", method: .put,
                                                         headers: [.contentType: "application/fhir+json", Self.token: token], body: body)
                #expect(cancelled.status == .ok, "\(cancelled.text)")
                #expect(try Self.json(cancelled)["status"] as? String == "cancelled")
                #expect(try await Self.slots(client, fixture, motive: fixture.org.motive, day: 24).count == 6)
                changed["status"] = "entered-in-error"
                let wrong = try await client.execute(uri: "/fhir/Appointment/\(id)", method: .put, headers: [.contentType: "application/fhir+json", Self.token: token],
                                                     body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: changed)))
                #expect(wrong.status == .unprocessableContent)
            }
        }
    }

    @Test("an Idempotency-Key makes a resent booking answer the first one, never a second appointment")
    func idempotentBooking() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await app(test).test(.router) { client in
                let slot = try #require(try await Self.slots(client, fixture, motive: fixture.org.motive).first?["id"] as? String)
                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: UUID().uuidString]
                let first = try await Self.post(client, Self.booking(slot: slot, fixture: fixture), headers: key)
                let second = try await Self.post(client, Self.booking(slot: slot, fixture: fixture), headers: key)
                #expect(first.status == .created && second.status == .created)
                #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(try Self.json(first)["id"] as? String == Self.json(second)["id"] as? String)
                #expect(second.headers[Self.token] == first.headers[Self.token])
            }
        }
    }

    @Test("appointment search: a visitor is told to sign in; staff read one practitioner's agenda over a range")
    func appointmentSearch() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            try await app(test).test(.router) { client in
                let slot = try #require(try await Self.slots(client, fixture, motive: fixture.org.motive).first?["id"] as? String)
                let booked = try Self.json(try await Self.post(client, Self.booking(slot: slot, fixture: fixture)))
                let visitor = try await Self.get(client, "/fhir/Appointment?date=ge2026-11-23")
                #expect(visitor.status == .unauthorized)
                #expect(try Self.outcome(visitor).issue == "login")

                let bearer = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: Fixtures.now)).decode(AuthAPITests.Token.self).token
                let headers: HTTPFields = [.authorization: "Bearer \(bearer)"]
                let practitioner = "Practitioner/\(fixture.org.practitioner.id.uuidString.lowercased())"
                let found = try Self.json(try await Self.get(client, "/fhir/Appointment?practitioner=\(practitioner)&date=ge2026-11-23&date=lt2026-11-30", headers: headers))
                #expect(found["total"] as? Int == 1)
                #expect(Self.entries(found).first?["id"] as? String == booked["id"] as? String)
                let empty = try Self.json(try await Self.get(client, "/fhir/Appointment?practitioner=\(practitioner)&date=ge2026-11-24&date=lt2026-11-30", headers: headers))
                #expect(empty["total"] as? Int == 0)
                let missing = try await Self.get(client, "/fhir/Appointment?date=ge2026-11-23", headers: headers)
                #expect(missing.status == .badRequest)
                #expect(try Self.outcome(missing).text.contains("practitioner"))
                // Staff read any appointment of their department without a token.
                #expect(try await Self.get(client, "/fhir/Appointment/\(booked["id"] as? String ?? "")", headers: headers).status == .ok)
            }
        }
    }

    @Test("a patient account books for itself through FHIR and finds only its people's appointments; a referring doctor finds their referrals, another doctor nothing")
    func accountsAndReferrers() async throws {
        typealias Accounts = PatientAccountsAPITests
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            let matrix = AccessMatrixTests()
            let referrer = try await matrix.account(test, email: "dupont@ville.test", role: .referringDoctor, scope: .everywhere, referringDoctor: fixture.doctor.id)
            let other = ReferringDoctor(id: UUID(), nationalID: "810000000778", firstName: "Anne", lastName: "Roux", profession: "Médecin")
            try await test.store.insert(other)
            let otherReferrer = try await matrix.account(test, email: "roux@ville.test", role: .referringDoctor, scope: .everywhere, referringDoctor: other.id)
            var dependencies = test.dependencies(mailer: mailer)
            dependencies.limits = .off
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                // A patient account, signed in with its emailed code.
                let email = "lea.martin@example.org"
                #expect(try await Accounts.post(client, "/api/v1/accounts", Accounts.signUpBody(email)).status == .accepted)
                let link = try #require(mailer.lastLinkParameter("token", to: email))
                #expect(try await Accounts.post(client, "/api/v1/accounts/verify", ["token": link]).status == .ok)
                let challenge = try await Accounts.post(client, "/api/v1/sessions", ["email": email, "password": Accounts.password]).decode(Accounts.Challenge.self)
                let code = try #require(mailer.lastCode(to: email))
                let token = try await Accounts.post(client, "/api/v1/sessions/challenge", ["challenge": challenge.challenge, "code": code]).decode(Accounts.SignedIn.self).token
                let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
                let people = try JSONSerialization.jsonObject(with: Data(buffer: try await client.execute(uri: "/api/v1/me/patients", method: .get, headers: bearer).body)) as? [[String: Any]]
                let selfID = try #require(people?.first?["id"] as? String)

                // Booked for herself through FHIR (Patient/{id} of her account), with her referring doctor.
                let slots = try await Self.slots(client, fixture, motive: fixture.org.motive, day: 24)
                let slot = try #require(slots.first?["id"] as? String)
                let body: [String: Any] = [
                    "resourceType": "Appointment", "status": "booked", "slot": [["reference": "Slot/\(slot)"]],
                    "participant": [["actor": ["reference": "Patient/\(selfID)"], "status": "accepted"],
                                    ["type": [["coding": [["code": "REF"]]]], "status": "accepted",
                                     "actor": ["identifier": ["system": "urn:creneau:referring-doctor", "value": fixture.doctor.id.uuidString.lowercased()]]]],
                ]
                var headers = bearer
                headers[.contentType] = "application/fhir+json"
                let booked = try await client.execute(uri: "/fhir/Appointment", method: .post, headers: headers,
                                                      body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
                #expect(booked.status == .created, "\(booked.text)")
                let id = try #require(try Self.json(booked)["id"] as? String)
                // Someone else's booking, by a visitor referred by the same doctor, on another slot.
                let visitor = try await Self.post(client, Self.booking(slot: try #require(slots.dropFirst().first?["id"] as? String), fixture: fixture, family: "Durand"))
                #expect(visitor.status == .created)
                let visitorID = try #require(try Self.json(visitor)["id"] as? String)

                let mine = try Self.json(try await Self.get(client, "/fhir/Appointment", headers: bearer))
                #expect(Self.entries(mine).map { $0["id"] as? String } == [id])
                #expect(try Self.json(try await Self.get(client, "/fhir/Appointment?patient=Patient/\(UUID().uuidString)", headers: bearer))["total"] as? Int == 0)
                #expect(try Self.json(try await Self.get(client, "/fhir/Appointment?status=cancelled", headers: bearer))["total"] as? Int == 0)

                let doctor = try await matrix.token(client, referrer)
                let referred = try Self.json(try await Self.get(client, "/fhir/Appointment", headers: [.authorization: "Bearer \(doctor)"]))
                #expect(Self.entries(referred).map { $0["id"] as? String } == [id, visitorID])
                let participants = Self.entries(referred).first?["participant"] as? [[String: Any]] ?? []
                #expect(participants.contains { (($0["actor"] as? [String: Any])?["identifier"] as? [String: Any])?["value"] as? String == fixture.doctor.id.uuidString.lowercased() })
                let stranger = try await matrix.token(client, otherReferrer)
                #expect(try Self.json(try await Self.get(client, "/fhir/Appointment", headers: [.authorization: "Bearer \(stranger)"]))["total"] as? Int == 0)
                #expect(try await Self.get(client, "/fhir/Appointment/\(id)", headers: [.authorization: "Bearer \(stranger)"]).status == .notFound)
            }
        }
    }
}
