import Foundation

/// Why a booking, hold, move, cancellation or status change was refused. Each
/// case says what a person should read; HTTP maps them in one place.
public enum BookingError: Error, Hashable, Sendable {
    /// An id that names nothing (or nothing this booker may see): 404.
    case notFound(String)
    /// A booking rule refuses it: 422, with the rule's code and a message a patient understands.
    case refused(RuleViolation)
    /// Someone else took the slot first: 409, with the next free slots.
    case slotTaken(next: [Slot], timeZone: TimeZone)
    /// The appointment is not in a state that allows this (a cancelled one cannot arrive): 409.
    case invalidTransition(String)
    /// The appointment changed meanwhile (another tab, another secretary): 409, reload and retry.
    case changedMeanwhile
    /// This booker may not do this at all (a visitor asking for the phone channel): 403.
    case forbidden(String)
}

/// A booking rule that said no.
public struct RuleViolation: Hashable, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case channelNotAllowed = "channel_not_allowed"
        case knownPatientsOnly = "known_patients_only"
        case newPatientsOnly = "new_patients_only"
        case referringDoctorRequired = "referring_doctor_required"
        case unknownReferringDoctor = "unknown_referring_doctor"
        case tooSoon = "too_soon"
        case tooFarAhead = "too_far_ahead"
        case inThePast = "in_the_past"
        case notAnOpening = "not_an_opening"
        case notOpenToChannel = "not_open_to_channel"
        case tooManyUpcoming = "too_many_upcoming"
        case sameSpecialtyTooClose = "same_specialty_too_close"
        case motiveNotOffered = "motive_not_offered"
        case cutOffPassed = "cut_off_passed"
        case moveLimitReached = "move_limit_reached"
        case reasonRequired = "reason_required"
        case holdExpired = "hold_expired"
        case holdMismatch = "hold_mismatch"
        case tooEarlyForStatus = "too_early_for_status"
        case invalidPatient = "invalid_patient"
        /// A patient search too vague to find one caller (and too wide to show).
        case searchTooVague = "search_too_vague"
        case textTooLong = "text_too_long"
        /// The site's repeat no-show rule: online booking refused, the secretariat can book.
        case tooManyNoShows = "too_many_no_shows"
        /// A waiting-list entry's days or preferences cannot be met.
        case waitlistWindow = "waitlist_window"
        /// The patient already waits for this, or for as many things as one may.
        case waitlistLimit = "waitlist_limit"
        /// The offer has been answered, has lapsed, or its slot is gone.
        case offerEnded = "offer_ended"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
