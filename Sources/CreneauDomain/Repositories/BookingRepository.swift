import Foundation

/// One booking ready to be written: the appointment, the patient it creates
/// (if new), the hold it uses up, its first history event and the response
/// remembered under its idempotency key. Storage writes all of it or none.
public struct BookingWrite: Sendable {
    public var appointment: Appointment
    public var newPatient: Patient?
    /// Given once to the booker so that they can see, move or cancel without an account; stored hashed.
    public var manageToken: String
    public var holdID: UUID?
    public var event: AppointmentEvent
    public var idempotency: IdempotencyRecord?
    /// The confirmation and the reminders, written with the appointment or not at all.
    public var messages: [OutboxMessage]
    /// A waiting-list offer this booking accepts: marked accepted and its entry booked in the
    /// same transaction; the booking fails (`holdGone`) when the offer is no longer live.
    public var acceptedOffer: (offerID: UUID, entryID: UUID)?

    public init(appointment: Appointment, newPatient: Patient?, manageToken: String, holdID: UUID?, event: AppointmentEvent, idempotency: IdempotencyRecord?,
                messages: [OutboxMessage] = []) {
        self.messages = messages
        self.appointment = appointment
        self.newPatient = newPatient
        self.manageToken = manageToken
        self.holdID = holdID
        self.event = event
        self.idempotency = idempotency
    }
}

public enum BookingWriteOutcome: Hashable, Sendable {
    case booked
    /// A practitioner, room or seat it needs is taken (by an appointment or a live hold).
    case slotTaken
    /// The hold it was to use has expired or was used already.
    case holdGone
    /// Another request already used this idempotency key.
    case idempotencyKeyUsed
}

/// A status change, cancellation or move of one appointment, with its history event.
public struct AppointmentChange: Sendable {
    public var before: Appointment
    public var after: Appointment
    public var event: AppointmentEvent
    /// A fulfilled visit makes the patient known to the department.
    public var makesKnown: KnownPatient?
    /// What the change tells the patient; the reminders planned for the old time are skipped in the same transaction.
    public var messages: [OutboxMessage]

    public init(before: Appointment, after: Appointment, event: AppointmentEvent, makesKnown: KnownPatient? = nil, messages: [OutboxMessage] = []) {
        self.messages = messages
        self.before = before
        self.after = after
        self.event = event
        self.makesKnown = makesKnown
    }
}

public enum AppointmentChangeOutcome: Hashable, Sendable {
    case applied
    /// The new slot of a move is taken: nothing changed.
    case slotTaken
    /// The stored appointment is no longer the one the change started from.
    case changedMeanwhile
}

/// The write side of booking. Every method is one transaction; occupancy
/// (no two overlapping holders of a practitioner, room or seat) is enforced
/// by the database's keys, so it holds across any number of instances.
public protocol BookingRepository: Sendable {
    /// Writes each booking in its own savepoint of one transaction, so that a
    /// batch of concurrent bookings costs one durable commit. Outcomes are in
    /// the order of `writes`. Expired holds are cleared first.
    func commit(_ writes: [BookingWrite], now: Date) async throws -> [BookingWriteOutcome]
    func apply(_ change: AppointmentChange) async throws -> AppointmentChangeOutcome

    /// False when the slot is taken. `token` (stored as a hash) is what proves the hold is
    /// yours when you are not signed in.
    func place(_ hold: Hold, token: String, now: Date) async throws -> Bool
    /// Whether `token` is the one given when the hold was placed.
    func holdTokenMatches(holdID: UUID, token: String) async throws -> Bool
    /// False when there was no such hold.
    func releaseHold(id: UUID, now: Date) async throws -> Bool
    func hold(id: UUID) async throws -> Hold?
    /// Clears expired holds and idempotency records; returns how many of each.
    func purgeExpired(now: Date) async throws -> (holds: Int, idempotencyRecords: Int)

    func idempotencyRecord(scope: String, key: String) async throws -> IdempotencyRecord?
    /// Booked or arrived appointments of the patient that end after `after`.
    func upcomingVisits(patientID: UUID, after: Date) async throws -> [UpcomingVisit]
    /// Whether `token` is the manage token given when the appointment was booked.
    func manageTokenMatches(appointmentID: UUID, token: String) async throws -> Bool
}

/// Writes bookings, possibly batching concurrent ones into one commit.
public protocol BookingWriter: Sendable {
    func write(_ booking: BookingWrite) async throws -> BookingWriteOutcome
}
