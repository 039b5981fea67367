import CreneauApp
import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import Testing

/// `creneau backup` and `creneau restore`: book, back up, restore elsewhere, the same data read
/// back through the key ring; a restore without the right keys is refused and leaves nothing; a
/// database that has tables is never restored over.
@Suite("Backup and restore (issue 20, part 4)")
struct BackupTests {
    static func configuration(database: String? = nil, url: String? = nil, keys: URL) throws -> Configuration {
        var environment = ["CRENEAU_ENCRYPTION_KEY_FILE": keys.path, "CRENEAU_LOG_LEVEL": "warning"]
        if let database { environment["CRENEAU_DATABASE_PATH"] = database }
        if let url { environment["CRENEAU_DATABASE_URL"] = url }
        return try Configuration.load(environment: environment)
    }

    /// A booking with a health text (sealed), made through the real booking service.
    static func book(_ configuration: Configuration) async throws -> UUID {
        try await Storage.with(configuration, logger: Logger(label: "backup-test")) { storage in
            _ = try await storage.migrate(configuration)
            let fixture = try await BookingFixture.make(in: storage.store)
            return try await fixture.service(store: storage.store).book(fixture.request(at: BookingFixture.monday(9)), by: .visitor).appointment.id
        }
    }

    static func reason(_ id: UUID, _ configuration: Configuration) async throws -> String? {
        try await Storage.with(configuration, logger: Logger(label: "backup-test")) { try await $0.store.appointment(id: id)?.reason }
    }

    static func refusal(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return ""
        } catch let error as CommandError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("SQLite: a consistent copy, restored into a new file with the same data; the wrong key ring or a full target refused")
    func sqlite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = folder.appendingPathComponent("keys"), otherKeys = folder.appendingPathComponent("other-keys")
        try Self.keyRing(keys, id: "k2026a")
        try Self.keyRing(otherKeys, id: "k2026b")
        let source = try Self.configuration(database: folder.appendingPathComponent("a.sqlite").path, keys: keys)
        let id = try await Self.book(source)
        let file = folder.appendingPathComponent("backup.sqlite").path

        let report = try await Commands.backup(to: file, source)
        #expect(report.migrations > 20 && report.bytes > 0 && !report.keys.isEmpty)
        #expect(report.description.contains("not in the backup"))
        #expect(await Self.refusal { _ = try await Commands.backup(to: file, source) }.contains("exists already"))

        let target = try Self.configuration(database: folder.appendingPathComponent("b.sqlite").path, keys: keys)
        let restored = try await Commands.restore(from: file, target)
        #expect(restored.hasPrefix("Restored"))
        #expect(try await Self.reason(id, target) == "Essoufflement à l'effort")

        // Another key ring: refused, naming the missing key, and no database left behind.
        let stranger = try Self.configuration(database: folder.appendingPathComponent("c.sqlite").path, keys: otherKeys)
        let refused = await Self.refusal { _ = try await Commands.restore(from: file, stranger) }
        #expect(refused.contains("lacks the key") && report.keys.allSatisfy { refused.contains($0) }, "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("c.sqlite").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("c.sqlite.restoring").path))
        // Never over a database that has data.
        #expect(await Self.refusal { _ = try await Commands.restore(from: file, target) }.contains("holds a database already"))
        #expect(await Self.refusal { _ = try await Commands.restore(from: folder.appendingPathComponent("none").path, target) }.contains("Cannot open"))
    }

    @Test("PostgreSQL: pg_dump while serving, pg_restore into an empty database, the same data; a database with tables refused",
          .enabled(if: ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL", default: ""].isEmpty == false, "needs CRENEAU_TEST_DATABASE_URL"))
    func postgres() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two fresh databases on the test cluster.
        let suffix = UUID().uuidString.prefix(8).lowercased()
        func database(_ name: String) async throws -> String {
            var components = try #require(URLComponents(string: url))
            let created = "backup_\(name)_\(suffix)"
            let admin = try await Self.psql(url, "CREATE DATABASE \(created)")
            #expect(admin.status == 0, "\(admin.output)")
            components.path = "/" + created
            return try #require(components.string)
        }
        let keys = folder.appendingPathComponent("keys")
        try Self.keyRing(keys, id: "k2026a")
        let source = try Self.configuration(url: try await database("source"), keys: keys)
        let id = try await Self.book(source)
        let file = folder.appendingPathComponent("backup.dump").path
        let report = try await Commands.backup(to: file, source)
        #expect(report.bytes > 0 && !report.keys.isEmpty)
        let target = try Self.configuration(url: try await database("target"), keys: keys)
        #expect(try await Commands.restore(from: file, target).hasPrefix("Restored"))
        #expect(try await Self.reason(id, target) == "Essoufflement à l'effort")
        #expect(await Self.refusal { _ = try await Commands.restore(from: file, target) }.contains("holds tables already"))
    }

    static func keyRing(_ file: URL, id: String) throws {
        try Data((FieldCipher.newKeyRingLine(id: id) + "\n").utf8).write(to: file)
    }

    static func psql(_ url: String, _ sql: String) async throws -> (status: Int32, output: String) {
        let tool = try #require(Peers.psql)
        let run = try await ChildProcess.run(URL(fileURLWithPath: tool), [url, "-q", "-c", sql], timeout: 60)
        return (run.status, run.text)
    }
}
