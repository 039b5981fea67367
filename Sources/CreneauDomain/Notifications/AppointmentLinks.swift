import Foundation

/// Computes a keyed signature (HMAC) of a text; the key never leaves the implementation.
public protocol LinkSigner: Sendable {
    /// URL-safe text, the same for the same input and key.
    func signature(of text: String) -> String
}

/// Links in messages that work without an account: see, move or cancel an appointment, answer
/// the survey. Each carries a token `v1.<expires>.<version>.<signature>`: the signature covers
/// the appointment, the purpose, the expiry and the appointment's version (moves and status), so
/// a link is valid until the visit and dead once the appointment changes (a new message carries
/// a new link). A survey link lives 30 days after the visit and does not depend on the version.
public struct AppointmentLinks: Sendable {
    public enum Purpose: String, Sendable { case manage, survey }

    let signer: any LinkSigner
    /// The address patients reach Creneau at ("https://rdv.hopital.fr"), without a final slash.
    public let publicURL: String
    public static let surveyLifetime: TimeInterval = 30 * 86_400

    public init(signer: any LinkSigner, publicURL: String) {
        self.signer = signer
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    public func token(for appointment: Appointment, purpose: Purpose) -> String {
        let expires = Int64(expiry(of: appointment, purpose: purpose).timeIntervalSince1970)
        let version = version(of: appointment, purpose: purpose)
        return "v1.\(expires).\(version).\(signer.signature(of: Self.payload(appointment.id, purpose, expires, version)))"
    }

    /// Whether `token` was made by this server for this appointment, this purpose and its current version, and has not expired.
    public func verify(_ token: String, appointment: Appointment, purpose: Purpose, now: Date) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", parts[1].count <= 12, parts[2].count <= 12,
              let expires = Int64(parts[1]), let version = Int64(parts[2]) else { return false }
        guard version == self.version(of: appointment, purpose: purpose), Double(expires) > now.timeIntervalSince1970 else { return false }
        return ConstantTime.equals(String(parts[3]), signer.signature(of: Self.payload(appointment.id, purpose, expires, version)))
    }

    public func manageURL(_ appointment: Appointment) -> String { manageURLs(appointment).manage }

    public func moveURL(_ appointment: Appointment) -> String { manageURLs(appointment).move }

    /// The appointment's page and its move page, under one token (one signature).
    public func manageURLs(_ appointment: Appointment) -> (manage: String, move: String) {
        let base = "\(publicURL)/appointments/\(appointment.id.uuidString.lowercased())", token = token(for: appointment, purpose: .manage)
        return ("\(base)?token=\(token)", "\(base)/move?token=\(token)")
    }

    public func surveyURL(_ appointment: Appointment) -> String {
        "\(publicURL)/survey/\(appointment.id.uuidString.lowercased())?token=\(token(for: appointment, purpose: .survey))"
    }

    func expiry(of appointment: Appointment, purpose: Purpose) -> Date {
        switch purpose {
        case .manage: appointment.startsAt
        case .survey: appointment.endsAt.addingTimeInterval(Self.surveyLifetime)
        }
    }

    /// Moves so far and the status: what a patient's link must not outlive (a move, a cancellation).
    func version(of appointment: Appointment, purpose: Purpose) -> Int64 {
        guard purpose == .manage else { return 0 }
        let status = Int64(AppointmentStatus.allCases.firstIndex(of: appointment.status) ?? 0)
        return Int64(appointment.moveCount) * 8 + status
    }

    static func payload(_ id: UUID, _ purpose: Purpose, _ expires: Int64, _ version: Int64) -> String {
        "creneau-link|\(purpose.rawValue)|\(id.uuidString.lowercased())|\(expires)|\(version)"
    }
}
