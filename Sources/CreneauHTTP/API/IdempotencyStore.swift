import CreneauDomain
import Foundation
import Hummingbird
import HTTPTypes
import Synchronization

/// Requests under an `Idempotency-Key`: those in flight here (a concurrent
/// replay gets 409) and, through the store, those already answered (a replay
/// gets the stored answer; the same key with another body gets 422).
final class IdempotencyStore: Sendable {
    private let inFlight = Mutex<Set<String>>([])
    let booking: BookingService

    init(booking: BookingService) { self.booking = booking }

    func begin(scope: String, key: String) -> Bool {
        inFlight.withLock { $0.insert(scope + "\u{0}" + key).inserted }
    }

    func end(scope: String, key: String) {
        _ = inFlight.withLock { $0.remove(scope + "\u{0}" + key) }
    }

    func replay(_ key: BookingKey) async throws -> Response? {
        guard let record = try await booking.remembered(key) else { return nil }
        guard record.fingerprint == key.fingerprint else {
            throw APIError.unprocessable("This Idempotency-Key was already used for a different request. Use a new key for a new booking.", code: "idempotency_key_reused")
        }
        return Self.response(RememberedAnswer(status: record.status, body: record.body))
    }

    /// A stored answer sent again, marked as such.
    static func response(_ answer: RememberedAnswer) -> Response {
        var response = JSON.response(data: answer.body, status: HTTPResponse.Status(code: answer.status))
        response.headers[replayedHeader] = "true"
        return response
    }

    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
}

extension Booker {
    /// Idempotency keys are remembered per account; visitors share one scope.
    var idempotencyScope: String { accountID.map { "account:" + $0.uuidString.lowercased() } ?? "visitor" }
}
