import Foundation
import Synchronization

/// Fixed-window counters in memory: "at most `limit` in `window` seconds per key".
/// Per instance; behind a load balancer each instance counts its own share, which
/// still bounds guessing to a small multiple of the limit.
final class RateLimiter: Sendable {
    struct Rule: Sendable {
        let limit: Int
        let window: TimeInterval
    }

    private let counters = Mutex<[String: (start: Date, count: Int)]>([:])

    /// Counts one attempt; nil when allowed, else the seconds to wait.
    func attempt(_ key: String, rule: Rule, now: Date) -> Int? {
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
    func reset(_ key: String) {
        _ = counters.withLock { $0.removeValue(forKey: key) }
    }
}

/// The abuse limits the API applies (per instance).
public struct RateLimits: Sendable {
    /// Bookings and holds by visitors, per address.
    var visitorBookings: RateLimiter.Rule?
    /// Bookings and holds by a signed-in account (a secretary books all day).
    var accountBookings: RateLimiter.Rule?

    public static let standard = RateLimits(
        visitorBookings: RateLimiter.Rule(limit: 20, window: 60), accountBookings: RateLimiter.Rule(limit: 120, window: 60))
    public static let off = RateLimits(visitorBookings: nil, accountBookings: nil)
}
