import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import PostgresKit
import NIOCore
import NIOPosix
import SQLKit
import Testing

@Suite("PostgreSQL servers: the writable one among several, and a connection lost mid-transaction")
struct PostgresServersTests {
    /// The test database's server as a pool with a server's timeouts, and another pool to act on it from outside.
    static func pools(statement: TimeInterval) throws -> (database: Database, admin: Database) {
        let configuration = try SQLPostgresConfiguration(url: ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL", default: ""])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return (Database.postgres(configuration: configuration, logger: logger, connectionsPerEventLoop: 2,
                                  timeouts: .init(connect: 2, statement: statement)),
                Database.postgres(configuration: configuration, logger: logger, connectionsPerEventLoop: 1))
    }

    @Test("a URL's first server gone: connections go to the next, and stay there",
          .enabled(if: TestDatabase.engine == .postgres, "PostgreSQL only"))
    func firstServerGone() async throws {
        try await TestDatabase.holdingSlot { try await firstServerGoneBody() }
    }

    func firstServerGoneBody() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let live = try SQLPostgresConfiguration(url: url)
        // A port nobody listens on: what a killed primary looks like to a client.
        let socket = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let deadPort = try #require(socket.localAddress?.port)
        try await socket.close()
        var dead = live
        dead.coreConfiguration = .init(host: "127.0.0.1", port: deadPort, username: live.coreConfiguration.username,
                                       password: live.coreConfiguration.password, database: live.coreConfiguration.database, tls: .disable)
        let database = Database.postgres(servers: PostgresServers(servers: [dead, live], writableOnly: true), logger: logger,
                                         connectionsPerEventLoop: 2, timeouts: .init(connect: 5, statement: 5))
        defer { Task { await database.shutdown() } }
        for _ in 0..<5 {
            let writable = try await database.withConnection { db in
                try await db.raw("SELECT NOT pg_is_in_recovery() AS writable").first()?.decode(column: "writable", as: Bool.self)
            }
            #expect(writable == true)
        }
        // Nothing listening anywhere: a clean "unavailable", never a hang.
        let nowhere = Database.postgres(servers: PostgresServers(servers: [dead, dead], writableOnly: true), logger: logger,
                                        connectionsPerEventLoop: 1, timeouts: .init(connect: 2, statement: 5))
        defer { Task { await nowhere.shutdown() } }
        await #expect(throws: RepositoryError.self) {
            try await nowhere.withConnection { db in _ = try await db.raw("SELECT 1").all() }
        }
    }

    @Test("a backend terminated mid-transaction fails the transaction at once",
          .enabled(if: TestDatabase.engine == .postgres, "PostgreSQL only"))
    func terminatedMidTransaction() async throws {
        try await TestDatabase.holdingSlot { try await terminatedMidTransactionBody() }
    }

    func terminatedMidTransactionBody() async throws {
        // A statement limit far above the sleep: only the termination can end it early.
        let (database, admin) = try Self.pools(statement: 120)
        defer { Task { await database.shutdown(); await admin.shutdown() } }
        let started = Date()
        let killer = Task {
            // As soon as the sleep shows in pg_stat_activity (bounded: 30 s on a loaded machine).
            for _ in 0..<300 {
                let ended = try await admin.withConnection { db in
                    try await db.raw("SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60.25)'")
                        .first()?.decode(column: "n", as: Int.self) ?? 0
                }
                if ended > 0 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        await #expect(throws: (any Error).self) {
            try await database.transaction { db in
                _ = try await db.raw("SELECT 1").all()
                _ = try await db.raw("SELECT pg_sleep(60.25)").all()
            }
        }
        try await killer.value
        // Well before the sleep's own end (60 s), however loaded the machine.
        #expect(Date().timeIntervalSince(started) < 55)
        // The pool still serves.
        let one = try await database.withConnection { db in try await db.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) }
        #expect(one == 1)
    }

    @Test("a backend gone between two statements of a transaction fails the next statement at once",
          .enabled(if: TestDatabase.engine == .postgres, "PostgreSQL only"))
    func goneBetweenStatements() async throws {
        try await TestDatabase.holdingSlot { try await goneBetweenStatementsBody() }
    }

    func goneBetweenStatementsBody() async throws {
        let (database, admin) = try Self.pools(statement: 2)
        defer { Task { await database.shutdown(); await admin.shutdown() } }
        let started = Date()
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let once = OnceBox(continuation)
            Task {
                do {
                    try await database.transaction { db in
                        let pid = try await db.raw("SELECT pg_backend_pid() AS pid").first()?.decode(column: "pid", as: Int.self) ?? 0
                        try await admin.withConnection { adminDB in _ = try await adminDB.raw("SELECT pg_terminate_backend(\(literal: pid))").all() }
                        try await Task.sleep(for: .milliseconds(300))
                        _ = try await db.raw("SELECT 2").all()
                    }
                    once.resume("committed")
                } catch {
                    once.resume("threw \(error)")
                }
            }
            Task {
                try? await Task.sleep(for: .seconds(30))
                once.resume("hung")
            }
        }
        #expect(outcome.hasPrefix("threw"), "\(outcome)")
        #expect(Date().timeIntervalSince(started) < 25)
    }
}

final class OnceBox: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<String, Never>?
    init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }
    func resume(_ value: String) {
        lock.lock()
        let continuation = self.continuation
        self.continuation = nil
        lock.unlock()
        continuation?.resume(returning: value)
    }
}
