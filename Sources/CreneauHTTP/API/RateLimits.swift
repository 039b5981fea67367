import CreneauDomain
import Foundation

/// The abuse limits the API and FHIR apply to bookings and holds, on one budget per caller
/// (counted where `HTTPDependencies.limitCounters` keeps them: the database when shared).
public struct RateLimits: Sendable {
    /// Bookings and holds by visitors, per address.
    var visitorBookings: RateLimiter.Rule?
    /// Bookings and holds by a signed-in account (a secretary books all day).
    var accountBookings: RateLimiter.Rule?

    public static let standard = RateLimits(
        visitorBookings: RateLimiter.Rule(limit: 20, window: 60), accountBookings: RateLimiter.Rule(limit: 120, window: 60))
    public static let off = RateLimits(visitorBookings: nil, accountBookings: nil)
}

extension RateLimiter {
    /// Counts a booking or hold attempt against the caller's limit (their account's, else their
    /// address's); 429 with Retry-After past it.
    func countBooking(by context: AppRequestContext, limits: RateLimits, now: Date) async throws {
        let key: String, rule: RateLimiter.Rule?
        if let account = context.identity?.account.id {
            (key, rule) = ("account:" + account.uuidString, limits.accountBookings)
        } else {
            (key, rule) = ("address:" + context.clientAddress, limits.visitorBookings)
        }
        guard let rule, let wait = try await attempt(key, rule: rule, now: now) else { return }
        var error = APIError(.tooManyRequests, code: "too_many_bookings", message: "Too many booking attempts in a short time. Wait a little and try again.")
        error.retryAfter = wait
        throw error
    }
}
