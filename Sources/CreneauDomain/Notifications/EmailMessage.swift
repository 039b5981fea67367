import Foundation

/// An email to one person: plain text first (every mail client shows it, screen readers read it),
/// with an HTML version and a calendar file when it is about an appointment.
public struct EmailMessage: Hashable, Sendable {
    public var to: String
    public var subject: String
    public var text: String
    /// The Message-ID to send it under (the outbox's, stable across retries); nil: a new one.
    public var messageID: String?
    /// The same words laid out for mail clients that show HTML (the text stays the first part).
    public var html: String?
    /// A calendar invitation (REQUEST) or cancellation (CANCEL), attached as an .ics file.
    public var calendar: CalendarAttachment?

    public init(to: String, subject: String, text: String, messageID: String? = nil, html: String? = nil, calendar: CalendarAttachment? = nil) {
        self.html = html
        self.calendar = calendar
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
