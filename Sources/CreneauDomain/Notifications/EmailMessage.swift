import Foundation

/// An email to one person, plain text (every mail client shows it, screen readers read it).
public struct EmailMessage: Hashable, Sendable {
    public var to: String
    public var subject: String
    public var text: String
    /// The Message-ID to send it under (the outbox's, stable across retries); nil: a new one.
    public var messageID: String?

    public init(to: String, subject: String, text: String, messageID: String? = nil) {
        self.to = to
        self.subject = subject
        self.text = text
        self.messageID = messageID
    }
}

/// Sends email. The server's mailer queues and retries, so callers never wait on a mail server
/// (and an answer takes as long whether or not an email was sent: no account enumeration).
public protocol Mailer: Sendable {
    func send(_ message: EmailMessage) async throws
}
