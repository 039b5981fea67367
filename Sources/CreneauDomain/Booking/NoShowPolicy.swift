import Foundation

/// A site's answer to repeat no-shows: after `limit` no-shows within `windowDays`, online booking
/// refuses and asks the patient to call the secretariat (who can still book, and can lift the
/// rule for that patient). Scarce specialist time is lost to every empty chair.
public struct NoShowPolicy: Hashable, Codable, Sendable {
    public var limit: Int
    public var windowDays: Int

    public static let limits = 1...20
    public static let windows = 30...730

    public init(limit: Int, windowDays: Int = 365) {
        self.limit = limit
        self.windowDays = windowDays
    }

    /// The refusal when `count` no-shows reach the limit, naming the secretariat's number.
    public func violation(count: Int, sitePhone: String) -> RuleViolation? {
        guard count >= limit else { return nil }
        let call = sitePhone.trimmed.isEmpty ? "Call the secretariat" : "Call the secretariat on \(sitePhone.trimmed)"
        return RuleViolation(.tooManyNoShows,
                             "Online booking is closed for this patient after \(count) missed appointments without notice in the last \(windowDays / 30) months. \(call) to book.")
    }
}

/// What staff see of a patient's no-shows at a site.
public struct NoShowRecord: Hashable, Sendable {
    public var count: Int
    public var liftedAt: Date?

    public init(count: Int, liftedAt: Date?) {
        self.count = count
        self.liftedAt = liftedAt
    }
}

public protocol NoShowRepository: Sendable {
    /// No-shows of the patient at the site's departments since `since` (and since the last lift).
    func noShows(patientID: UUID, siteID: UUID, since: Date) async throws -> NoShowRecord
    /// Staff lift the rule for one patient at one site: earlier no-shows stop counting.
    func liftNoShows(patientID: UUID, siteID: UUID, at: Date, by accountID: UUID) async throws
}
