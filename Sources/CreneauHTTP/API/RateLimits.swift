import CreneauDomain

/// The abuse limits the API applies to bookings and holds (per instance).
public struct RateLimits: Sendable {
    /// Bookings and holds by visitors, per address.
    var visitorBookings: RateLimiter.Rule?
    /// Bookings and holds by a signed-in account (a secretary books all day).
    var accountBookings: RateLimiter.Rule?

    public static let standard = RateLimits(
        visitorBookings: RateLimiter.Rule(limit: 20, window: 60), accountBookings: RateLimiter.Rule(limit: 120, window: 60))
    public static let off = RateLimits(visitorBookings: nil, accountBookings: nil)
}
