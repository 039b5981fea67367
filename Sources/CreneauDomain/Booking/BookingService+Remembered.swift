import Foundation

/// Where a caller's answer to a booking is remembered, so that the same request sent again
/// (a retry after a lost answer, a double click, a reload, on any instance) gets that answer
/// instead of a second appointment. The API keys it by `Idempotency-Key`, the forms by a key
/// of their own; `fingerprint` tells the same request from another one under the same key.
public struct BookingKey: Hashable, Sendable {
    public var scope: String
    public var key: String
    public var fingerprint: String

    /// How long an answer is kept for replays.
    public static let retention: TimeInterval = 24 * 3_600

    public init(scope: String, key: String, fingerprint: String) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// What a surface answers for a booking, stored with it: its status and body.
public struct RememberedAnswer: Hashable, Sendable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

extension BookingService {
    public enum KeyedOutcome: Sendable {
        /// Booked now; `answer` is what was remembered with it.
        case booked(Prepared, answer: RememberedAnswer)
        /// This request was booked before (here or on another instance): its first answer.
        case replayed(RememberedAnswer)
    }

    /// The one booking path of every surface: prepare, let the surface write its answer,
    /// commit the appointment and the answer in one transaction. `answer` turns the prepared
    /// booking into what the caller will reply.
    ///
    /// A copy of this request may have been booked by another instance meanwhile: its own booking
    /// then makes this slot "taken" (or the patient's limit reached). With a key, such a refusal
    /// gives way to the first answer, never inviting the caller to book a second slot.
    public func book(
        _ request: BookingRequest, by booker: Booker, key: BookingKey?, answer: (Prepared) throws -> RememberedAnswer
    ) async throws -> KeyedOutcome {
        do {
            let prepared = try await prepare(request, by: booker)
            let answered = try answer(prepared)
            let now = deps.clock.now()
            let record = key.map {
                IdempotencyRecord(scope: $0.scope, key: $0.key, fingerprint: $0.fingerprint, status: answered.status, body: answered.body,
                                  createdAt: now, expiresAt: now.addingTimeInterval(BookingKey.retention))
            }
            _ = try await commit(prepared, idempotency: record)
            return .booked(prepared, answer: answered)
        } catch let error where error is IdempotencyKeyUsed || error is BookingError {
            if let key, let record = try await remembered(key), record.fingerprint == key.fingerprint {
                return .replayed(RememberedAnswer(status: record.status, body: record.body))
            }
            throw error
        }
    }

    /// The answer stored under `key`, whatever request it was for (the caller compares fingerprints).
    public func remembered(_ key: BookingKey) async throws -> IdempotencyRecord? {
        guard !key.key.isEmpty else { return nil }
        return try await deps.bookings.idempotencyRecord(scope: key.scope, key: key.key)
    }
}
