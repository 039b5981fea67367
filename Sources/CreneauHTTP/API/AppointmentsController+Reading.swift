import CreneauDomain
import Crypto
import Foundation
import Hummingbird

/// What a booking request carries besides its body: the idempotency key, the manage token,
/// the request's fingerprint, its instants and channel.
extension AppointmentsController {
    static func idempotencyKey(_ request: Request) throws -> String {
        guard let key = request.headers[idempotencyKeyHeader], !key.isEmpty else {
            throw APIError.badRequest("Send an Idempotency-Key header (a new random UUID for each booking) so that a retry never books twice.", code: "missing_idempotency_key")
        }
        // Visitors share one scope, so a key must be too random to guess: a UUID is 36 characters.
        guard (16...255).contains(key.utf8.count), key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw APIError.badRequest("The Idempotency-Key must be 16 to 255 visible ASCII characters: send a new random UUID for each booking.",
                                      code: "invalid_idempotency_key")
        }
        return key
    }

    static func manageToken(_ request: Request) -> String? {
        request.headers[manageTokenHeader].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A digest of the request. A JSON body is taken in canonical form (keys sorted), so that a
    /// client that rebuilds the same body in another key order is still recognised as replaying.
    static func fingerprint(method: String, path: String, body: ByteBuffer) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(path)\n".utf8))
        let raw = Data(buffer: body)
        if let object = try? JSONSerialization.jsonObject(with: raw, options: [.fragmentsAllowed]),
           let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) {
            hasher.update(data: canonical)
        } else {
            hasher.update(data: raw)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func instant(_ text: String?, field: String, now: Date) throws -> Date {
        try InputDates.instant(rfc3339: text, field: field, now: now)
    }

    static func channel(_ text: String?) throws -> Channel {
        guard let text else { return .online }
        guard let channel = Channel(rawValue: text) else {
            throw APIError.badRequest("\"channel\" must be one of: online, phone, desk, referral, practitioner.", code: "invalid_field")
        }
        return channel
    }
}
