import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every resource type the FHIR surface writes, read by real validators: fhirkit for R4 core
/// and pyfhircheck for the ANS GAP 3.0.0 profiles (`scripts/fhir-validate.py`). 0 errors.
@Suite("FHIR: every resource the server writes validates against R4 core and the GAP profiles",
       .enabled(if: FHIRValidatorPeer.available, Comment(rawValue: FHIRValidatorPeer.missing)))
struct FHIRValidationTests {
    typealias F = FHIRTests

    @Test("metadata, the directory, Schedule, Slot, Appointment (booked, referred, cancelled), search bundles and OperationOutcomes: 0 errors")
    func validates() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-fhir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        @Sendable func keep(_ name: String, _ response: TestResponse) {
            #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent(name + ".json").path, contents: Data(buffer: response.body)))
        }

        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let org = fixture.org
            let practitioner = org.practitioner.id.uuidString.lowercased()
            let staff = try await AuthAPITests().secretary(test, department: org.department.id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                for (name, uri) in [
                    ("metadata", "/fhir/metadata"), ("practitioner", "/fhir/Practitioner/\(practitioner)"),
                    ("practitioner-role", "/fhir/PractitionerRole/\(practitioner)"), ("schedule", "/fhir/Schedule/\(practitioner)"),
                    ("healthcare-service", "/fhir/HealthcareService/\(org.department.id.uuidString.lowercased())"),
                    ("location", "/fhir/Location/\(org.site.id.uuidString.lowercased())"),
                    ("bundle-practitioners", "/fhir/Practitioner?name=lefevre"), ("bundle-roles", "/fhir/PractitionerRole?specialty=cardiologie"),
                    ("bundle-services", "/fhir/HealthcareService"), ("bundle-locations", "/fhir/Location"), ("bundle-schedules", "/fhir/Schedule"),
                    ("bundle-slots", "/fhir/Slot?schedule=Schedule/\(practitioner)&start=ge2026-11-24&start=lt2026-11-25&_count=5"),
                    ("outcome-not-found", "/fhir/Practitioner/\(UUID().uuidString)"), ("outcome-bad-request", "/fhir/Slot"),
                ] {
                    let response = try await F.get(client, uri)
                    #expect(response.status.code < 500, "\(uri)")
                    keep(name, response)
                }
                let slots = try await F.slots(client, fixture, motive: org.motive, day: 24)
                let first = try #require(slots.first?["id"] as? String), second = try #require(slots.dropFirst().first?["id"] as? String)
                keep("slot", try await F.get(client, "/fhir/Slot/\(first)"))

                let booked = try await F.post(client, F.booking(slot: first, fixture: fixture))
                #expect(booked.status == .created)
                keep("appointment-booked", booked)
                keep("outcome-taken", try await F.post(client, F.booking(slot: first, fixture: fixture, family: "Durand")))
                let followUp = try #require(try await F.slots(client, fixture, motive: fixture.followUp, day: 24).first?["id"] as? String)
                keep("outcome-rule", try await F.post(client, F.booking(slot: followUp, fixture: fixture, family: "Petit")))

                let other = try await F.post(client, F.booking(slot: second, fixture: fixture, family: "Roux"))
                let id = try #require(try F.json(other)["id"] as? String), token = try #require(other.headers[F.token])
                var changed = try F.json(other)
                changed["status"] = "cancelled"
                keep("appointment-cancelled", try await client.execute(
                    uri: "/fhir/Appointment/\(id)", method: .put, headers: [.contentType: "application/fhir+json", F.token: token],
                    body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: changed))))

                let bearer = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: Fixtures.now)).decode(AuthAPITests.Token.self).token
                keep("bundle-appointments", try await F.get(client, "/fhir/Appointment?practitioner=Practitioner/\(practitioner)&date=ge2026-11-24&date=lt2026-11-25",
                                                            headers: [.authorization: "Bearer \(bearer)"]))
            }
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(written.count == 20)
        let (status, report) = try await FHIRValidatorPeer.validate(folder)
        #expect(status == 0, "\(report)")
        #expect(report.contains("FHIR validation: \(written.count) passed, 0 failed"), "\(report)")
    }

    @Test("the $bulk-publish files (Location, Schedule, Slot with SMART's extensions): 0 errors")
    func bulkFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-bulk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestDatabase.with { test in
            _ = try await BookingFixture.make(in: test.store)
            let dependencies = test.dependencies()
            try await #require(dependencies.slotPublication).refresh()
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                for file in ["Location", "Schedule", "Slot"] {
                    let response = try await F.get(client, "/fhir/$bulk-publish/\(file).ndjson")
                    #expect(response.status == .ok && response.body.readableBytes > 0)
                    #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent(file + ".ndjson").path, contents: Data(buffer: response.body)))
                }
            }
        }
        let (status, report) = try await FHIRValidatorPeer.validate(folder, allowing: [FHIRController.deepLinkExtension, FHIRController.capacityExtension])
        #expect(status == 0, "\(report)")
        #expect(report.contains(" 0 failed") && !report.contains(" 0 passed"), "\(report)")
    }
}
