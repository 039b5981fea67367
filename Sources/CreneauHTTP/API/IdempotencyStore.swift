import CreneauDomain
import Foundation
import Hummingbird
import HTTPTypes
import Synchronization

/// Requests under an `Idempotency-Key`: those in flight here (a concurrent
/// replay gets 409) and, through the store, those already answered (a replay
/// gets the stored answer; the same key with another body gets 422).
final class IdempotencyStore: Sendable {
    /// How long an answer is kept for replays.
    static let retention: TimeInterval = 24 * 3_600

    private let inFlight = Mutex<Set<String>>([])
    let bookings: any BookingRepository

    init(bookings: any BookingRepository) { self.bookings = bookings }

    func begin(scope: String, key: String) -> Bool {
        inFlight.withLock { $0.insert(scope + "\u{0}" + key).inserted }
    }

    func end(scope: String, key: String) {
        _ = inFlight.withLock { $0.remove(scope + "\u{0}" + key) }
    }

    func replay(scope: String, key: String, fingerprint: String) async throws -> Response? {
        guard let record = try await bookings.idempotencyRecord(scope: scope, key: key) else { return nil }
        guard record.fingerprint == fingerprint else {
            throw APIError.unprocessable("This Idempotency-Key was already used for a different request. Use a new key for a new booking.", code: "idempotency_key_reused")
        }
        var response = JSON.response(data: record.body, status: HTTPResponse.Status(code: record.status))
        response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
        return response
    }
}

extension Booker {
    /// Idempotency keys are remembered per account; visitors share one scope.
    var idempotencyScope: String { accountID.map { "account:" + $0.uuidString.lowercased() } ?? "visitor" }
}
