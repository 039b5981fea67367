import Foundation
import Synchronization

/// Fixed-window counters in memory: "at most `limit` in `window` seconds per key".
/// Per instance; behind a load balancer each instance counts its own share, which
/// still bounds guessing to a small multiple of the limit.
public final class RateLimiter: Sendable {
    public struct Rule: Sendable {
        public let limit: Int
        public let window: TimeInterval

        public init(limit: Int, window: TimeInterval) {
            self.limit = limit
            self.window = window
        }
    }

    public init() {}

    private let counters = Mutex<[String: (start: Date, count: Int)]>([:])

    /// Counts one attempt; nil when allowed, else the seconds to wait.
    public func attempt(_ key: String, rule: Rule, now: Date) -> Int? {
        counters.withLock { counters in
            if counters.count > 100_000 { counters = counters.filter { now.timeIntervalSince($0.value.start) < rule.window } }
            var entry = counters[key] ?? (now, 0)
            if now.timeIntervalSince(entry.start) >= rule.window { entry = (now, 0) }
            guard entry.count < rule.limit else {
                return max(1, Int((rule.window - now.timeIntervalSince(entry.start)).rounded(.up)))
            }
            entry.count += 1
            counters[key] = entry
            return nil
        }
    }

    /// Forgets a key (a successful sign-in clears the account's failures).
    public func reset(_ key: String) {
        _ = counters.withLock { $0.removeValue(forKey: key) }
    }
}

/// Failed attempts per key with exponential backoff: the first `free` failures cost
/// nothing, then each further try must wait 2, 4, 8… seconds after the last failure, up to
/// `longest`. Unlike a lock, it only slows whoever fails: keyed by account *and* address,
/// a stranger guessing a secretary's password from one machine does not lock her out of
/// her own desk.
final class Backoff: Sendable {
    let free: Int
    let longest: TimeInterval
    private let failures = Mutex<[String: (count: Int, last: Date)]>([:])

    init(free: Int, longest: TimeInterval) {
        self.free = free
        self.longest = longest
    }

    /// Seconds to wait before `key` may try again, or nil.
    func wait(_ key: String, now: Date) -> Int? {
        failures.withLock { failures in
            guard let entry = failures[key], entry.count >= free else { return nil }
            let left = entry.last.addingTimeInterval(delay(after: entry.count)).timeIntervalSince(now)
            return left > 0 ? max(1, Int(left.rounded(.up))) : nil
        }
    }

    func fail(_ key: String, now: Date) {
        failures.withLock { failures in
            if failures.count > 100_000 { failures = failures.filter { now.timeIntervalSince($0.value.last) < longest } }
            var entry = failures[key] ?? (0, now)
            // A key quiet for the longest delay starts again from nothing.
            if now.timeIntervalSince(entry.last) >= longest { entry.count = 0 }
            entry.count = min(entry.count + 1, 64)
            entry.last = now
            failures[key] = entry
        }
    }

    func reset(_ key: String) {
        _ = failures.withLock { $0.removeValue(forKey: key) }
    }

    func delay(after count: Int) -> TimeInterval {
        guard count >= free else { return 0 }
        return min(longest, pow(2, Double(min(count - free + 1, 30))))
    }
}
