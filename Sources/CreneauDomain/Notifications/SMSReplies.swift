import Foundation

/// Marks every patient record with this number as having answered STOP (or START again).
public protocol SMSConsentRepository: Sendable {
    /// The records whose phone is this E.164 number; `stoppedAt` nil resumes. Returns how many.
    func setSMSStopped(e164: String, at stoppedAt: Date?) async throws -> Int
}

/// What patients answer to our SMS, as the gateway forwards it: STOP (or ARRET, the French
/// operators' other word) ends every SMS to that number at once — reminders already planned are
/// skipped when due —, START resumes. Anything else is not for a machine: it is ignored (the
/// messages say not to reply).
public struct SMSReplies: Sendable {
    public enum Outcome: String, Sendable { case stopped, resumed, ignored }

    let consent: any SMSConsentRepository
    let clock: Clock

    public init(consent: any SMSConsentRepository, clock: Clock) {
        self.consent = consent
        self.clock = clock
    }

    public static func keyword(_ text: String) -> Outcome {
        let word = text.trimmed.uppercased().split(whereSeparator: { !$0.isLetter }).first.map(String.init) ?? ""
        switch word {
        case "STOP", "ARRET", "ARRÊT", "UNSUBSCRIBE": return .stopped
        case "START", "UNSTOP": return .resumed
        default: return .ignored
        }
    }

    /// `from` as the gateway gives it (E.164 or French national); nil when it is not a number.
    public func received(from: String, text: String) async throws -> Outcome? {
        guard let number = PhoneNumber(from) else { return nil }
        let outcome = Self.keyword(String(text.prefix(160)))
        switch outcome {
        case .stopped: _ = try await consent.setSMSStopped(e164: number.e164, at: clock.now())
        case .resumed: _ = try await consent.setSMSStopped(e164: number.e164, at: nil)
        case .ignored: break
        }
        return outcome
    }
}
