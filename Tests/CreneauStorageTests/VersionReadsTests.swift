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
