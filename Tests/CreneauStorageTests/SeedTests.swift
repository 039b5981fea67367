import CreneauDomain
import CreneauSeed
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@Suite("Seed data")
struct SeedTests {
    func seed(_ store: SQLStore, seed: UInt64 = 7) async throws -> Seeder.Report {
        try await Seeder(store: store, logger: Logger(label: "test")).seed(
            SeedOptions(profile: .avoine, seed: seed, today: Fixtures.today, now: Fixtures.now, demoPasswordHash: "$2b$04$testhash"))
    }

    @Test("the avoine profile holds one site, ~30 practitioners, 3 secretaries and weeks of appointments")
    func avoine() async throws {
        try await TestDatabase.with { test in
            let report = try await seed(test.store)
            #expect(report.count("sites") == 1)
            #expect(report.count("practitioners") == 30)
            #expect(report.count("appointments") > 2_000)
            #expect(Set(try await test.rows("SELECT DISTINCT duration_minutes FROM motives").map { try $0.decode(column: "duration_minutes", as: Int.self) }).count >= 4)
            let secretaries = try await test.rows("SELECT account_id FROM role_grants WHERE role = 'secretary'")
            #expect(secretaries.count == 3)
            for entry in DemoAccounts.entries {
                #expect(try await test.store.account(email: entry.email) != nil, "\(entry.email)")
            }
            // Staff have the authenticator key the README prints (base32 of the secret's bytes); patients none.
            let sandrine = try #require(try await test.store.account(email: "sandrine.leroy@avoine.demo"))
            let secret = try #require(try await test.store.totpSecret(accountID: sandrine.id))
            #expect(secret == DemoAccounts.totpSecret(for: sandrine.email))
            #expect(Self.base32(Array(secret.utf8)) == "IFLE6SKOIVJUCTSEKJEU4RKMIVJE6WKBKZHUSTSFIRCU2T2BIFAQ")
            let lea = try #require(try await test.store.account(email: "lea.martin@avoine.demo"))
            #expect(try await test.store.totpSecret(accountID: lea.id) == nil)
            // Dr Morel keeps held-back morning slots released online the evening before.
            let heldBack = try await test.rows("SELECT release_days_before, release_at_minute FROM opening_ranges WHERE release_channels IS NOT NULL")
            #expect(heldBack.count == 5)
            #expect(try heldBack.first?.decode(column: "release_at_minute", as: Int.self) == 1080)
            // Every seeded template is one an administrator could have saved (so editing one is not refused for another's slip).
            for site in try await test.store.sites() {
                for department in try await test.store.departments(siteID: site.id) {
                    let motives = try await test.store.motives(departmentID: department.id)
                    for template in try await test.store.templates(departmentID: department.id) {
                        #expect(TemplateRules.finding(in: template, departmentMotives: motives) == nil, "\(department.name)")
                    }
                }
            }
        }
    }

    /// RFC 4648 base32 without padding, as authenticator apps take keys.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0, output = ""
        for byte in bytes {
            value = (value << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(value >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(value << (5 - bits)) & 31]) }
        return output
    }

    @Test("seeded agendas never double-book a practitioner or a room")
    func noOverlap() async throws {
        try await TestDatabase.with { test in
            _ = try await seed(test.store)
            // Overlapping pairs of live appointments of one practitioner, group sessions (same slot, same motive) aside.
            let practitionerOverlaps = try await test.rows("""
                SELECT count(*) AS n FROM appointments a JOIN appointments b
                  ON a.practitioner_id = b.practitioner_id AND a.id < b.id
                 AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
                 AND NOT (a.motive_id = b.motive_id AND a.starts_at = b.starts_at)
                WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
                """)
            #expect(try practitionerOverlaps.first?.decode(column: "n", as: Int.self) == 0)
            let roomOverlaps = try await test.rows("""
                SELECT count(*) AS n FROM appointment_resources ra JOIN appointments a ON a.id = ra.appointment_id
                  JOIN appointment_resources rb ON rb.resource_id = ra.resource_id AND rb.appointment_id > ra.appointment_id
                  JOIN appointments b ON b.id = rb.appointment_id
                WHERE a.starts_at < b.ends_at AND b.starts_at < a.ends_at AND a.practitioner_id <> b.practitioner_id
                """)
            #expect(try roomOverlaps.first?.decode(column: "n", as: Int.self) == 0)
        }
    }

    @Test("the same seed gives the same data; seeding twice is refused")
    func deterministic() async throws {
        let first = try await TestDatabase.with { test in
            _ = try await seed(test.store)
            await #expect(throws: SeedError.self) { _ = try await seed(test.store) }
            return try await test.rows("SELECT id, starts_at FROM appointments ORDER BY id LIMIT 50")
                .map { "\(try $0.decode(column: "id", as: String.self))@\(try $0.decode(column: "starts_at", as: Int64.self))" }
        }
        let second = try await TestDatabase.with { test in
            _ = try await seed(test.store)
            return try await test.rows("SELECT id, starts_at FROM appointments ORDER BY id LIMIT 50")
                .map { "\(try $0.decode(column: "id", as: String.self))@\(try $0.decode(column: "starts_at", as: Int64.self))" }
        }
        #expect(first.count == 50)
        #expect(first == second)
    }
}
