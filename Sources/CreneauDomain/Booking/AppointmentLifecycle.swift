import Foundation

/// What may happen to a booked appointment.
public enum AppointmentAction: Hashable, Sendable {
    case arrive
    case fulfil
    case noShow
    case cancel(reason: String?)
    /// To a new slot of the same practitioner and motive.
    case move(start: Date, end: Date, reason: String?)
}

/// The appointment state machine: `booked → arrived → fulfilled`,
/// `booked → noshow`, `booked → cancelled`, and moves of a booked appointment.
/// Patients are held to the motive's cut-off and move limit; staff may pass
/// them by giving a reason. Pure: the service loads and stores.
public enum AppointmentLifecycle {
    /// How long before its start a patient may be marked as arrived (early arrivals at the desk).
    public static let arrivalWindow: TimeInterval = 12 * 3_600

    public static func apply(
        _ action: AppointmentAction, to appointment: Appointment, motive: Motive, by booker: Booker, now: Date
    ) throws(BookingError) -> (appointment: Appointment, event: AppointmentEvent.Action) {
        var next = appointment
        next.updatedAt = now
        let cutOff = appointment.startsAt.addingTimeInterval(-TimeInterval(motive.cancellationCutoffMinutes * 60))
        switch action {
        case .arrive, .fulfil, .noShow:
            guard booker.isStaff else { throw .forbidden("Only the department's staff can record an arrival, a visit or a no-show.") }
        case .cancel, .move:
            break
        }

        switch action {
        case .arrive:
            try require(appointment, in: [.booked], toBe: "marked as arrived")
            guard now >= appointment.startsAt.addingTimeInterval(-arrivalWindow) else {
                throw .refused(RuleViolation(.tooEarlyForStatus, "A patient can be marked as arrived on the day of the appointment only."))
            }
            next.status = .arrived
            return (next, .statusChanged)
        case .fulfil:
            try require(appointment, in: [.arrived], toBe: "marked as seen")
            next.status = .fulfilled
            return (next, .statusChanged)
        case .noShow:
            try require(appointment, in: [.booked], toBe: "marked as a no-show")
            guard now >= appointment.startsAt else {
                throw .refused(RuleViolation(.tooEarlyForStatus, "A no-show can be recorded once the appointment time has come."))
            }
            next.status = .noshow
            return (next, .statusChanged)
        case .cancel(let reason):
            try require(appointment, in: [.booked], toBe: "cancelled")
            let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let violation = BookingRules.checkText(reason, field: "reason for cancelling") { throw .refused(violation) }
            if booker.isStaff {
                guard let reason, !reason.isEmpty else {
                    throw .refused(RuleViolation(.reasonRequired, "Say why the appointment is cancelled: the patient will be told."))
                }
            } else if now > cutOff {
                throw .refused(RuleViolation(.cutOffPassed, "It is too late to cancel online: “\(motive.name)” can be cancelled up to \(TimePhrase.minutes(motive.cancellationCutoffMinutes)) before. Please call the department."))
            }
            next.status = .cancelled
            next.cancelledBy = booker.cancelsAs
            next.cancellationReason = reason?.isEmpty == false ? reason : nil
            return (next, .cancelled)
        case .move(let start, let end, let reason):
            try require(appointment, in: [.booked], toBe: "moved")
            let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
            let overriding = now > cutOff || appointment.moveCount >= motive.maximumMoves
            if booker.isStaff {
                if overriding && (reason ?? "").isEmpty {
                    throw .refused(RuleViolation(.reasonRequired, "This move passes the patient's cut-off or move limit: say why, for the history."))
                }
            } else if now > cutOff {
                throw .refused(RuleViolation(.cutOffPassed, "It is too late to move this appointment online: “\(motive.name)” can be moved up to \(TimePhrase.minutes(motive.cancellationCutoffMinutes)) before. Please call the department."))
            } else if appointment.moveCount >= motive.maximumMoves {
                throw .refused(RuleViolation(.moveLimitReached, "This appointment has already been moved \(appointment.moveCount) time\(appointment.moveCount == 1 ? "" : "s"), the most allowed online. Please call the department."))
            }
            next.startsAt = start
            next.endsAt = end
            next.moveCount += 1
            return (next, .moved)
        }
    }

    private static func require(_ appointment: Appointment, in allowed: Set<AppointmentStatus>, toBe verb: String) throws(BookingError) {
        guard allowed.contains(appointment.status) else {
            throw .invalidTransition("This appointment is \(appointment.status.phrase) and can no longer be \(verb).")
        }
    }
}

extension AppointmentStatus {
    public var phrase: String {
        switch self {
        case .booked: "booked"
        case .arrived: "in progress (the patient has arrived)"
        case .fulfilled: "over (the visit took place)"
        case .noshow: "recorded as a no-show"
        case .cancelled: "cancelled"
        }
    }
}

extension Appointment {
    /// What `booker` may read of this appointment. A referring doctor named on a booking
    /// someone else made (the patient online, a secretary) sees its time and status, not the
    /// reason the patient typed nor the staff's notes: those are the patient's and the
    /// hospital's. What he wrote himself, he reads back.
    public func seen(by booker: Booker) -> Appointment {
        guard case .referringDoctor(let accountID, _) = booker.kind, createdByAccountID != accountID else { return self }
        var shown = self
        shown.reason = nil
        shown.notes = nil
        shown.cancellationReason = nil
        return shown
    }
}
