import Foundation

/// What changed in an agenda, in one shape for whoever must react: the notifications
/// ("your appointment is confirmed / moved / cancelled") and the waiting list ("this time
/// is free again, offer it"). Every write that changes an appointment or frees time writes
/// its events in the same transaction as the change (`SQLStore`), numbered in commit order,
/// so a subscriber reads one feed (`ChangeFeed`) from where it stopped and misses nothing,
/// whichever of the five ways (cancel, move, a hold released or lapsed, an opening added
/// or an absence withdrawn, a template changed) freed the time.
public struct ChangeEvent: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case appointmentCreated = "appointment_created"
        /// `from`–`to` is the new time; the old time comes as `capacityFreed`.
        case appointmentMoved = "appointment_moved"
        case appointmentCancelled = "appointment_cancelled"
        /// Arrived, fulfilled, no-show.
        case appointmentStatusChanged = "appointment_status_changed"
        /// Time on `ownerID`'s agenda may be bookable again between `from` and `to`. "May":
        /// a subscriber asks the availability engine what is actually free now.
        case capacityFreed = "capacity_freed"
        /// The patient answered the survey after the visit (`appointmentID`): the statistics recount it.
        case surveyAnswered = "survey_answered"
    }

    /// Commit order, assigned by the store (0 before it is written).
    public var sequence: Int64
    public var kind: Kind
    public var at: Date
    /// The practitioner (or room, piece of equipment) whose agenda changed.
    public var ownerID: UUID
    public var appointmentID: UUID?
    public var from: Date
    public var to: Date

    public init(sequence: Int64 = 0, kind: Kind, at: Date, ownerID: UUID, appointmentID: UUID? = nil, from: Date, to: Date) {
        self.sequence = sequence
        self.kind = kind
        self.at = at
        self.ownerID = ownerID
        self.appointmentID = appointmentID
        self.from = from
        self.to = to
    }
}

extension ChangeEvent {
    /// A new booking (a cancelled one, as a staff import might write, frees nothing and is no news).
    public static func created(_ appointment: Appointment, at: Date) -> [ChangeEvent] {
        guard appointment.status != .cancelled else { return [] }
        return [ChangeEvent(kind: .appointmentCreated, at: at, ownerID: appointment.practitionerID, appointmentID: appointment.id,
                            from: appointment.startsAt, to: appointment.endsAt)]
    }

    /// What a lifecycle change means for those who listen: the appointment's news, and the
    /// time it gave back (a cancellation, or the old slot of a move) on every agenda it held.
    public static func events(for change: AppointmentChange, at: Date) -> [ChangeEvent] {
        let before = change.before, after = change.after
        let moved = before.startsAt != after.startsAt || before.endsAt != after.endsAt
        var events: [ChangeEvent] = []
        func news(_ kind: Kind) {
            events.append(ChangeEvent(kind: kind, at: at, ownerID: after.practitionerID, appointmentID: after.id, from: after.startsAt, to: after.endsAt))
        }
        if after.status == .cancelled && before.status != .cancelled {
            news(.appointmentCancelled)
        } else if moved {
            news(.appointmentMoved)
        } else if after.status != before.status {
            news(.appointmentStatusChanged)
        }
        if before.status != .cancelled && (after.status == .cancelled || moved) {
            for owner in [before.practitionerID] + before.resourceIDs {
                events.append(ChangeEvent(kind: .capacityFreed, at: at, ownerID: owner, appointmentID: before.id, from: before.startsAt, to: before.endsAt))
            }
        }
        return events
    }

    /// Time given back on one agenda (a hold released or lapsed, an opening, a template).
    public static func freed(_ ownerID: UUID, from: Date, to: Date, at: Date) -> ChangeEvent {
        ChangeEvent(kind: .capacityFreed, at: at, ownerID: ownerID, from: from, to: to)
    }
}

/// The change events in commit order. A subscriber (a background service) keeps the
/// sequence of the last event it handled and asks for what came after.
public protocol ChangeFeed: Sendable {
    /// Events with a sequence above `sequence`, oldest first, at most `limit`.
    func changes(after sequence: Int64, limit: Int) async throws -> [ChangeEvent]
}
