import Foundation

/// The waiting list's rules, apart from the agenda: what an entry may ask for, how many a patient
/// keeps, and how long an offer holds a slot.
public enum WaitlistRules {
    /// Entries waiting at once per patient: enough for a patient with several needs, too few to
    /// hoard every dermatologist of the group.
    public static let maximumWaiting = 3
    /// An entry's window: at most this many days (and never beyond the motive's horizon).
    public static let maximumWindowDays = 180
    /// The notice a patient may ask for: up to two weeks.
    public static let maximumNoticeHours = 336
    /// How long an offer holds its slot, unless the visit is soon (`offerWindow`).
    public static let standardOfferWindow: TimeInterval = 15 * 60
    /// The shortest hold worth sending: under it, nobody could answer.
    public static let shortestOfferWindow: TimeInterval = 5 * 60
    /// No offer for a visit sooner than this: the slot returns to everyone (the desk, a walk-in).
    public static let lastOfferBeforeVisit: TimeInterval = 2 * 3_600

    /// The preferences checked as a person would hear them (`channel`: how the entry will book, so
    /// an online entry reaches as far as online booking does); nil when they are fine.
    public static func check(_ preferences: WaitlistPreferences, motive: Motive, channel: Channel, today: LocalDate) -> RuleViolation? {
        if preferences.firstDay < today {
            return RuleViolation(.waitlistWindow, "The first day you can come has already passed. Choose a day from today.")
        }
        if preferences.lastDay < preferences.firstDay {
            return RuleViolation(.waitlistWindow, "The last day you can come is before the first one. Check the two dates.")
        }
        let horizon = today.adding(days: motive.horizonDays(for: channel))
        if preferences.firstDay > horizon {
            return RuleViolation(.waitlistWindow, "“\(motive.name)” is booked up to \(horizon) only. Choose days before then.")
        }
        if preferences.firstDay.days(until: preferences.lastDay) >= maximumWindowDays {
            return RuleViolation(.waitlistWindow, "The waiting list covers at most \(maximumWindowDays) days. Choose a shorter period.")
        }
        if preferences.weekdays.isEmpty || !preferences.weekdays.isSubset(of: Set(1...7)) {
            return RuleViolation(.waitlistWindow, "Choose at least one day of the week you can come.")
        }
        if !(0...maximumNoticeHours).contains(preferences.noticeHours) {
            return RuleViolation(.waitlistWindow, "The notice you need must be between 0 and \(maximumNoticeHours) hours.")
        }
        return nil
    }

    /// The last day the entry may cover: its own, cut at the motive's horizon for its channel.
    public static func lastDay(_ preferences: WaitlistPreferences, motive: Motive, channel: Channel, today: LocalDate) -> LocalDate {
        min(preferences.lastDay, today.adding(days: motive.horizonDays(for: channel)))
    }

    /// How long an offer made at `now` for a visit at `start` holds the slot: the standard window
    /// (the deployment's, 15 minutes by default), shorter when the visit is soon (a quarter of the
    /// time left before the last offer's limit), nil when it is too late to offer.
    public static func offerWindow(now: Date, start: Date, standard: TimeInterval = standardOfferWindow) -> TimeInterval? {
        let shortest = min(shortestOfferWindow, standard)
        let left = start.timeIntervalSince(now) - lastOfferBeforeVisit
        guard left >= shortest else { return nil }
        return min(standard, max(shortest, left / 4))
    }
}
