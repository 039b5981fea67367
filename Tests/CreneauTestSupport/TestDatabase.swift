import CreneauDomain
import CreneauStorage
import Foundation
import Logging
import PostgresKit
import SQLKit

/// A fresh, migrated database for one test. On SQLite it is a new file; when
/// `CRENEAU_TEST_DATABASE_URL` names a PostgreSQL database it is a new schema
/// in it, so tests run in parallel without seeing each other's rows.
public struct TestDatabase: Sendable {
    public let database: Database
    public let store: SQLStore
    public let cipher: FieldCipher
    /// The file, on SQLite.
    public let sqlitePath: String?
    /// The key ring text of `cipher`, for a server process opening the same database (`CRENEAU_ENCRYPTION_KEYS`).
    public let keyRing: String
    private let cleanup: @Sendable () async -> Void
    /// Opens another pool on the same database, as a second server instance would.
    private let reopen: @Sendable () throws -> Database

    public static var engine: DatabaseEngine {
        ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"]?.isEmpty == false ? .postgres : .sqlite
    }

    /// A key ring made for tests; each test database gets a new one.
    public static func makeCipher() -> FieldCipher {
        try! FieldCipher(keyRing: FieldCipher.newKeyRingLine(id: "test-k1"))
    }

    static func makeKeyRing() -> (String, FieldCipher) {
        let line = FieldCipher.newKeyRingLine(id: "test-k1")
        return (line, try! FieldCipher(keyRing: line))
    }

    /// Opens an empty database; `migrated` applies every migration.
    static func make(migrated: Bool = true) async throws -> TestDatabase {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (keyRing, cipher) = makeKeyRing()
        let database: Database
        let cleanup: @Sendable () async -> Void
        let reopen: @Sendable () throws -> Database
        var sqlitePath: String?
        if let url = ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"], !url.isEmpty {
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = Database.postgres(configuration: try SQLPostgresConfiguration(url: url), logger: logger, connectionsPerEventLoop: 1)
            do {
                try await admin.run("CREATE SCHEMA \(schema)")
            } catch {
                await admin.shutdown()
                throw error
            }
            var configuration = try SQLPostgresConfiguration(url: url)
            configuration.searchPath = [schema]
            database = Database.postgres(configuration: configuration, logger: logger, connectionsPerEventLoop: 4)
            let (sameConfiguration, sameLogger) = (configuration, logger)
            reopen = { Database.postgres(configuration: sameConfiguration, logger: sameLogger, connectionsPerEventLoop: 2) }
            cleanup = {
                await database.shutdown()
                try? await admin.run("DROP SCHEMA \(schema) CASCADE")
                await admin.shutdown()
            }
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("test.sqlite").path
            sqlitePath = path
            database = try Database.sqlite(path: path, logger: logger)
            let sameLogger = logger
            reopen = { try Database.sqlite(path: path, logger: sameLogger) }
            cleanup = {
                await database.shutdown()
                try? FileManager.default.removeItem(at: folder)
            }
        }
        if migrated {
            do {
                try await Migrator(database: database).migrate(now: Fixtures.now)
            } catch {
                await cleanup()
                throw error
            }
        }
        return TestDatabase(database: database, store: SQLStore(database: database, cipher: cipher), cipher: cipher, sqlitePath: sqlitePath,
                            keyRing: keyRing, cleanup: cleanup, reopen: reopen)
    }

    /// Runs `body` with a fresh database and always cleans it up. Swift Testing runs every test
    /// in parallel: on PostgreSQL at most ten hold a database at once (each opens up to ten
    /// connections of a finite `max_connections`); on SQLite as many as the open-file limit
    /// allows (each connection holds two or three files; past the limit SQLite cannot open one).
    public static func with<R: Sendable>(migrated: Bool = true, _ body: (TestDatabase) async throws -> R) async throws -> R {
        try await holdingSlot {
            let test = try await make(migrated: migrated)
            do {
                let result = try await body(test)
                await test.cleanup()
                return result
            } catch {
                await test.cleanup()
                throw error
            }
        }
    }

    /// Runs `body` holding one of the engine's test-database slots, for a test that opens pools of
    /// its own on the test server (PostgreSQL's connections are finite: unslotted, such a test can
    /// find none free while ten others hold theirs).
    public static func holdingSlot<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        let slots = engine == .postgres ? DatabaseSlots.postgres : DatabaseSlots.sqlite
        await slots.acquire()
        defer { Task { await slots.release() } }
        return try await body()
    }

    /// Runs `body` with a store on a second pool to the same database (another instance); closes the pool after.
    public func withSecondInstance<R: Sendable>(_ body: (SQLStore) async throws -> R) async throws -> R {
        let other = try reopen()
        do {
            let result = try await body(SQLStore(database: other, cipher: cipher))
            await other.shutdown()
            return result
        } catch {
            await other.shutdown()
            throw error
        }
    }

    /// Raw rows of a query, for checks that look beneath the repositories.
    public func rows(_ sql: String) async throws -> [any SQLRow] {
        try await database.withConnection { db in try await db.raw("\(unsafeRaw: sql)").all() }
    }

    public func run(_ sql: String) async throws {
        try await database.run(sql)
    }
}

/// A counting semaphore for test databases.
actor DatabaseSlots {
    static let postgres = DatabaseSlots(limit: 10)
    /// About twenty-five files a database (a writer and up to four readers, each with its files),
    /// with room kept for sockets and the servers' pipes. The soft limit is raised first.
    static let sqlite = DatabaseSlots(limit: sqliteLimit(openFiles: OpenFileLimit.raiseToHard() ?? 1_024))

    static func sqliteLimit(openFiles: UInt64) -> Int {
        max(16, (Int(min(openFiles, 100_000)) - 300) / 25)
    }

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

extension Database {
    /// Runs one statement outside any repository (test set-up only).
    public func run(_ sql: String) async throws {
        try await transaction { db in try await db.raw("\(unsafeRaw: sql)").run() }
    }
}
