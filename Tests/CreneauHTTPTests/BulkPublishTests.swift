import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// SMART Scheduling Links (`GET /fhir/$bulk-publish`): the manifest, the three NDJSON files,
/// incremental pulls with `_since`, `ETag` / `If-None-Match`, and the publication following a
/// booking.
@Suite("FHIR: $bulk-publish for aggregators")
struct BulkPublishTests {
    typealias F = FHIRTests

    static func lines(_ response: TestResponse) throws -> [[String: Any]] {
        try String(buffer: response.body).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func extensionValue(_ slot: [String: Any], _ url: String) -> Any? {
        (slot["extension"] as? [[String: Any]])?.first { $0["url"] as? String == url }.flatMap { $0["valueUrl"] ?? $0["valueInteger"] }
    }

    @Test("the manifest names Location, Schedule and Slot files; slots are a practitioner's free days per online motive, with capacity and the booking link")
    func publication() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let clock = MovableClock()
            let dependencies = test.dependencies(clock: clock.clock)
            let publication = try #require(dependencies.slotPublication)
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let manifest = try await F.get(client, "/fhir/$bulk-publish")
                #expect(manifest.status == .ok)
                let body = try F.json(manifest)
                let outputs = try #require(body["output"] as? [[String: Any]])
                #expect(outputs.compactMap { $0["type"] as? String } == ["Location", "Schedule", "Slot"])
                #expect(body["transactionTime"] as? String == "2026-11-23T06:59:59Z")
                let tag = try #require(manifest.headers[.eTag])
                #expect(try await F.get(client, "/fhir/$bulk-publish", headers: [.ifNoneMatch: tag]).status == .notModified)

                // Nothing is published before the first pass.
                #expect(try Self.lines(try await F.get(client, "/fhir/$bulk-publish/Slot.ndjson")).isEmpty)
                let first = try await publication.refresh()
                #expect(first == (recomputed: 1, changed: 1))
                #expect(try await publication.refresh() == (recomputed: 0, changed: 0))
                // An instance that starts now (a restart, a second one) finds what was computed, and recomputes nothing.
                let restarted = SlotPublication(directory: CachedDirectory(store: test.store, clock: clock.clock), agendas: test.store,
                                                repository: test.store, clock: clock.clock)
                #expect(try await restarted.refresh() == (recomputed: 0, changed: 0))
                // The publication moved: the old ETag no longer matches.
                #expect(try await F.get(client, "/fhir/$bulk-publish", headers: [.ifNoneMatch: tag]).status == .ok)

                let locations = try Self.lines(try await F.get(client, "/fhir/$bulk-publish/Location.ndjson"))
                #expect(locations.map { $0["id"] as? String } == [fixture.org.site.id.uuidString.lowercased()])
                let schedules = try Self.lines(try await F.get(client, "/fhir/$bulk-publish/Schedule.ndjson"))
                #expect(schedules.count == 1)
                #expect((schedules.first?["actor"] as? [[String: Any]])?.contains { $0["reference"] as? String == "Location/\(fixture.org.site.id.uuidString.lowercased())" } == true)

                let file = try await F.get(client, "/fhir/$bulk-publish/Slot.ndjson")
                #expect(file.headers[.contentType] == "application/fhir+ndjson")
                let slots = try Self.lines(file)
                // Weekdays from today for the first visit (new patients, online); the follow-up (known patients) is not published.
                let days = slots.compactMap { ($0["start"] as? String)?.prefix(10) }
                #expect(days.first == "2026-11-23" && days.dropFirst().first == "2026-11-24")
                #expect(Set(days).count == days.count)
                let monday = try #require(slots.first)
                #expect(monday["start"] as? String == "2026-11-23T09:00:00+01:00" && monday["end"] as? String == "2026-11-23T12:00:00+01:00")
                #expect(Self.extensionValue(monday, FHIRController.capacityExtension) as? Int == 6)
                let link = try #require(Self.extensionValue(monday, FHIRController.deepLinkExtension) as? String)
                #expect(link == "https://rdv.avoine.example/practitioners/\(fixture.org.practitioner.id.uuidString.lowercased())?motive=\(fixture.org.motive.id.uuidString.lowercased())&from=2026-11-23")
                let text = try #require(monday["id"] as? String)
                let id = try #require(FHIRSlotID(text))
                #expect(id.start == BookingFixture.monday(9) && id.motiveID == fixture.org.motive.id)
                #expect(slots.allSatisfy { (($0["serviceType"] as? [[String: Any]])?.first?["coding"] as? [[String: Any]])?.first?["code"] as? String == fixture.org.motive.id.uuidString.lowercased() })

                // A booking on Tuesday: the next pass republishes the practitioner, and an incremental pull from the
                // manifest's transactionTime lists them with one visit fewer that day.
                clock.advance(by: 5)
                let since = try #require(try F.json(try await F.get(client, "/fhir/$bulk-publish"))["transactionTime"] as? String)
                clock.advance(by: 5)
                #expect(try Self.lines(try await F.get(client, "/fhir/$bulk-publish/Slot.ndjson?_since=\(since)")).isEmpty)
                let tuesday = try #require(try await F.slots(client, fixture, motive: fixture.org.motive, day: 24).first?["id"] as? String)
                #expect(try await F.post(client, F.booking(slot: tuesday, fixture: fixture)).status == .created)
                #expect(try await publication.refresh() == (recomputed: 1, changed: 1))
                // The other instance sees the agenda moved, recomputes it, and finds it published already.
                #expect(try await restarted.refresh() == (recomputed: 1, changed: 0))
                let changed = try Self.lines(try await F.get(client, "/fhir/$bulk-publish/Slot.ndjson?_since=\(since)"))
                #expect(changed.count == slots.count)
                let tuesdayRow = try #require(changed.first { ($0["start"] as? String)?.hasPrefix("2026-11-24") == true })
                #expect(Self.extensionValue(tuesdayRow, FHIRController.capacityExtension) as? Int == 5)
                #expect(tuesdayRow["start"] as? String == "2026-11-24T09:30:00+01:00")

                for uri in ["/fhir/$bulk-publish?_since=yesterday", "/fhir/$bulk-publish/Slot.ndjson?_since=9999-01-01", "/fhir/$bulk-publish?_type=Slot"] {
                    let response = try await F.get(client, uri)
                    #expect(response.status == .badRequest, "\(uri)")
                    _ = try F.outcome(response)
                }
                #expect(try await F.get(client, "/fhir/$bulk-publish/Patient.ndjson").status == .notFound)
            }
        }
    }

    @Test("a practitioner taken out of service is withdrawn: an incremental pull lists nothing free for them")
    func withdrawal() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let clock = MovableClock()
            let dependencies = test.dependencies(clock: clock.clock)
            let publication = try #require(dependencies.slotPublication)
            try await publication.refresh()
            let before = try await test.store.publishedSlots(changedSince: nil, after: nil, limit: 10)
            #expect(before.count == 1 && before.first?.slots.isEmpty == false)
            clock.advance(by: 60)
            var practitioner = fixture.org.practitioner
            practitioner.isActive = false
            try await test.store.update(practitioner)
            // The directory cache follows the configuration version; give it its moment as the server would.
            try await publication.refresh()
            let after = try await test.store.publishedSlots(changedSince: Fixtures.now, after: nil, limit: 10)
            #expect(after.count == 1 && after.first?.slots.isEmpty == true)
        }
    }
}
