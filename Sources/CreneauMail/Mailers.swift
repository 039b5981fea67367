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
        let rendered = try MIMEMessage.render(message, from: from, date: Date(), messageID: "\(UUID().uuidString.lowercased())@\(domain)")
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
        let rendered = try MIMEMessage.render(message, from: from, date: Date(), messageID: "\(id)@creneau.localhost")
        let stamp = Int(Date().timeIntervalSince1970 * 1_000)
        let file = directory.appendingPathComponent("\(stamp)-\(id).eml")
        guard FileManager.default.createFile(atPath: file.path, contents: Data(rendered.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}

/// Hands messages to a transport in the background, retrying what fails for a
/// passing reason, so no request waits on a mail server and every answer takes as
/// long whether an email went out or not. Bounded: past `capacity` waiting messages,
/// new ones are dropped and logged (a stuck relay must not exhaust memory).
public final class MailQueue: Mailer {
    let transport: any Mailer
    let logger: Logger
    let retryDelays: [Duration]
    private let stream: AsyncStream<EmailMessage>
    private let continuation: AsyncStream<EmailMessage>.Continuation

    public init(transport: any Mailer, logger: Logger, capacity: Int = 10_000, retryDelays: [Duration] = [.seconds(2), .seconds(15), .seconds(60)]) {
        self.transport = transport
        self.logger = logger
        self.retryDelays = retryDelays
        (stream, continuation) = AsyncStream.makeStream(of: EmailMessage.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    public func send(_ message: EmailMessage) async throws {
        if case .dropped = continuation.yield(message) {
            logger.error("Email queue full: a message was dropped", metadata: ["queue.capacity": "full"])
        }
    }

    /// Stops taking messages; `run` returns once those waiting are delivered (or given up).
    public func finish() { continuation.finish() }

    /// Delivers until `finish()`; one message at a time, in order.
    public func run() async {
        for await message in stream {
            await deliver(message)
        }
    }

    func deliver(_ message: EmailMessage) async {
        var attempt = 0
        while true {
            do {
                try await transport.send(message)
                return
            } catch {
                let permanent = (error as? SMTPError)?.isPermanent ?? (error is MIMEMessage.InvalidHeader)
                guard !permanent, attempt < retryDelays.count, !Task.isCancelled else {
                    // The recipient's domain only: an address is personal data.
                    logger.error("Email not delivered", metadata: [
                        "mail.to_domain": "\(message.to.split(separator: "@").last ?? "")", "error": "\((error as? SMTPError)?.summary ?? String(describing: type(of: error)))", "attempts": "\(attempt + 1)"])
                    return
                }
                try? await Task.sleep(for: retryDelays[attempt])
                attempt += 1
            }
        }
    }
}
