import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import Testing

@testable import CreneauMail

/// A transport that fails as told: some recipients a number of times for a passing reason, some for good.
final class FlakyTransport: Mailer, @unchecked Sendable {
    let lock = NSLock()
    /// Passing failures left per recipient.
    var failing: [String: Int]
    /// Recipients the server refuses for good.
    let refused: Set<String>
    var attempts = 0
    var delivered: [EmailMessage] = []
    init(failing: [String: Int], refused: Set<String>) {
        self.failing = failing
        self.refused = refused
    }
    func send(_ message: EmailMessage) async throws {
        try lock.withLock {
            attempts += 1
            if let left = failing[message.to], left > 0 {
                failing[message.to] = left - 1
                throw SMTPError.connectionClosed
            }
            if refused.contains(message.to) { throw SMTPError.unexpectedReply(command: "RCPT", code: 550, text: "no such user") }
            delivered.append(message)
        }
    }
}

/// Text messages kept in memory, failing as told.
final class RecordingSMS: SMSSender, @unchecked Sendable {
    let lock = NSLock()
    var sent: [SMSMessage] = []
    var failure: SMSError?
    func send(_ message: SMSMessage) async throws {
        try lock.withLock {
            if let failure { throw failure }
            sent.append(message)
        }
    }
}

extension OutboxSender {
    /// The sender as `creneau serve` builds it (templates, signed links), over test transports.
    static func forTests(_ store: SQLStore, email: any Mailer, sms: any SMSSender = RecordingSMS(), clock: Clock, concurrency: Int = 8, lanes: Int = 1) throws -> OutboxSender {
        let links = AppointmentLinks(signer: try store.linkSigner(), publicURL: "https://rdv.example.org")
        let composer = NoticeComposer(renderer: try TemplateNoticeRenderer(), links: links, organizer: "rdv@hopital.test")
        return OutboxSender(outbox: store, facts: store, composer: composer, email: email, sms: sms, clock: clock, logger: Logger(label: "test"),
                            concurrency: concurrency, lanes: lanes)
    }
}

/// The durable outbox and its sender, on a real database (both engines in CI).
@Suite("Outbox: durable, retried with backoff, given up on permanent refusals, each message to one sender")
struct OutboxSenderTests {
    func queue(_ outbox: any OutboxRepository, _ to: String, at now: Date, key: String? = nil) async throws -> OutboxMessage {
        let message = OutboxMessage(id: UUID(), dedupeKey: key, email: EmailMessage(to: to, subject: to, text: "Votre code : 123456"), nextAttemptAt: now, createdAt: now)
        #expect(try await outbox.enqueue(message))
        return message
    }

    @Test("passing failures are retried later with backoff, a 5xx is given up at once, the rest is sent under a stable Message-ID")
    func retries() async throws {
        try await TestDatabase.with { test in
            let time = MovableClock()
            let transport = FlakyTransport(failing: ["a@example.org": 2], refused: ["b@example.org"])
            let sender = try OutboxSender.forTests(test.store, email: transport, clock: time.clock)
            let first = try await queue(test.store, "a@example.org", at: time.clock.now())
            _ = try await queue(test.store, "b@example.org", at: time.clock.now())
            let third = try await queue(test.store, "c@example.org", at: time.clock.now())
            // The body is sealed at rest.
            let stored = try await test.rows("SELECT body_sealed FROM outbox_messages")
            #expect(try stored.allSatisfy { !(try $0.decode(column: "body_sealed", as: String.self)).contains("123456") })

            #expect(try await sender.sendDue() == 3)  // a fails for a passing reason, b is refused for good, c goes
            #expect(transport.delivered.map(\.to) == ["c@example.org"])
            #expect(transport.delivered.first?.messageID == third.messageID)
            #expect(try await sender.sendDue() == 0)  // nothing due: a's retry waits
            time.advance(by: 3_600)
            #expect(try await sender.sendDue() == 1)  // a fails once more
            time.advance(by: 3_600)
            #expect(try await sender.sendDue() == 1)
            #expect(transport.delivered.map(\.to) == ["c@example.org", "a@example.org"])
            #expect(transport.delivered.last?.messageID == first.messageID)
            let failed = try await test.store.failedMessages(limit: 10)
            #expect(failed.map(\.email.to) == ["b@example.org"] && failed.first?.lastError?.contains("550") == true)
            // An administrator's "retry" puts it back; still refused, it fails again.
            #expect(try await test.store.retry(id: try #require(failed.first).id, at: time.clock.now()))
            #expect(try await sender.sendDue() == 1)
            #expect(try await test.store.failedMessages(limit: 10).count == 1)
            time.advance(by: 3_600)
            #expect(try await sender.sendDue() == 0)
        }
    }

    @Test("a key queues a message once; a sender killed mid-send leaves it to be taken again after its lease; two senders never share one")
    func onceAndLeases() async throws {
        try await TestDatabase.with { test in
            let time = MovableClock()
            let now = time.clock.now()
            _ = try await queue(test.store, "a@example.org", at: now, key: "confirmation:1")
            let copy = OutboxMessage(id: UUID(), dedupeKey: "confirmation:1", email: EmailMessage(to: "a@example.org", subject: "x", text: "x"), nextAttemptAt: now, createdAt: now)
            #expect(try await !test.store.enqueue(copy))
            for n in 0..<9 { _ = try await queue(test.store, "p\(n)@example.org", at: now) }

            // Two senders claim at once: disjoint sets, all ten taken.
            async let one = test.store.claim(limit: 6, now: now, leaseUntil: now.addingTimeInterval(120))
            async let two = test.store.claim(limit: 6, now: now, leaseUntil: now.addingTimeInterval(120))
            let (a, b) = try await (one, two)
            #expect(Set(a.map(\.id)).isDisjoint(with: Set(b.map(\.id))))
            #expect(a.count + b.count == 10)
            // Nobody marked them (the senders were killed): hidden until the lease ends, then taken again.
            #expect(try await test.store.claim(limit: 50, now: now.addingTimeInterval(60), leaseUntil: now.addingTimeInterval(180)).isEmpty)
            let again = try await test.store.claim(limit: 50, now: now.addingTimeInterval(121), leaseUntil: now.addingTimeInterval(300))
            #expect(again.count == 10 && again.allSatisfy { $0.attempts == 2 })
        }
    }

    @Test("drain: two rounds at once empty the outbox, each message sent once; a stop asked between rounds is heard")
    func drainInLanes() async throws {
        try await TestDatabase.with { test in
            let now = Fixtures.now
            for n in 0..<130 { _ = try await queue(test.store, "p\(n)@example.org", at: now) }
            let mailer = RecordingMailer()
            let stopped = try OutboxSender.forTests(test.store, email: mailer, clock: .fixed(now), concurrency: 4, lanes: 2)
            #expect(try await stopped.drain(while: { false }) == 0)
            #expect(mailer.messages.isEmpty)
            let sender = try OutboxSender.forTests(test.store, email: mailer, clock: .fixed(now), concurrency: 4, lanes: 2)
            #expect(sender.lanes == 2)
            #expect(try await sender.drain() == 130)
            #expect(mailer.messages.count == 130 && Set(mailer.messages.map(\.to)).count == 130)
            #expect(try await sender.drain() == 0)
        }
    }

    @Test("figures for the metrics: waiting and given-up messages by kind and channel, how many are due and since when; sent ones are forgotten after the retention")
    func figures() async throws {
        try await TestDatabase.with { test in
            let time = MovableClock()
            let now = time.clock.now()
            let due = try await queue(test.store, "a@example.org", at: now.addingTimeInterval(-600))
            _ = try await queue(test.store, "b@example.org", at: now.addingTimeInterval(3_600))
            let gone = try await queue(test.store, "c@example.org", at: now)
            try await test.store.markFailed(id: gone.id, error: "RCPT answered 550", retryAt: nil)
            let figures = try await test.store.statistics(now: now)
            #expect(figures.due == 1 && figures.oldestDue == due.nextAttemptAt)
            #expect(figures.counts.first { $0.state == .pending && $0.kind == .account && $0.channel == .email }?.count == 2)
            #expect(figures.counts.first { $0.state == .failed }?.count == 1)
            let sender = try OutboxSender.forTests(test.store, email: RecordingMailer(), clock: time.clock)
            #expect(try await sender.sendDue() == 1)
            // Kept while recent (the desk's view), forgotten after the retention; failed ones stay for the page.
            #expect(try await test.store.purge(before: now.addingTimeInterval(-60)) == 0)
            #expect(try await test.store.purge(before: now.addingTimeInterval(OutboxPolicy.retention)) == 1)
            #expect(try await test.store.failedMessages(limit: 5).count == 1)
        }
    }
}
