import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Cancel, move and holds over the API, with a clock that moves.
@Suite("API: cancel, move and holds")
struct AppointmentLifecycleAPITests {
    typealias API = BookingAPITests

    func json(_ object: [String: Any]) -> ByteBuffer { ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object)) }

    @Test("a patient cancels with the link's token; the slot is free again; a second cancel is a 409")
    func cancel() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                // Tuesday 09:00, well before the 4-hour cut-off.
                let booked = try await API.book(client, API.body(fixture, start: "2026-11-24T09:00:00+01:00")).decode(API.Booked.self)
                let token = try #require(booked.manageToken)
                let uri = "/api/v1/appointments/\(booked.id)/cancel"
                try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: json(["reason": "Empêchement"])) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: uri, method: .post, headers: [API.token: token, .contentType: "application/json"], body: json(["reason": "Empêchement"])) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains(#""status":"cancelled""#))
                    #expect(response.text.contains(#""cancelledBy":"patient""#))
                }
                let again = try await client.execute(uri: uri, method: .post, headers: [API.token: token, .contentType: "application/json"], body: ByteBuffer())
                #expect(again.status == .conflict)
                #expect(try again.decode(API.Refusal.self).error.code == "invalid_transition")
                #expect(try await API.book(client, API.body(fixture, start: "2026-11-24T09:00:00+01:00")).status == .created)
                let id = try #require(UUID(uuidString: booked.id))
                let events = try await test.store.events(appointmentID: id)
                #expect(events.map(\.action.rawValue).sorted() == ["cancelled", "created"])
                let cancelled = try #require(events.first { $0.action == .cancelled })
                #expect(cancelled.before?.contains(#""status":"booked""#) == true)
                #expect(cancelled.after?.contains(#""status":"cancelled""#) == true)
            }
        }
    }

    @Test("patients cannot cancel or move within the cut-off, nor move more than the limit")
    func cutOffAndMoveLimit() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                // Tuesday 09:00; the motive's cut-off is 4 hours and it may be moved twice.
                let booked = try await API.book(client, API.body(fixture, start: "2026-11-24T09:00:00+01:00")).decode(API.Booked.self)
                let token = try #require(booked.manageToken)
                let move = "/api/v1/appointments/\(booked.id)/move"
                for (start, expected) in [("2026-11-24T10:00:00+01:00", HTTPResponse.Status.ok), ("2026-11-24T11:00:00+01:00", .ok),
                                          ("2026-11-24T09:30:00+01:00", .unprocessableContent)] {
                    let response = try await client.execute(uri: move, method: .post, headers: [API.token: token, .contentType: "application/json"], body: json(["start": start]))
                    #expect(response.status == expected, "\(start)")
                    if expected == .ok { #expect(response.text.contains("\"start\":\"\(start)\"")) }
                    else { #expect(try response.decode(API.Refusal.self).error.code == "move_limit_reached") }
                }
                // The earlier times are free again.
                #expect(try await API.book(client, API.body(fixture, start: "2026-11-24T10:00:00+01:00")).status == .created)

                let other = try await API.book(client, API.body(fixture, start: "2026-11-24T09:00:00+01:00")).decode(API.Booked.self)
                time.advance(by: 22 * 3_600)  // Tuesday 06:00: three hours before.
                for uri in ["/api/v1/appointments/\(other.id)/cancel", "/api/v1/appointments/\(other.id)/move"] {
                    let response = try await client.execute(uri: uri, method: .post, headers: [API.token: other.manageToken!, .contentType: "application/json"],
                                                            body: json(["start": "2026-11-25T09:00:00+01:00"]))
                    #expect(response.status == .unprocessableContent)
                    #expect(try response.decode(API.Refusal.self).error.message.contains("Please call the department"))
                }
            }
        }
    }

    @Test("a move to a taken slot is a 409 and keeps the appointment where it was")
    func moveToTaken() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let mine = try await API.book(client, API.body(fixture, start: "2026-11-24T09:00:00+01:00")).decode(API.Booked.self)
                #expect(try await API.book(client, API.body(fixture, start: "2026-11-24T10:00:00+01:00")).status == .created)
                let response = try await client.execute(uri: "/api/v1/appointments/\(mine.id)/move", method: .post,
                                                        headers: [API.token: mine.manageToken!, .contentType: "application/json"], body: json(["start": "2026-11-24T10:00:00+01:00"]))
                #expect(response.status == .conflict)
                #expect(try response.decode(API.Refusal.self).error.nextSlots?.isEmpty == false)
                let shown = try await client.execute(uri: "/api/v1/appointments/\(mine.id)", method: .get, headers: [API.token: mine.manageToken!])
                #expect(try shown.decode(API.Booked.self).start == "2026-11-24T09:00:00+01:00")
                let bad = try await client.execute(uri: "/api/v1/appointments/\(mine.id)/move", method: .post,
                                                   headers: [API.token: mine.manageToken!, .contentType: "application/json"], body: json(["start": "mardi"]))
                #expect(bad.status == .badRequest)
            }
        }
    }

    @Test("a hold keeps the slot from others, is used by its booking, and lapses by itself")
    func holds() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                struct HoldJSON: Decodable { let id: String; let expiresAt: String; let token: String }
                let slot: [String: Any] = ["practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString,
                                           "start": "2026-11-23T09:00:00+01:00"]
                let placed = try await client.execute(uri: "/api/v1/holds", method: .post, headers: [.contentType: "application/json"], body: json(slot))
                #expect(placed.status == .created)
                let hold = try placed.decode(HoldJSON.self)
                #expect(hold.expiresAt == "2026-11-23T08:10:00+01:00")
                #expect(try await client.execute(uri: "/api/v1/holds", method: .post, headers: [.contentType: "application/json"], body: json(slot)).status == .conflict)
                #expect(try await API.book(client, API.body(fixture)).status == .conflict)

                // Another visitor who learnt the hold's id can neither use it nor release it.
                let stolen = try await API.book(client, API.body(fixture, extra: ["hold": hold.id]))
                #expect(stolen.status == .unprocessableContent)
                #expect(try await client.execute(uri: "/api/v1/holds/\(hold.id)", method: .delete).status == .notFound)
                #expect(try await client.execute(uri: "/api/v1/holds/\(hold.id)", method: .delete, headers: [AppointmentsController.holdTokenHeader: "guess"]).status == .notFound)
                // The patient who holds it (its token) books it.
                let mine = try await API.book(client, API.body(fixture, extra: ["hold": hold.id, "holdToken": hold.token]))
                #expect(mine.status == .created)
                #expect(try await test.rows("SELECT id FROM holds").isEmpty)

                // A hold left alone lapses after ten minutes; booking with it then says so, and the slot is free.
                let later: [String: Any] = slot.merging(["start": "2026-11-23T10:00:00+01:00"]) { $1 }
                let second = try await client.execute(uri: "/api/v1/holds", method: .post, headers: [.contentType: "application/json"], body: json(later)).decode(HoldJSON.self)
                time.advance(by: 11 * 60)
                let expired = try await API.book(client, API.body(fixture, start: "2026-11-23T10:00:00+01:00", extra: ["hold": second.id, "holdToken": second.token]))
                #expect(expired.status == .unprocessableContent)
                #expect(try expired.decode(API.Refusal.self).error.code == "hold_expired")
                #expect(try await API.book(client, API.body(fixture, start: "2026-11-23T10:00:00+01:00")).status == .created)

                let third = try await client.execute(uri: "/api/v1/holds", method: .post, headers: [.contentType: "application/json"], body: json(slot.merging(["start": "2026-11-23T11:00:00+01:00"]) { $1 }))
                    .decode(HoldJSON.self)
                let release: HTTPFields = [AppointmentsController.holdTokenHeader: third.token]
                #expect(try await client.execute(uri: "/api/v1/holds/\(third.id)", method: .delete, headers: release).status == .noContent)
                #expect(try await client.execute(uri: "/api/v1/holds/\(third.id)", method: .delete, headers: release).status == .notFound)
            }
        }
    }
}
