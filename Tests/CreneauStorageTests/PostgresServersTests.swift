import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import PostgresKit
import SQLKit
import NIOCore
import NIOPosix
import Testing

@Suite("PostgreSQL servers: the writable one among several, and a connection lost mid-transaction")
struct PostgresServersTests {
    @Test("a URL's first server gone: connections go to the next, and stay there",
          .enabled(if: TestDatabase.engine == .postgres, "PostgreSQL only"))
    func firstServerGone() async throws {
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
                                         connectionsPerEventLoop: 2, timeouts: .init(connect: 2, statement: 5))
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
        let url = try #require(ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"])
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = Database.postgres(configuration: try SQLPostgresConfiguration(url: url), logger: logger, connectionsPerEventLoop: 2,
                                         timeouts: .init(connect: 2, statement: 10))
        let admin = Database.postgres(configuration: try SQLPostgresConfiguration(url: url), logger: logger, connectionsPerEventLoop: 1)
        defer { Task { await database.shutdown(); await admin.shutdown() } }
        let started = Date()
        let killer = Task {
            try await Task.sleep(for: .milliseconds(500))
            try await admin.withConnection { db in
                _ = try await db.raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3%'").all()
            }
        }
        await #expect(throws: (any Error).self) {
            try await database.transaction { db in
                _ = try await db.raw("SELECT 1").all()
                _ = try await db.raw("SELECT pg_sleep(3.1)").all()
            }
        }
        try await killer.value
        #expect(Date().timeIntervalSince(started) < 2.5)
        // The pool still serves.
        let one = try await database.withConnection { db in try await db.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) }
        #expect(one == 1)
    }

    @Test("a backend gone between two statements of a transaction fails the next statement at once",
          .enabled(if: TestDatabase.engine == .postgres, "PostgreSQL only"))
    func goneBetweenStatements() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"])
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = Database.postgres(configuration: try SQLPostgresConfiguration(url: url), logger: logger, connectionsPerEventLoop: 2,
                                         timeouts: .init(connect: 2, statement: 2))
        let admin = Database.postgres(configuration: try SQLPostgresConfiguration(url: url), logger: logger, connectionsPerEventLoop: 1)
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
                try? await Task.sleep(for: .seconds(8))
                once.resume("hung")
            }
        }
        #expect(outcome.hasPrefix("threw"), "\(outcome)")
        #expect(Date().timeIntervalSince(started) < 6)
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
