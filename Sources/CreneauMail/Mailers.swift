import CreneauDomain
import Foundation
import Logging

/// Sends each message through an SMTP server, from the configured sender.
public struct SMTPMailer: Mailer {
    public let client: SMTPClient
    public let from: MIMEMessage.Mailbox
    let domain: String

    public init(client: SMTPClient, from: MIMEMessage.Mailbox) {
        self.client = client
        self.from = from
        domain = String(from.address.split(separator: "@").last ?? "creneau.localhost")
    }

    public func send(_ message: EmailMessage) async throws {
        let to = try MIMEMessage.Mailbox(message.to)
        let rendered = try MIMEMessage.render(message, from: from, date: Date(), messageID: message.messageID ?? "\(UUID().uuidString.lowercased())@\(domain)")
        try await client.send(rendered: rendered, from: from.address, to: to.address)
    }
}

/// Writes each message as an `.eml` file in a directory: the embedded demo's mailbox,
/// so a newcomer can read the verification link and sign-in code without a mail server.
public struct MailDropMailer: Mailer {
    public let directory: URL
    public let from: MIMEMessage.Mailbox

    public init(directory: URL, from: MIMEMessage.Mailbox) throws {
        self.directory = directory
        self.from = from
        // Owner-only: these files hold sign-in codes.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    public func send(_ message: EmailMessage) async throws {
        let id = UUID().uuidString.lowercased()
        let rendered = try MIMEMessage.render(message, from: from, date: Date(), messageID: message.messageID ?? "\(id)@creneau.localhost")
        let stamp = Int(Date().timeIntervalSince1970 * 1_000)
        let file = directory.appendingPathComponent("\(stamp)-\(id).eml")
        guard FileManager.default.createFile(atPath: file.path, contents: Data(rendered.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}

/// Sends what the outbox holds: takes due messages under a lease, hands each to the transport
/// under its stable Message-ID, marks it sent, or schedules a retry (exponential, with jitter), or
/// gives up at once on a permanent refusal (a 5xx, an unusable address) and after
/// `OutboxPolicy.maximumAttempts`. Any number of senders may run (one per instance): each due
/// message goes to one of them at a time; a sender killed mid-send leaves its messages to be
/// taken again when their lease ends (at least once; the Message-ID lets a receiver drop a repeat).
public struct OutboxSender: Sendable {
    let outbox: any OutboxRepository
    let transport: any Mailer
    let clock: Clock
    let logger: Logger
    let batch: Int
    let lease: TimeInterval

    public init(outbox: any OutboxRepository, transport: any Mailer, clock: Clock, logger: Logger, batch: Int = 20, lease: TimeInterval = 120) {
        self.outbox = outbox
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.batch = batch
        self.lease = lease
    }

    /// One round: how many messages were taken.
    public func sendDue() async throws -> Int {
        let now = clock.now()
        let due = try await outbox.claim(limit: batch, now: now, leaseUntil: now.addingTimeInterval(lease))
        var generator = SystemRandomNumberGenerator()
        for message in due {
            do {
                try await transport.send(message.email)
                try await outbox.markSent(id: message.id, at: clock.now())
            } catch {
                let permanent = (error as? SMTPError)?.isPermanent ?? (error is MIMEMessage.InvalidHeader)
                let retryAt = permanent ? nil : OutboxPolicy.retryAt(after: message.attempts, now: clock.now(), using: &generator)
                let summary = (error as? SMTPError)?.summary ?? String(describing: type(of: error))
                try await outbox.markFailed(id: message.id, error: summary, retryAt: retryAt)
                // The recipient's domain only: an address is personal data.
                logger.log(level: retryAt == nil ? .error : .warning, retryAt == nil ? "Email given up" : "Email not delivered yet", metadata: [
                    "mail.to_domain": "\(message.email.to.split(separator: "@").last ?? "")", "error": "\(summary)", "attempts": "\(message.attempts)"])
            }
        }
        return due.count
    }
}
