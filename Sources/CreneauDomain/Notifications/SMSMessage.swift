import Foundation

/// A text message to one mobile number.
public struct SMSMessage: Hashable, Sendable {
    /// E.164 ("+33612345678").
    public var to: String
    public var text: String
    /// The outbox's id for it: the gateway receives it as its reference, to drop a repeat.
    public var reference: String

    public init(to: String, text: String, reference: String) {
        self.to = to
        self.text = text
        self.reference = reference
    }
}

/// Sends text messages (an SMS gateway reached over HTTP, in production).
public protocol SMSSender: Sendable {
    func send(_ message: SMSMessage) async throws
}

/// A gateway's refusal: permanent ones (a number it will never reach, a 4xx other than 408/429)
/// are given up at once; the rest are retried.
public struct SMSError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: Int?
    public var summary: String
    public var isPermanent: Bool

    public init(status: Int?, summary: String, isPermanent: Bool) {
        self.status = status
        self.summary = summary
        self.isPermanent = isPermanent
    }

    public var description: String { summary }
}
