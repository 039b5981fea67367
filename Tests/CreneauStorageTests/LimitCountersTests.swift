@testable import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

/// Attempt counters in the database (migration 0027), on SQLite and PostgreSQL: every instance
/// counts into the same rows, and the memory counters behave the same way.
@Suite("Limit counters: one budget whatever the instance")
struct LimitCountersTests {
    /// The same questions to the database's counters and to memory's: the same answers.
    func bothKinds(_ body: (any LimitCounters) async throws -> Void) async throws {
        try await body(MemoryLimitCounters())
        try await TestDatabase.with { test in try await body(test.store) }
    }

    @Test("a fixed window counts each attempt, says when it began, and starts again once it has passed")
    func window() async throws {
        try await bothKinds { counters in
            let start = Fixtures.now
            for n in 1...4 {
                let (count, since) = try await counters.count("address:192.0.2.1", window: 60, now: start.addingTimeInterval(Double(n)))
                #expect(count == n)
                #expect(since == start.addingTimeInterval(1))
            }
            // Another key has its own count.
            #expect(try await counters.count("address:192.0.2.2", window: 60, now: start).count == 1)
            // 60 s after the window began, a new one.
            let later = start.addingTimeInterval(61)
            let (count, since) = try await counters.count("address:192.0.2.1", window: 60, now: later)
            #expect(count == 1 && since == later)
        }
    }

    @Test("a rule allows its limit, then says how long to wait; scopes keep limits apart")
    func limiter() async throws {
        try await bothKinds { counters in
            let signIn = RateLimiter(counters: counters, scope: "sign-in"), booking = RateLimiter(counters: counters, scope: "booking")
            let rule = RateLimiter.Rule(limit: 3, window: 60)
            var waits: [Int?] = []
            for _ in 0..<3 { waits.append(try await signIn.attempt("address:192.0.2.1", rule: rule, now: Fixtures.now)) }
            waits.append(try await signIn.attempt("address:192.0.2.1", rule: rule, now: Fixtures.now.addingTimeInterval(20)))
            waits.append(try await booking.attempt("address:192.0.2.1", rule: rule, now: Fixtures.now.addingTimeInterval(20)))
            waits.append(try await signIn.attempt("address:192.0.2.1", rule: rule, now: Fixtures.now.addingTimeInterval(60)))
            #expect(waits == [nil, nil, nil, 40, nil, nil])
        }
    }

    @Test("failures back off after the free ones, a quiet key starts again, a success forgets them")
    func backoff() async throws {
        try await bothKinds { counters in
            let backoff = Backoff(counters: counters, scope: "sign-in-pair", free: 5, longest: 15 * 60)
            let now = Fixtures.now
            for _ in 0..<4 { try await backoff.fail("pair", now: now) }
            #expect(try await backoff.wait("pair", now: now) == nil)
            try await backoff.fail("pair", now: now)
            #expect(try await backoff.wait("pair", now: now) == 2)
            try await backoff.fail("pair", now: now)
            #expect(try await backoff.wait("pair", now: now.addingTimeInterval(1)) == 3)
            #expect(try await counters.failures("sign-in-pair|pair")?.count == 6)
            // Capped: a storm of failures keeps at most 64, and waits at most the longest.
            for _ in 0..<100 { try await backoff.fail("pair", now: now) }
            #expect(try await counters.failures("sign-in-pair|pair")?.count == 64)
            #expect(try await backoff.wait("pair", now: now) == 15 * 60)
            // Quiet for the longest wait: the next failure counts from one again.
            try await backoff.fail("pair", now: now.addingTimeInterval(15 * 60))
            #expect(try await counters.failures("sign-in-pair|pair")?.count == 1)
            try await backoff.reset("pair")
            #expect(try await counters.failures("sign-in-pair|pair") == nil)
        }
    }

    @Test("two instances counting one key at once lose no attempt; keys are kept hashed; quiet rows are purged")
    func concurrent() async throws {
        try await TestDatabase.with { test in
            try await test.withSecondInstance { other in
                let stores = [test.store, other]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<60 {
                        group.addTask { _ = try await stores[index % 2].count("email:lea@example.org", window: 3_600, now: Fixtures.now) }
                    }
                    try await group.waitForAll()
                }
                #expect(try await other.count("email:lea@example.org", window: 3_600, now: Fixtures.now).count == 61)
            }
            let rows = try await test.rows("SELECT key_hash FROM limit_counters")
            #expect(rows.count == 1)
            let stored = try rows[0].decode(column: "key_hash", as: String.self)
            #expect(!stored.contains("lea") && stored.count == 64)
            _ = try await test.store.count("address:192.0.2.9", window: 60, now: Fixtures.now.addingTimeInterval(2 * 86_400))
            #expect(try await test.store.purgeLimitCounters(before: Fixtures.now.addingTimeInterval(86_400)) == 1)
            #expect(try await test.rows("SELECT key_hash FROM limit_counters").count == 1)
        }
    }
}
