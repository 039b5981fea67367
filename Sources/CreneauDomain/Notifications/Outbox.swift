import Foundation

/// A message waiting in the outbox, or sent, or given up.
public struct OutboxMessage: Identifiable, Hashable, Sendable {
    public enum State: String, Codable, Sendable { case pending, sent, failed }

    public var id: UUID
    /// Same key, same message: a second copy is not queued (e.g. "confirmation:<appointment>").
    public var dedupeKey: String?
    public var email: EmailMessage
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
    public var lastError: String?

    public init(id: UUID, dedupeKey: String? = nil, email: EmailMessage, state: State = .pending, attempts: Int = 0, nextAttemptAt: Date, createdAt: Date,
                lastError: String? = nil) {
        self.id = id
        self.dedupeKey = dedupeKey
        self.email = email
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.lastError = lastError
    }

    /// Stable across retries and instances: a receiver drops a repeat by it.
    public var messageID: String { "\(id.uuidString.lowercased())@creneau" }
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
    /// A failed attempt: retried at `retryAt`, or given up (state failed) when nil.
    func markFailed(id: UUID, error: String, retryAt: Date?) async throws
    /// Messages given up, newest first, for the administrators' page.
    func failedMessages(limit: Int) async throws -> [OutboxMessage]
    /// A failed message due again now.
    func retry(id: UUID, at: Date) async throws -> Bool
}

/// When to try again: 10 s, 20 s, 40 s… doubling up to an hour, each spread by ±50% so that a
/// relay back up is not hit by every sender at once; given up after `maximumAttempts`.
public enum OutboxPolicy {
    public static let maximumAttempts = 8

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
