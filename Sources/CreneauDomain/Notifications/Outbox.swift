import Foundation

/// A message waiting in the outbox, or sent, or given up, or skipped (the visit it was about
/// changed before it was due).
///
/// Account emails are written when queued (`subject`, `body`). A message about an appointment
/// is written when it is sent, from the appointment as it is then (the address, the time, the
/// links): the row says what to tell (`kind`, `notice`) and to whom (`channel`, `recipient`).
public struct OutboxMessage: Identifiable, Hashable, Sendable {
    public enum State: String, Codable, Sendable { case pending, sent, failed, skipped }
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case account, confirmation, moved, cancelled, reminder, survey
        /// A waiting-list offer, written when offered (it names no appointment).
        case offer
        /// An offer withdrawn because its slot is gone (the practitioner is away): the patient is told.
        case offerEnded = "offer_ended"

        /// Account emails and offers are written when queued; appointment messages when sent.
        public var isWrittenWhenQueued: Bool { self == .account || self == .offer || self == .offerEnded }
    }

    public var id: UUID
    /// Same key, same message: a second copy is not queued, by any instance (a unique key).
    public var dedupeKey: String?
    public var channel: MessageChannel
    public var kind: Kind
    public var appointmentID: UUID?
    /// A waiting-list offer's message: not sent once the offer has ended.
    public var offerID: UUID?
    /// The start the message was planned for: a reminder for a time the visit no longer has is skipped.
    public var plannedStart: Date?
    /// An email address, or an E.164 number for an SMS.
    public var recipient: String
    /// Account emails and offers: the subject and text. Appointment messages: empty until sent.
    public var subject: String
    public var body: String
    /// What only the change knew (who made it, why, the previous time, the reminder's point).
    public var notice: AppointmentNotice?
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
    public var sentAt: Date?
    public var lastError: String?

    public init(
        id: UUID, dedupeKey: String? = nil, channel: MessageChannel = .email, kind: Kind = .account, appointmentID: UUID? = nil,
        plannedStart: Date? = nil, recipient: String, subject: String = "", body: String = "", notice: AppointmentNotice? = nil,
        state: State = .pending, attempts: Int = 0, nextAttemptAt: Date, createdAt: Date, sentAt: Date? = nil, lastError: String? = nil,
        offerID: UUID? = nil
    ) {
        self.offerID = offerID
        self.id = id
        self.dedupeKey = dedupeKey
        self.channel = channel
        self.kind = kind
        self.appointmentID = appointmentID
        self.plannedStart = plannedStart
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.notice = notice
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.lastError = lastError
    }

    /// An account email (a code, a link), written now.
    public init(id: UUID, dedupeKey: String? = nil, email: EmailMessage, nextAttemptAt: Date, createdAt: Date) {
        self.init(id: id, dedupeKey: dedupeKey, recipient: email.to, subject: email.subject, body: email.text, nextAttemptAt: nextAttemptAt, createdAt: createdAt)
    }

    /// Stable across retries and instances: a receiver drops a repeat by it.
    public var messageID: String { "\(id.uuidString.lowercased())@creneau" }

    /// Whether a booked appointment's patient has been reached by nothing: no confirmation or
    /// change notice went or waits (failed ones aside; a reminder still to come reaches nobody yet).
    /// The agenda and the appointment page flag such patients for the desk to call.
    public static func nobodyReached(_ messages: [OutboxMessage], status: AppointmentStatus) -> Bool {
        status == .booked && !messages.contains { $0.kind != .reminder && $0.state != .failed }
    }

    /// The account email as queued.
    public var email: EmailMessage { EmailMessage(to: recipient, subject: subject, text: body, messageID: messageID) }
}

/// What an appointment message must say beyond the appointment itself.
public struct AppointmentNotice: Codable, Hashable, Sendable {
    /// The hospital made the change (a secretary, an absence): the message always goes, with the reason.
    public var byHospital: Bool
    public var reason: String?
    /// A move: the time the visit had before.
    public var previousStart: Date?
    /// A reminder: how many days before the visit it goes.
    public var daysBefore: Int?

    public init(byHospital: Bool = false, reason: String? = nil, previousStart: Date? = nil, daysBefore: Int? = nil) {
        self.byHospital = byHospital
        self.reason = reason
        self.previousStart = previousStart
        self.daysBefore = daysBefore
    }
}

/// How many messages wait, were sent, failed or were skipped, by kind and channel (for the metrics).
public struct OutboxCount: Hashable, Sendable {
    public var kind: OutboxMessage.Kind
    public var channel: MessageChannel
    public var state: OutboxMessage.State
    public var count: Int

    public init(kind: OutboxMessage.Kind, channel: MessageChannel, state: OutboxMessage.State, count: Int) {
        self.kind = kind
        self.channel = channel
        self.state = state
        self.count = count
    }
}

/// The durable outbox: messages survive a crash, and with any number of senders each due
/// message is handed to one of them at a time (a lease), sent, and marked.
public protocol OutboxRepository: Sendable {
    /// Queues the message; false when one with the same key is already queued or sent.
    func enqueue(_ message: OutboxMessage) async throws -> Bool
    /// Takes up to `limit` due messages for this sender: each counts an attempt and is hidden from
    /// other senders until `leaseUntil` (a sender killed mid-send leaves it to be taken again then).
    func claim(limit: Int, now: Date, leaseUntil: Date) async throws -> [OutboxMessage]
    func markSent(id: UUID, at: Date) async throws
    /// Many at once, in one transaction: a sender marks a round's deliveries together (one commit, not one per message).
    func markSent(ids: [UUID], at: Date) async throws
    /// A failed attempt: retried at `retryAt`, or given up (state failed) when nil.
    func markFailed(id: UUID, error: String, retryAt: Date?) async throws
    /// Not sent, on purpose: the visit changed, the patient said STOP.
    func markSkipped(id: UUID, why: String) async throws
    func markSkipped(_ skipped: [(id: UUID, why: String)]) async throws
    /// Messages given up, newest first, for the administrators' page.
    func failedMessages(limit: Int) async throws -> [OutboxMessage]
    /// A failed message due again now.
    func retry(id: UUID, at: Date) async throws -> Bool
    /// The messages about these appointments (the agenda shows what was sent and what failed).
    func messages(appointmentIDs: [UUID]) async throws -> [UUID: [OutboxMessage]]
    /// Pending and failed messages by kind and channel, how many are due, and since when the oldest waits (metrics).
    func statistics(now: Date) async throws -> (counts: [OutboxCount], due: Int, oldestDue: Date?)
    /// Forgets sent and skipped messages older than `before` (failed ones stay for the page).
    func purge(before: Date) async throws -> Int
}

/// When to try again: 10 s, 20 s, 40 s… doubling up to an hour, each spread by ±50% so that a
/// relay back up is not hit by every sender at once; given up after `maximumAttempts`.
public enum OutboxPolicy {
    public static let maximumAttempts = 8
    /// Sent and skipped messages are kept this long (the agenda shows them), then forgotten.
    public static let retention: TimeInterval = 180 * 86_400

    public static func retryAt<G: RandomNumberGenerator>(after attempts: Int, now: Date, using generator: inout G) -> Date? {
        guard attempts < maximumAttempts else { return nil }
        let base = min(3_600, 10 * pow(2, Double(max(0, attempts - 1))))
        return now.addingTimeInterval(base * Double.random(in: 0.5...1.5, using: &generator))
    }
}

/// The mailer the services write to: a row in the outbox, sent by the background senders.
public struct OutboxMailer: Mailer {
    let outbox: any OutboxRepository
    let clock: Clock
    let ids: IDGenerator

    public init(outbox: any OutboxRepository, clock: Clock, ids: IDGenerator = .random) {
        self.outbox = outbox
        self.clock = clock
        self.ids = ids
    }

    public func send(_ message: EmailMessage) async throws {
        let now = clock.now()
        _ = try await outbox.enqueue(OutboxMessage(id: ids.next(), email: message, nextAttemptAt: now, createdAt: now))
    }
}
