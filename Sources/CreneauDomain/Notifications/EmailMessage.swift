import Foundation

/// An email to one person, plain text (every mail client shows it, screen readers read it).
public struct EmailMessage: Hashable, Sendable {
    public var to: String
    public var subject: String
    public var text: String

    public init(to: String, subject: String, text: String) {
        self.to = to
        self.subject = subject
        self.text = text
    }
}

/// Sends email. The server's mailer queues and retries, so callers never wait on a mail server
/// (and an answer takes as long whether or not an email was sent: no account enumeration).
public protocol Mailer: Sendable {
    func send(_ message: EmailMessage) async throws
}
