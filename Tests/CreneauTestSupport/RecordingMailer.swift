import CreneauDomain
import Foundation
import Synchronization

/// A mailer that keeps what it is asked to send, for tests to read links and codes from.
public final class RecordingMailer: Mailer {
    private let sent = Mutex<[EmailMessage]>([])

    public init() {}

    public func send(_ message: EmailMessage) async throws {
        sent.withLock { $0.append(message) }
    }

    public var messages: [EmailMessage] { sent.withLock { $0 } }

    public func messages(to address: String) -> [EmailMessage] { messages.filter { $0.to == address } }

    /// The value of `name=` in the last link sent to `address` ("token").
    public func lastLinkParameter(_ name: String, to address: String) -> String? {
        guard let text = messages(to: address).last?.text,
              let range = text.range(of: "\(name)=") else { return nil }
        return String(text[range.upperBound...].prefix { !$0.isWhitespace })
    }

    /// The six-digit code of the last sign-in email sent to `address`.
    public func lastCode(to address: String) -> String? {
        guard let subject = messages(to: address).last?.subject else { return nil }
        let digits = subject.split(separator: " ").last.map(String.init) ?? ""
        return digits.count == 6 && digits.allSatisfy(\.isNumber) ? digits : nil
    }
}
