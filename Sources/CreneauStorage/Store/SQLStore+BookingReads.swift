import CreneauDomain
@preconcurrency import Crypto
import Foundation
import SQLKit

/// What the booking rules read, and the answers remembered under idempotency keys.
extension SQLStore {
    // MARK: Idempotency

    func insertIdempotency(_ record: IdempotencyRecord, on db: any SQLDatabase) async throws {
        try await insertRow(try IdempotencyRow(record, cipher: cipher), on: db)
    }

    public func idempotencyRecord(scope: String, key: String) async throws -> IdempotencyRecord? {
        let cipher = self.cipher
        return try await database.withConnection { db in
            guard let row = try await db.raw("""
                SELECT * FROM idempotency_keys WHERE scope = \(bind: scope) AND idempotency_key = \(bind: key)
                """).first() else { return nil }
            let body = try cipher.open(try row.string("body_sealed"), keyID: try row.string("sealed_key_id"), context: IdempotencyRow.context(scope, key))
            return IdempotencyRecord(
                scope: scope, key: key, fingerprint: try row.string("fingerprint"), status: try row.int("status"),
                body: Data(body.utf8), createdAt: try row.instant("created_at"), expiresAt: try row.instant("expires_at"))
        }
    }

    // MARK: Reads for the rules

    public func upcomingVisits(patientID: UUID, after: Date) async throws -> [UpcomingVisit] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT a.id, a.department_id, d.specialty, a.starts_at FROM appointments a JOIN departments d ON d.id = a.department_id
                WHERE a.patient_id = \(bind: Column.id(patientID)) AND a.status IN ('booked', 'arrived') AND a.ends_at > \(bind: Column.instant(after))
                ORDER BY a.starts_at
                """).all().map { row in
                UpcomingVisit(appointmentID: try row.uuid("id"), departmentID: try row.uuid("department_id"),
                              specialty: try row.string("specialty"), startsAt: try row.instant("starts_at"))
            }
        }
    }

    public func manageTokenMatches(appointmentID: UUID, token: String) async throws -> Bool {
        try await storedHash("manage_token_hash", of: "appointments", id: appointmentID, matches: token)
    }

    /// Whether `token` hashes to the hash stored in `column` of the row `id` of `table`
    /// (names are the code's constants, never input).
    func storedHash(_ column: String, of table: String, id: UUID, matches token: String) async throws -> Bool {
        let stored = try await database.withConnection { db in
            try await db.raw("SELECT \(ident: column) FROM \(ident: table) WHERE id = \(bind: Column.id(id))").first()
                .flatMap { try $0.optionalString(column) }
        }
        guard let stored else { return false }
        return Self.constantTimeEquals(Self.tokenHash(token), stored)
    }

    /// Constant time: the comparison does not tell how much of a guess was right.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let given = Array(a.utf8), expected = Array(b.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func tokenHash(_ token: String) -> String {
        // Hex by hand: String(format:) costs microseconds a byte on Linux, on every booking.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

struct IdempotencyRow: SQLRecord {
    static let table = "idempotency_keys"
    static let keyColumn = "idempotency_key"
    var record: IdempotencyRecord
    var sealed: (ciphertext: String, keyID: String)
    var key: String { record.key }

    static func context(_ scope: String, _ key: String) -> String { "idempotency_keys.body:\(scope):\(key)" }

    init(_ record: IdempotencyRecord, cipher: FieldCipher) throws {
        self.record = record
        self.sealed = try cipher.seal(String(decoding: record.body, as: UTF8.self), context: Self.context(record.scope, record.key))
    }

    init(row: any SQLRow) throws { throw CorruptRow(column: "idempotency_keys", value: "read through idempotencyRecord") }

    var columns: [(String, SQLValue)] {
        [("scope", record.scope), ("idempotency_key", record.key), ("fingerprint", record.fingerprint), ("status", record.status),
         ("body_sealed", sealed.ciphertext), ("sealed_key_id", sealed.keyID), ("created_at", Column.instant(record.createdAt)),
         ("expires_at", Column.instant(record.expiresAt))]
    }
}
