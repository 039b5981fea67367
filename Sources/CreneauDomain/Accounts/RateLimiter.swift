import Foundation
import Synchronization

/// Where the counters of attempts live. In memory they are one process's; in the database
/// (`SQLStore`) every instance behind a load balancer counts into the same rows, so N
/// instances do not give a client N times its budget.
public protocol LimitCounters: Sendable {
    /// Counts one attempt for `key` in a fixed window of `window` seconds: the attempts counted
    /// in the current window (this one included) and when that window began.
    func count(_ key: String, window: TimeInterval, now: Date) async throws -> (count: Int, since: Date)
    /// Records a failure for `key`; a key quiet for `quietAfter` seconds starts again from one.
    func fail(_ key: String, quietAfter: TimeInterval, now: Date) async throws
    /// The failures recorded for `key` and the time of the last one.
    func failures(_ key: String) async throws -> (count: Int, last: Date)?
    /// Forgets `key` (a successful sign-in clears its failures).
    func forget(_ key: String) async throws
}

extension LimitCounters {
    /// Counts above this are not kept: a storm of attempts cannot overflow a counter.
    public static var ceiling: Int { 1_000_000 }
}

/// Fixed-window limits: "at most `limit` in `window` seconds per key", on counters shared by
/// whoever holds the same `LimitCounters`. `scope` keeps apart the keys of different limits
/// (sign-ins and bookings both count per address).
public struct RateLimiter: Sendable {
    public struct Rule: Sendable {
        public let limit: Int
        public let window: TimeInterval

        public init(limit: Int, window: TimeInterval) {
            self.limit = limit
            self.window = window
        }
    }

    let counters: any LimitCounters
    let scope: String

    public init(counters: any LimitCounters, scope: String) {
        self.counters = counters
        self.scope = scope
    }

    /// Counts one attempt; nil when allowed, else the seconds to wait.
    public func attempt(_ key: String, rule: Rule, now: Date) async throws -> Int? {
        let (count, since) = try await counters.count(scope + "|" + key, window: rule.window, now: now)
        guard count > rule.limit else { return nil }
        return max(1, Int((rule.window - now.timeIntervalSince(since)).rounded(.up)))
    }
}

/// Failed attempts per key with exponential backoff: the first `free` failures cost
/// nothing, then each further try must wait 2, 4, 8… seconds after the last failure, up to
/// `longest`. Unlike a lock, it only slows whoever fails: keyed by account *and* address,
/// a stranger guessing a secretary's password from one machine does not lock her out of
/// her own desk.
struct Backoff: Sendable {
    let counters: any LimitCounters
    let scope: String
    let free: Int
    let longest: TimeInterval

    /// Seconds to wait before `key` may try again, or nil.
    func wait(_ key: String, now: Date) async throws -> Int? {
        guard let entry = try await counters.failures(scope + "|" + key), entry.count >= free,
              now.timeIntervalSince(entry.last) < longest else { return nil }
        let left = entry.last.addingTimeInterval(delay(after: entry.count)).timeIntervalSince(now)
        return left > 0 ? max(1, Int(left.rounded(.up))) : nil
    }

    func fail(_ key: String, now: Date) async throws {
        try await counters.fail(scope + "|" + key, quietAfter: longest, now: now)
    }

    func reset(_ key: String) async throws {
        try await counters.forget(scope + "|" + key)
    }

    func delay(after count: Int) -> TimeInterval {
        guard count >= free else { return 0 }
        return min(longest, pow(2, Double(min(count - free + 1, 30))))
    }
}

/// Counters in this process's memory: one server on SQLite, and the tests.
public final class MemoryLimitCounters: LimitCounters {
    private struct Entry {
        var count: Int
        var since: Date
        var last: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Entries untouched for this long are dropped when the table grows large (longer than any window).
    static let forgetAfter: TimeInterval = 24 * 3_600

    public init() {}

    private func prune(_ entries: inout [String: Entry], now: Date) {
        if entries.count > 100_000 { entries = entries.filter { now.timeIntervalSince($0.value.last) < Self.forgetAfter } }
    }

    public func count(_ key: String, window: TimeInterval, now: Date) -> (count: Int, since: Date) {
        entries.withLock { entries in
            prune(&entries, now: now)
            var entry = entries[key] ?? Entry(count: 0, since: now, last: now)
            if now.timeIntervalSince(entry.since) >= window { entry = Entry(count: 0, since: now, last: now) }
            entry.count = min(entry.count + 1, Self.ceiling)
            entry.last = now
            entries[key] = entry
            return (entry.count, entry.since)
        }
    }

    public func fail(_ key: String, quietAfter: TimeInterval, now: Date) {
        entries.withLock { entries in
            prune(&entries, now: now)
            var entry = entries[key] ?? Entry(count: 0, since: now, last: now)
            if now.timeIntervalSince(entry.last) >= quietAfter { entry.count = 0 }
            entry.count = min(entry.count + 1, 64)
            entry.last = now
            entries[key] = entry
        }
    }

    public func failures(_ key: String) -> (count: Int, last: Date)? {
        entries.withLock { $0[key].map { ($0.count, $0.last) } }
    }

    public func forget(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
