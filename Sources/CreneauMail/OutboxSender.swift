import CreneauDomain
import Foundation
import Logging

/// Sends what the outbox holds: takes due messages under a lease, writes each appointment message
/// from the appointment as it is now (or skips it: the visit moved, was cancelled, STOP), hands it
/// to its channel's transport under its stable Message-ID, marks it sent, or schedules a retry
/// (exponential, with jitter), or gives up at once on a permanent refusal (an SMTP 5xx, a gateway
/// 4xx, an unusable address) and after `OutboxPolicy.maximumAttempts`. Any number of senders may
/// run (one per instance): each due message goes to one of them at a time; a sender killed
/// mid-send leaves its messages to be taken again when their lease ends (at least once; the
/// Message-ID, and the SMS reference, let a receiver drop a repeat).
public struct OutboxSender: Sendable {
    let outbox: any OutboxRepository
    let facts: any NoticeFactsRepository
    let composer: NoticeComposer
    let email: any Mailer
    let sms: any SMSSender
    let clock: Clock
    let logger: Logger
    let batch: Int
    let lease: TimeInterval
    /// Messages in flight at once: a relay or gateway answers in tens of milliseconds, and the
    /// sender waits on them, not on the processor.
    let concurrency: Int
    /// Rounds under way at once (`drain`): while one round claims or marks its messages, a commit
    /// each, the other's are on the wire. The messages in flight are shared between them.
    public let lanes: Int
    /// Told of each message's outcome ("sent", "skipped", "retry", "failed"), for the metrics.
    let observe: @Sendable (OutboxMessage, String) -> Void

    public init(outbox: any OutboxRepository, facts: any NoticeFactsRepository, composer: NoticeComposer, email: any Mailer, sms: any SMSSender,
                clock: Clock, logger: Logger, batch: Int = 50, lease: TimeInterval = 120, concurrency: Int = 8, lanes: Int = 1,
                observe: @escaping @Sendable (OutboxMessage, String) -> Void = { _, _ in }) {
        self.observe = observe
        self.outbox = outbox
        self.facts = facts
        self.composer = composer
        self.email = email
        self.sms = sms
        self.clock = clock
        self.logger = logger
        self.batch = batch
        self.lease = lease
        self.lanes = min(max(1, lanes), max(1, concurrency))
        self.concurrency = max(1, max(1, concurrency) / self.lanes)
    }

    /// Sends until nothing is due (or `keepGoing` says stop, checked between rounds), `lanes` rounds
    /// at a time: how many messages were taken.
    public func drain(while keepGoing: @escaping @Sendable () -> Bool = { true }) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<lanes {
                group.addTask {
                    var taken = 0
                    while keepGoing() && !Task.isCancelled {
                        let round = try await self.sendDue()
                        guard round > 0 else { return taken }
                        taken += round
                    }
                    return taken
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// One round: how many messages were taken.
    public func sendDue() async throws -> Int {
        let now = clock.now()
        let claimed = try await outbox.claim(limit: batch, now: now, leaseUntil: now.addingTimeInterval(lease))
        guard !claimed.isEmpty else { return 0 }
        var due = claimed
        let known = try await facts.noticeFacts(appointmentIDs: due.compactMap(\.appointmentID))
        // An offer that ended before its message left is not sent (its withdrawal notice is).
        let offerIDs = due.filter { $0.kind == .offer }.compactMap(\.offerID)
        let live = offerIDs.isEmpty ? [] : try await facts.liveOffers(ids: offerIDs)
        // Deliveries are marked together at the end of the round (one commit): a sender killed before
        // that sends them again under the same Message-ID, which the receiver drops.
        var sent: [UUID] = [], skipped: [(id: UUID, why: String)] = []
        due.removeAll { message in
            guard message.kind == .offer, let offer = message.offerID, !live.contains(offer) else { return false }
            skipped.append((message.id, "The offer ended before this message left."))
            return true
        }
        await withTaskGroup(of: Outcome.self) { group in
            var next = due.makeIterator()
            for _ in 0..<concurrency {
                guard let message = next.next() else { break }
                group.addTask { await self.deliver(message, facts: message.appointmentID.flatMap { known[$0] }) }
            }
            while let outcome = await group.next() {
                switch outcome {
                case .sent(let id): sent.append(id)
                case .skipped(let id, let why): skipped.append((id, why))
                case .failed: break
                }
                guard let message = next.next() else { continue }
                group.addTask { await self.deliver(message, facts: message.appointmentID.flatMap { known[$0] }) }
            }
        }
        try await outbox.markSent(ids: sent, at: clock.now())
        try await outbox.markSkipped(skipped)
        let sentIDs = Set(sent), skippedIDs = Set(skipped.map(\.id))
        for message in claimed where sentIDs.contains(message.id) { observe(message, "sent") }
        for message in claimed where skippedIDs.contains(message.id) { observe(message, "skipped") }
        return claimed.count
    }

    enum Outcome: Sendable {
        case sent(UUID)
        case skipped(UUID, String)
        case failed
    }

    func deliver(_ message: OutboxMessage, facts: NoticeFacts?) async -> Outcome {
        do {
            switch try composer.compose(message, facts: facts, now: clock.now()) {
            case .skip(let why):
                return .skipped(message.id, why)
            case .send(let composed):
                switch composed.channel {
                case .email:
                    try await email.send(EmailMessage(to: composed.to, subject: composed.subject, text: composed.text, messageID: composed.messageID,
                                                      html: composed.html, calendar: composed.calendar))
                case .sms:
                    try await sms.send(SMSMessage(to: composed.to, text: composed.text, reference: message.id.uuidString.lowercased()))
                }
                return .sent(message.id)
            }
        } catch {
            await failed(message, error)
            return .failed
        }
    }

    func failed(_ message: OutboxMessage, _ error: any Error) async {
        let permanent = (error as? SMTPError)?.isPermanent ?? (error as? SMSError)?.isPermanent ?? (error is MIMEMessage.InvalidHeader)
        var generator = SystemRandomNumberGenerator()
        let retryAt = permanent ? nil : OutboxPolicy.retryAt(after: message.attempts, now: clock.now(), using: &generator)
        let summary = (error as? SMTPError)?.summary ?? (error as? SMSError)?.summary ?? String(describing: type(of: error))
        observe(message, retryAt == nil ? "failed" : "retry")
        do {
            try await outbox.markFailed(id: message.id, error: summary, retryAt: retryAt)
        } catch {
            // The lease brings it back: it is taken again when the database answers.
            logger.warning("Could not record a failed message", metadata: ["error": "\(String(describing: type(of: error)))"])
        }
        // The recipient's domain only (or the country code): an address is personal data.
        let where_ = message.channel == .email ? String(message.recipient.split(separator: "@").last ?? "") : String(message.recipient.prefix(3))
        logger.log(level: retryAt == nil ? .error : .warning, retryAt == nil ? "Message given up" : "Message not delivered yet", metadata: [
            "message.channel": "\(message.channel.rawValue)", "message.kind": "\(message.kind.rawValue)", "message.to": "\(where_)",
            "error": "\(summary)", "attempts": "\(message.attempts)"])
    }
}

/// Writes each SMS as a text file in a directory: the embedded demo's phone, so a newcomer can
/// read what a patient without email receives (and follow its link) with no gateway.
public struct SMSDropSender: SMSSender {
    public let directory: URL

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    public func send(_ message: SMSMessage) async throws {
        let stamp = Int(Date().timeIntervalSince1970 * 1_000)
        let file = directory.appendingPathComponent("\(stamp)-\(message.reference).txt")
        let content = "To: \(message.to)\nSegments: \(SMSText.segments(of: message.text))\n\n\(message.text)\n"
        guard FileManager.default.createFile(atPath: file.path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
