@testable import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Version reads shared by concurrent callers")
struct VersionReadsTests {
    @Test("fifty concurrent callers get their own keys' versions from a few queries; a change committed before a call is seen by it")
    func shared() async throws {
        try await TestDatabase.with { test in
            let keys = (0..<50).map { "owner-\($0)" }
            for (index, key) in keys.enumerated() where index % 2 == 0 {
                try await test.run("INSERT INTO agenda_versions (owner_id, version) VALUES ('\(key)', \(index + 1))")
            }
            let reads = VersionReads()
            let answers = try await withThrowingTaskGroup(of: (String, Int64?).self) { group in
                for key in keys { group.addTask { (key, try await reads.read([key, "*"], from: test.store.database)[key]) } }
                return try await group.reduce(into: [String: Int64?]()) { $0[$1.0] = $1.1 }
            }
            for (index, key) in keys.enumerated() {
                #expect(answers[key] == Int64(index % 2 == 0 ? index + 1 : 0), "\(key)")
            }
            #expect(reads.queryCount < 50)
            #expect(reads.queryCount >= 1)
            try await test.run("UPDATE agenda_versions SET version = 99 WHERE owner_id = 'owner-0'")
            #expect(try await reads.read(["owner-0"], from: test.store.database) == ["owner-0": 99])
        }
    }
}

@Suite("Version reads with a lag for other instances")
struct VersionReadsLagTests {
    func global(_ test: TestDatabase) async throws -> Int64 {
        try await test.store.database.withConnection { db in
            try #require(try await db.raw("SELECT version FROM agenda_versions WHERE owner_id = '#'").first()).decode(column: "version", as: Int64.self)
        }
    }

    @Test("the global version moves with every version that moves, once per transaction on PostgreSQL, and not when nothing moved")
    func globalVersion() async throws {
        try await TestDatabase.with { test in
            let start = try await global(test)
            try await test.run("INSERT INTO agenda_versions (owner_id, version) VALUES ('owner-a', 1)")
            let afterInsert = try await global(test)
            #expect(afterInsert > start)
            // The booking writer's bracket: an upsert that leaves the version as it is.
            try await test.run("UPDATE agenda_versions SET version = version WHERE owner_id = 'owner-a'")
            #expect(try await global(test) == afterInsert)
            try await test.store.database.transaction { db in
                for _ in 0..<3 { try await db.raw("UPDATE agenda_versions SET version = version + 1 WHERE owner_id = 'owner-a'").run() }
            }
            let afterThree = try await global(test)
            #expect(afterThree > afterInsert)
            if TestDatabase.engine == .postgres { #expect(afterThree == afterInsert + 1) }
            // Any change to an agenda moves it, through the existing triggers (a configuration change here).
            let org = try await Fixtures.organisation(in: test.store)
            _ = org
            #expect(try await global(test) > afterThree)
        }
    }

    @Test("with a lag, warm calls ask nothing; this process's own write is seen by the next call at once")
    func ownWritesAtOnce() async throws {
        try await TestDatabase.with { test in
            try await test.run("INSERT INTO agenda_versions (owner_id, version) VALUES ('owner-a', 5)")
            let reads = VersionReads(peerLag: .seconds(3_600))
            let database = test.store.database
            #expect(try await reads.read(["owner-a", "*"], from: database)["owner-a"] == 5)
            #expect(reads.queryCount == 1)
            for _ in 0..<20 { #expect(try await reads.read(["owner-a"], from: database) == ["owner-a": 5]) }
            #expect(reads.queryCount == 1)
            // A key not read yet is read (once), and then held too.
            #expect(try await reads.read(["owner-a", "owner-b"], from: database) == ["owner-a": 5, "owner-b": 0])
            #expect(try await reads.read(["owner-b"], from: database) == ["owner-b": 0])
            #expect(reads.queryCount == 2)
            // Written through this process's own pool, even outside a transaction: seen by the very next call.
            try await database.withConnection { db in try await db.raw("UPDATE agenda_versions SET version = 6 WHERE owner_id = 'owner-a'").run() }
            #expect(try await reads.read(["owner-a"], from: database) == ["owner-a": 6])
            #expect(reads.queryCount == 3)
            // A plain read does not make the next call ask again.
            _ = try await database.withConnection { db in try await db.raw("SELECT 1 AS one").all() }
            #expect(try await reads.read(["owner-a"], from: database) == ["owner-a": 6])
            #expect(reads.queryCount == 3)
        }
    }

    @Test("another instance's change shows once the lag has passed, and a zero lag sees it at once")
    func otherInstancesWithinTheLag() async throws {
        try await TestDatabase.with { test in
            try await test.run("INSERT INTO agenda_versions (owner_id, version) VALUES ('owner-a', 5)")
            let lagged = VersionReads(peerLag: .milliseconds(50))
            let exact = VersionReads()
            let database = test.store.database
            #expect(try await lagged.read(["owner-a"], from: database) == ["owner-a": 5])
            #expect(try await exact.read(["owner-a"], from: database) == ["owner-a": 5])
            try await test.withSecondInstance { other in
                try await other.database.withConnection { db in try await db.raw("UPDATE agenda_versions SET version = 7 WHERE owner_id = 'owner-a'").run() }
            }
            #expect(try await exact.read(["owner-a"], from: database) == ["owner-a": 7])
            try await Task.sleep(for: .milliseconds(60))
            #expect(try await lagged.read(["owner-a"], from: database) == ["owner-a": 7])
        }
    }

    @Test("statements are told apart: only a plain SELECT is a read")
    func classification() {
        for sql in ["SELECT 1", "  select owner_id FROM x", "\n(SELECT a) UNION (SELECT b)", "Select\tversion"] {
            #expect(WriteNoticingSQL.isSelect(sql), "\(sql)")
        }
        for sql in ["INSERT INTO x VALUES (1)", "UPDATE x SET a = 1", "WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d",
                    "COMMIT", "BEGIN IMMEDIATE", "PRAGMA wal_checkpoint", "SELECTED", "select_thing()", "", "SELEC"] {
            #expect(!WriteNoticingSQL.isSelect(sql), "\(sql)")
        }
    }
}
