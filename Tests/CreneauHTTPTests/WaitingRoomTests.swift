import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Synchronization
import Testing

/// The waiting room for surges: its line on a clock the test moves, then through the real router.
@Suite("Waiting room: in order, at the pace the booking path keeps up with")
struct WaitingRoomTests {
    final class TestClock: Sendable {
        let instant = Mutex(Fixtures.now)
        func advance(_ seconds: TimeInterval) { instant.withLock { $0.addTimeInterval(seconds) } }
        var now: @Sendable () -> Date { { [self] in instant.withLock { $0 } } }
    }

    func room(_ test: TestDatabase, clock: TestClock, maxInFlight: Int = 2, rate: Double = 2) throws -> WaitingRoom {
        var settings = WaitingRoom.Settings()
        settings.maxInFlight = maxInFlight
        settings.initialRate = rate
        return WaitingRoom(settings: settings, signer: try test.store.linkSigner(), now: clock.now)
    }

    func ticket(_ decision: WaitingRoom.Decision) -> (ticket: String, position: Int)? {
        if case .wait(let ticket, let position, _) = decision { return (ticket, position) }
        return nil
    }

    @Test("no surge, no line; saturated, newcomers wait in order of arrival and are let in oldest first, each with a pass")
    func line() async throws {
        try await TestDatabase.with { test in
            let clock = TestClock()
            let room = try room(test, clock: clock)
            #expect(room.decide(ticket: nil, pass: nil) == .pass)
            room.enter()
            room.enter()
            // Saturated: three newcomers take tickets 1, 2, 3.
            let first = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            let second = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            let third = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            #expect(first.position == 1 && second.position == 2 && third.position == 3)
            // Still saturated a second later: nobody goes in, and they keep their places.
            clock.advance(1)
            #expect(ticket(room.decide(ticket: second.ticket, pass: nil))?.position == 2)
            // The path frees up. The strained second cut the rate from 2 to 1.4 a second: one goes in, the oldest.
            room.leave(after: 0.01)
            room.leave(after: 0.01)
            clock.advance(1)
            guard case .admitted(let pass) = room.decide(ticket: first.ticket, pass: nil) else { Issue.record("the first not let in"); return }
            #expect(ticket(room.decide(ticket: third.ticket, pass: nil))?.position == 2)
            // A newcomer joins the back of the line even though the path is free: people are waiting.
            let fourth = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            #expect(fourth.position == 3)
            // The rate grew while the path was comfortable (1.4 to 2.4 a second): a second later the
            // second and third go in, and the newcomer is first in line.
            #expect(room.currentRate > 2.3)
            clock.advance(1)
            #expect(ticket(room.decide(ticket: second.ticket, pass: nil)) == nil)
            #expect(ticket(room.decide(ticket: third.ticket, pass: nil)) == nil)
            #expect(ticket(room.decide(ticket: fourth.ticket, pass: nil))?.position == 1)
            // The pass lets its holder through without a ticket, until it expires.
            #expect(room.decide(ticket: nil, pass: pass) == .pass)
            clock.advance(room.settings.passLifetime + 1)
            #expect(!room.validPass(pass, now: clock.now()))
        }
    }

    @Test("forged or edited tickets and passes count for nothing; a slow path also fills the line; the rate backs off while strained")
    func forgeries() async throws {
        try await TestDatabase.with { test in
            let clock = TestClock()
            let room = try room(test, clock: clock, maxInFlight: 100)
            let pass = room.makePass(now: clock.now())
            #expect(room.validPass(pass, now: clock.now()))
            #expect(!room.validPass(pass.replacingOccurrences(of: "p1.", with: "p1.9"), now: clock.now()))
            #expect(!room.validPass("p1.99999999999.abc", now: clock.now()))
            let ticket = room.makeTicket(1_000)
            #expect(room.arrival(of: ticket) == 1_000)
            #expect(room.arrival(of: ticket.replacingOccurrences(of: "t1.1000", with: "t1.1")) == nil)
            #expect(room.arrival(of: "t1.1.2") == nil && room.arrival(of: "") == nil)
            // Slow answers (over half a second, smoothed) saturate the path without any crowd.
            for _ in 0..<100 {
                room.enter()
                room.leave(after: 2)
            }
            let rate = room.currentRate
            room.enter() // one more slow request, still running
            #expect(self.ticket(room.decide(ticket: nil, pass: nil))?.position == 1)
            clock.advance(2)
            _ = room.decide(ticket: nil, pass: nil)
            #expect(room.currentRate < rate)
            #expect(room.busy(pass: nil) != nil && room.busy(pass: pass) == nil)
            // Once nothing is in flight, the slow past fades (halved each second) and the line moves again.
            room.leave(after: 2)
            clock.advance(10)
            _ = room.busy(pass: nil)
            #expect(room.waitingCount < 2)
        }
    }

    @Test("through the router: a visitor waits on a page that refreshes itself; the API says 503 with Retry-After; staff and health checks go through; admitted, the visitor gets in")
    func router() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            let clock = TestClock()
            let room = try room(test, clock: clock, maxInFlight: 1, rate: 1)
            var dependencies = test.dependencies()
            dependencies.waitingRoom = room
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                // A secretary signs in before the surge.
                let signedIn = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: Fixtures.now))
                let token = try #require(try JSONSerialization.jsonObject(with: Data(buffer: signedIn.body)) as? [String: Any])["token"] as? String
                #expect(try await client.execute(uri: "/search?q=cardiologie", method: .get, headers: AccountPagesTests.html).status == .ok)
                room.enter() // a booking in flight: the path is full
                let waiting = try await client.execute(uri: "/search?q=cardiologie", method: .get, headers: AccountPagesTests.html)
                #expect(waiting.status == .serviceUnavailable)
                #expect(waiting.text.contains("Votre place dans la file : 1."))
                #expect(waiting.text.contains(#"<meta http-equiv="refresh" content="5">"#) && waiting.headers[HTTPField.Name("Refresh")!] == "5")
                #expect(Int(waiting.headers[.retryAfter] ?? "") != nil)
                let cookie = try #require(waiting.headers[values: .setCookie].first { $0.hasPrefix("creneau_ticket=") })
                let ticket = String(cookie.prefix { $0 != ";" })
                // In English too.
                let english = try await client.execute(uri: "/search?q=cardiologie&lang=en", method: .get, headers: AccountPagesTests.html)
                #expect(english.text.contains("Your place in the queue: 2."))

                let api = try await client.execute(uri: "/api/v1/search?specialty=cardiologie", method: .get)
                #expect(api.status == .serviceUnavailable && Int(api.headers[.retryAfter] ?? "") != nil)
                #expect(try api.decode(ErrorPayload.self).error.code == "waiting_room")
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                // Operators see the line.
                let metrics = try await client.execute(uri: "/metrics", method: .get).text
                #expect(metrics.contains("creneau_waiting_room_tickets_total 2") && metrics.contains("creneau_waiting_room_waiting 2"), "\(metrics.suffix(800))")
                // A secretary is never queued.
                let desk = try await client.execute(uri: "/api/v1/search?specialty=cardiologie", method: .get, headers: [.authorization: "Bearer \(try #require(token))"])
                #expect(desk.status == .ok, "\(signedIn.status) \(desk.text)")

                // The booking ends; a second later the first in line is let in, with a pass for the pages that follow.
                room.leave(after: 0.01)
                clock.advance(1.1)
                let admitted = try await client.execute(uri: "/search?q=cardiologie", method: .get, headers: AccountPagesTests.html.merging([.cookie: ticket]))
                #expect(admitted.status == .ok)
                let pass = try #require(admitted.headers[values: .setCookie].first { $0.hasPrefix("creneau_pass=") })
                #expect(pass.contains("HttpOnly") && pass.contains("Max-Age=900"))
                room.enter()
                let again = try await client.execute(uri: "/practitioners/\(fixture.org.practitioner.id.uuidString.lowercased())", method: .get,
                                                     headers: AccountPagesTests.html.merging([.cookie: String(pass.prefix { $0 != ";" })]))
                #expect(again.status == .ok)
                room.leave(after: 0.01)
            }
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var all = self
        for field in other { all.append(field) }
        return all
    }
}
