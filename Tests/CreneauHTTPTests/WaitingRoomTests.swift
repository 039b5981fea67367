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

    func room(_ test: TestDatabase, clock: TestClock, maxInFlight: Int = 2) throws -> WaitingRoom {
        var settings = WaitingRoom.Settings()
        settings.maxInFlight = maxInFlight
        return WaitingRoom(settings: settings, signer: try test.store.linkSigner(), now: clock.now)
    }

    func ticket(_ decision: WaitingRoom.Decision) -> (ticket: String, position: Int, refresh: Int)? {
        if case .wait(let ticket, let position, _, let refresh) = decision { return (ticket, position, refresh) }
        return nil
    }

    func admitted(_ decision: WaitingRoom.Decision) -> Bool {
        if case .admitted = decision { return true }
        return false
    }

    @Test("no surge, no line; the path full, newcomers wait in order; a free place goes to the head of the line, never past the bound")
    func line() async throws {
        try await TestDatabase.with { test in
            let clock = TestClock()
            let room = try room(test, clock: clock)
            // Served, and counted on the path: one place of two taken.
            #expect(room.decide(ticket: nil, pass: nil) == .pass)
            #expect(room.decide(ticket: nil, pass: nil) == .pass)
            // Full: three newcomers take tickets 1, 2, 3; the head asks again every two seconds.
            let first = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            let second = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            let third = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            #expect(first.position == 1 && second.position == 2 && third.position == 3)
            #expect(first.refresh == room.settings.headRefresh)
            // Still full a second later: nobody goes in, and they keep their places.
            clock.advance(1)
            #expect(ticket(room.decide(ticket: second.ticket, pass: nil))?.position == 2)
            // One request ends: the first to ask at the head takes the place at once — and the path is full again.
            room.leave(after: 0.01)
            clock.advance(1)
            #expect(admitted(room.decide(ticket: first.ticket, pass: nil)))
            #expect(ticket(room.decide(ticket: second.ticket, pass: nil))?.position == 1)
            // A newcomer joins the back of the line even when a place frees: people are waiting.
            room.leave(after: 0.01)
            let fourth = try #require(ticket(room.decide(ticket: nil, pass: nil)))
            #expect(fourth.position == 3)
            #expect(admitted(room.decide(ticket: second.ticket, pass: nil)))
            #expect(ticket(room.decide(ticket: third.ticket, pass: nil))?.position == 1)
            // Two places freed, two taken: never more in flight than the bound.
            room.leave(after: 0.01)
            room.leave(after: 0.01)
            #expect(admitted(room.decide(ticket: fourth.ticket, pass: nil)))
            #expect(admitted(room.decide(ticket: third.ticket, pass: nil)))
            #expect(ticket(room.decide(ticket: nil, pass: nil)) != nil)
            // The pass lets its holder through without a ticket (counted on the path too), until it expires.
            let pass = room.makePass(now: clock.now())
            #expect(room.decide(ticket: nil, pass: pass) == .pass)
            clock.advance(room.settings.passLifetime + 1)
            #expect(!room.validPass(pass, now: clock.now()))
        }
    }

    @Test("far back, a free place is not yours; the head forgets who stopped asking; a slow path holds everyone")
    func farBackAndGhosts() async throws {
        try await TestDatabase.with { test in
            let clock = TestClock()
            let room = try room(test, clock: clock, maxInFlight: 1)
            #expect(room.decide(ticket: nil, pass: nil) == .pass)
            let window = room.currentWindow
            var tickets: [(ticket: String, position: Int, refresh: Int)] = []
            for _ in 0..<(window + 5) { tickets.append(try #require(ticket(room.decide(ticket: nil, pass: nil)))) }
            #expect(tickets.last?.position == window + 5 && (tickets.last?.refresh ?? 0) >= 5)
            // A place frees; the last ticket asks first: it is not at the head, so it waits.
            room.leave(after: 0.01)
            #expect(ticket(room.decide(ticket: tickets[window + 4].ticket, pass: nil))?.position == window + 5)
            // Only the last head ticket keeps asking; everyone else ahead of it stops. Five missed
            // refreshes later they have left the line, and it moves up.
            let keeper = tickets[window - 1]
            for _ in 0..<12 {
                clock.advance(1)
                _ = room.decide(ticket: keeper.ticket, pass: nil)
                room.enter() // the path is busy meanwhile: nobody is let in
            }
            let position = try #require(ticket(room.decide(ticket: keeper.ticket, pass: nil))?.position)
            #expect(position == 1, "position \(position)")
            for _ in 0..<13 { room.leave(after: 0.01) }
            // Slow answers (over half a second, smoothed) hold the line shut even with free places.
            for _ in 0..<100 {
                room.enter()
                room.leave(after: 2)
            }
            room.enter()
            #expect(ticket(room.decide(ticket: keeper.ticket, pass: nil)) != nil)
            #expect(room.busy(pass: nil) != nil && room.busy(pass: room.makePass(now: clock.now())) == nil)
            // Once nothing is in flight, the slow past fades (halved each second) and the line moves again.
            room.leave(after: 2)
            clock.advance(10)
            #expect(admitted(room.decide(ticket: keeper.ticket, pass: nil)))
        }
    }

    @Test("forged or edited tickets and passes count for nothing")
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
        }
    }

    @Test("through the router: a visitor waits on a page that refreshes itself; the API says 503 with Retry-After; staff and health checks go through; admitted, the visitor gets in")
    func router() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            let clock = TestClock()
            let room = try room(test, clock: clock, maxInFlight: 1)
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
                #expect(waiting.headers[HTTPField.Name("Refresh")!] == "2" && !waiting.text.contains("http-equiv"))
                // Its first link stops the refresh (WCAG 2.2.1); the manual page keeps the place and says how to check.
                #expect(waiting.text.contains("waiting=manual\">Arrêter l") && waiting.text.contains("actualisation automatique</a>"), "\(waiting.text)")
                #expect(Int(waiting.headers[.retryAfter] ?? "") != nil)
                let cookie = try #require(waiting.headers[values: .setCookie].first { $0.hasPrefix("creneau_ticket=") })
                let ticket = String(cookie.prefix { $0 != ";" })
                let manual = try await client.execute(uri: "/search?q=cardiologie&waiting=manual", method: .get,
                                                      headers: AccountPagesTests.html.merging([.cookie: ticket]))
                #expect(manual.status == .serviceUnavailable && manual.headers[HTTPField.Name("Refresh")!] == nil)
                #expect(manual.text.contains("Votre place dans la file : 1.") && manual.text.contains("est mon tour</a>")
                        && !manual.text.contains("Arrêter l"), "\(manual.text)")
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

                // The booking ends; the first in line asks again and is let in, with a pass for the pages that follow.
                room.leave(after: 0.01)
                clock.advance(2)
                let admitted = try await client.execute(uri: "/search?q=cardiologie", method: .get, headers: AccountPagesTests.html.merging([.cookie: ticket]))
                #expect(admitted.status == .ok)
                let pass = try #require(admitted.headers[values: .setCookie].first { $0.hasPrefix("creneau_pass=") })
                #expect(pass.contains("HttpOnly") && pass.contains("Max-Age=900"))
                let again = try await client.execute(uri: "/practitioners/\(fixture.org.practitioner.id.uuidString.lowercased())", method: .get,
                                                     headers: AccountPagesTests.html.merging([.cookie: String(pass.prefix { $0 != ";" })]))
                #expect(again.status == .ok)
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
