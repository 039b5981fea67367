import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Two `serve` instances on one database, with the lag `serve` allows other instances' changes
/// (`CRENEAU_PEER_LAG_MS`): answers come from memory, yet a booking is gone at once from the
/// instance that took it and from the other once the lag has passed.
@Suite("Instances with a lag for each other's changes")
struct PeerLagTests {
    static let lag = Duration.milliseconds(50)

    func starts(_ client: some TestClientProtocol, _ fixture: BookingFixture) async throws -> [String] {
        let path = "/api/v1/availability?practitioner=\(fixture.org.practitioner.id.uuidString.lowercased())"
            + "&motive=\(fixture.org.motive.id.uuidString.lowercased())&from=2026-11-23&days=1"
        let response = try await client.execute(uri: path, method: .get)
        #expect(response.status == .ok)
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return (body?["slots"] as? [[String: Any]] ?? []).compactMap { $0["start"] as? String }
    }

    @Test("a booking through one instance is gone from its own answers at once, and from the other's once the lag has passed")
    func bookingSeenWithinTheLag() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await test.withSecondInstance { other in
                let oneStore = SQLStore(database: test.store.database, cipher: test.cipher, peerLag: Self.lag)
                let twoStore = SQLStore(database: other.database, cipher: test.cipher, peerLag: Self.lag)
                var one = test.dependencies(store: oneStore, clock: .fixed(Fixtures.now))
                var two = test.dependencies(store: twoStore, clock: .fixed(Fixtures.now))
                one.limits = .off
                two.limits = .off
                let (first, second) = (Application(router: buildRouter(one)), Application(router: buildRouter(two)))
                try await first.test(.router) { one in
                    try await second.test(.router) { two in
                        let nine = "2026-11-23T09:00:00+01:00"
                        // Both warm, answering from memory (the same answer twice: the second remembered).
                        for client in [one, two] as [any TestClientProtocol] {
                            #expect(try await starts(client, fixture).contains(nine))
                            #expect(try await starts(client, fixture).contains(nine))
                        }
                        #expect(try await BookingAPITests.book(one, BookingAPITests.body(fixture, start: nine)).status == .created)
                        #expect(try await !starts(one, fixture).contains(nine))
                        try await Task.sleep(for: Self.lag + .milliseconds(20))
                        #expect(try await !starts(two, fixture).contains(nine))
                        // And back: a booking through the second instance reaches the first.
                        let ten = "2026-11-23T10:00:00+01:00"
                        #expect(try await starts(one, fixture).contains(ten))
                        #expect(try await BookingAPITests.book(two, BookingAPITests.body(fixture, start: ten)).status == .created)
                        #expect(try await !starts(two, fixture).contains(ten))
                        try await Task.sleep(for: Self.lag + .milliseconds(20))
                        #expect(try await !starts(one, fixture).contains(ten))
                    }
                }
            }
        }
    }

    @Test("the search and its page are remembered only while nothing moves: a booking shows in the next answer")
    func rememberedSearches() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let store = SQLStore(database: test.store.database, cipher: test.cipher, peerLag: Self.lag)
            var dependencies = test.dependencies(store: store, clock: .fixed(Fixtures.now))
            dependencies.limits = .off
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                func firstSlots() async throws -> [String] {
                    let response = try await client.execute(uri: "/api/v1/search?specialty=cardiologie", method: .get)
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let results = body?["results"] as? [[String: Any]] ?? []
                    return (results.first?["slots"] as? [[String: Any]] ?? []).compactMap { $0["start"] as? String }
                }
                func page() async throws -> String {
                    String(buffer: try await client.execute(uri: "/search?specialty=cardiologie", method: .get).body)
                }
                let before = try await firstSlots()
                #expect(before.first == "2026-11-23T09:00:00+01:00")
                #expect(try await firstSlots() == before)
                // Each reader gets their own form token in the remembered page, never the placeholder.
                let html = try await page(), again = try await page()
                #expect(html.contains("Lefèvre"))
                func tokens(_ text: String) -> Set<String> {
                    Set(text.components(separatedBy: "name=\"_csrf\" value=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) })
                }
                #expect(tokens(html).count == 1 && tokens(again).count == 1 && tokens(html) != tokens(again))
                #expect(!html.contains(WebPages.formTokenMarker) && !again.contains(WebPages.formTokenMarker))
                #expect(try await BookingAPITests.book(client, BookingAPITests.body(fixture, start: "2026-11-23T09:00:00+01:00")).status == .created)
                #expect(try await firstSlots().first == "2026-11-23T09:30:00+01:00")
            }
        }
    }
}
