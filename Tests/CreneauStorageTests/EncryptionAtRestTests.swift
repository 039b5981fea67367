import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import SQLKit
import Testing

/// "A database dump contains no plaintext reason": every value of every table,
/// read back as text, and on SQLite the raw bytes of the file and its WAL.
@Suite("Encryption at rest: a dump holds no plaintext health text")
struct EncryptionAtRestTests {
    static let reason = "Douleur thoracique depuis le 3 novembre, suivi oncologie"
    static let note = "Allergie iode - prévoir protocole"

    @Test("reasons, notes, authenticator secrets and remembered answers never appear in clear")
    func dumpScan() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            var request = fixture.request(at: BookingFixture.monday(10))
            request.reason = Self.reason
            request.notes = Self.note
            let (booked, token) = try await service.book(request, by: .visitor)
            let account = Account(id: UUID(), email: "staff@hopital.test", displayName: "Staff", createdAt: Fixtures.now)
            try await test.store.insert(account)
            let secret = "TOTPSECRETFORDUMPSCANAAAAAAAAAAA"
            try await test.store.setTOTPSecret(secret, accountID: account.id)
            // It does open with the key ring.
            #expect(try await test.store.appointment(id: booked.id)?.reason == Self.reason)

            let needles = [Self.reason, Self.note, "Douleur thoracique", secret, token]
            let tables: [String] = TestDatabase.engine == .sqlite
                ? try await test.rows("SELECT name FROM sqlite_master WHERE type = 'table'").map { try $0.decode(column: "name", as: String.self) }
                : try await test.rows("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()").map { try $0.decode(column: "name", as: String.self) }
            #expect(tables.contains("appointments") && tables.contains("idempotency_keys"))
            var scanned = 0
            for table in tables {
                for row in try await test.rows("SELECT * FROM \(table)") {
                    for column in row.allColumns {
                        guard let text = try? row.decode(column: column, as: String.self) else { continue }
                        scanned += 1
                        for needle in needles { #expect(!text.contains(needle), "\(table).\(column) holds a secret in clear") }
                    }
                }
            }
            #expect(scanned > 100)
            if TestDatabase.engine == .sqlite, let path = test.sqlitePath {
                for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                    for needle in needles { #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(file) holds \(needle.prefix(12))… in clear") }
                }
            }
        }
    }
}
