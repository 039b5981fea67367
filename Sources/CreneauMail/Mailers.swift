import CreneauDomain
import Foundation
import Logging

/// Sends each message through an SMTP server, from the configured sender: over connections kept
/// open between messages (`SMTPSessionPool`), or one connection per message.
public struct SMTPMailer: Mailer {
    public let client: SMTPClient
    public let from: MIMEMessage.Mailbox
    let domain: String
    let pool: SMTPSessionPool?

    public init(client: SMTPClient, from: MIMEMessage.Mailbox, reuseConnections: Bool = false) throws {
        self.client = client
        self.from = from
        domain = String(from.address.split(separator: "@").last ?? "creneau.localhost")
        pool = reuseConnections ? try SMTPSessionPool(client: client) : nil
    }

    public func send(_ message: EmailMessage) async throws {
        let to = try MIMEMessage.Mailbox(message.to)
        let rendered = try MIMEMessage.render(message, from: from, date: Date(), messageID: message.messageID ?? "\(UUID().uuidString.lowercased())@\(domain)")
        if let pool {
            try await pool.send(rendered: rendered, from: from.address, to: to.address)
        } else {
            try await client.send(rendered: rendered, from: from.address, to: to.address)
        }
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

