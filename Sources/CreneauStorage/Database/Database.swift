@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// Which engine a `Database` talks to. SQL is written once for both; the few
/// places that differ (transaction start, triggers, locking) switch on this.
public enum DatabaseEngine: String, Sendable {
    case sqlite
    case postgres
}

/// A pool of connections to the embedded SQLite file or to PostgreSQL, with
/// the one operation everything else builds on: run a closure on a single
/// connection, optionally inside a transaction.
public final class Database: Sendable {
    public let engine: DatabaseEngine
    let logger: Logger
    let pool: Pool
    let writeGate = WriteGate()
    /// Moves after every statement of this process that may have written (`WriteEpoch`).
    let writes = WriteEpoch()

    /// The statements this process has sent (bulk loads aside): for tests that count what a request asks.
    public var statementsSent: UInt64 { writes.statementsSent }
    /// SQLite runs queries on these threads; its own pool, so a query waiting
    /// on a lock cannot starve the rest of the process.
    private let threadPool: NIOThreadPool?
    /// SQLite only: the writers' own connection and thread. SQLite has one writer at a
    /// time anyway; on its own connection the writer never queues behind readers for
    /// a connection or a thread (a write transaction waited 10–20 ms for one under load).
    let writer: (pool: EventLoopGroupConnectionPool<SQLiteFileSource>, threads: NIOThreadPool)?
    /// PostgreSQL with `Timeouts`: how long one `withConnection` or `transaction` may hold a
    /// connection before it is closed under it. A server stopped mid-query (SIGSTOP, a dead
    /// network) never answers, and PostgreSQL's own `statement_timeout` cannot fire there;
    /// closing the connection fails the query at once (503), instead of every request that
    /// waits behind it hanging.
    private let operationDeadline: TimeAmount?

    enum Pool: Sendable {
        case sqlite(EventLoopGroupConnectionPool<SQLiteFileSource>)
        case postgres(EventLoopGroupConnectionPool<PostgresServersSource>)
    }

    /// Opens (and creates when missing) the SQLite file at `path`. The folder must exist.
    public static func sqlite(path: String, logger: Logger, connectionsPerEventLoop: Int = 2) throws -> Database {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatabaseOpenError.missingDirectory(directory)
        }
        let threadPool = NIOThreadPool(numberOfThreads: 4)
        threadPool.start()
        let source = SQLiteFileSource(path: path, threadPool: threadPool)
        let pool = EventLoopGroupConnectionPool(
            source: source,
            maxConnectionsPerEventLoop: connectionsPerEventLoop,
            requestTimeout: .seconds(30),
            pruneInterval: nil,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        let writerThreads = NIOThreadPool(numberOfThreads: 1)
        writerThreads.start()
        let writerPool = EventLoopGroupConnectionPool(
            source: SQLiteFileSource(path: path, threadPool: writerThreads),
            maxConnectionsPerEventLoop: 1,
            requestTimeout: .seconds(30),
            pruneInterval: nil,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.next()
        )
        return Database(engine: .sqlite, pool: .sqlite(pool), threadPool: threadPool, writer: (writerPool, writerThreads), logger: logger)
    }

    /// How long a server waits on PostgreSQL before a request answers 503: to connect or
    /// get a connection from the pool, and for one statement (PostgreSQL's own
    /// `statement_timeout`). Nil (no statement limit) for seeds and migrations.
    public struct Timeouts: Sendable {
        public var connect: TimeInterval
        public var statement: TimeInterval
        public init(connect: TimeInterval, statement: TimeInterval) {
            self.connect = connect
            self.statement = statement
        }
    }

    /// How long a new PostgreSQL connection may take to start (TCP and startup), whatever requests wait.
    static let connectionStartLimit: TimeInterval = 60

    /// Connects lazily to PostgreSQL; the first query reports an unreachable server.
    public static func postgres(configuration: SQLPostgresConfiguration, logger: Logger, connectionsPerEventLoop: Int = 8,
                                timeouts: Timeouts? = nil) -> Database {
        postgres(servers: PostgresServers(configuration), logger: logger, connectionsPerEventLoop: connectionsPerEventLoop, timeouts: timeouts)
    }

    /// Connects lazily to the writable server among `servers` (see `PostgresServers`).
    public static func postgres(servers: PostgresServers, logger: Logger, connectionsPerEventLoop: Int = 8,
                                timeouts: Timeouts? = nil) -> Database {
        var servers = servers
        for index in servers.servers.indices {
            servers.servers[index] = limited(servers.servers[index], by: timeouts)
        }
        let pool = EventLoopGroupConnectionPool(
            source: PostgresServersSource(servers),
            maxConnectionsPerEventLoop: connectionsPerEventLoop,
            requestTimeout: .milliseconds(Int64((timeouts?.connect ?? 10) * 1_000)),
            pruneInterval: .seconds(60),
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        return Database(engine: .postgres, pool: .postgres(pool), threadPool: nil, writer: nil, logger: logger,
                        operationDeadline: timeouts.map { .milliseconds(Int64(($0.statement + 2) * 1_000)) })
    }

    private static func limited(_ configuration: SQLPostgresConfiguration, by timeouts: Timeouts?) -> SQLPostgresConfiguration {
        var configuration = configuration
        if let timeouts {
            // Requests wait `connect` for a connection (the pool's request timeout); a new
            // connection itself gets longer to start. PostgresNIO's connect-timeout path, taken when a
            // server accepts the TCP connection but does not answer the startup (frozen, overloaded),
            // drops the half-open connection without closing it (an assertion in debug builds): with
            // a longer limit a brief freeze ends before it, and the connection simply starts late.
            configuration.coreConfiguration.options.connectTimeout = .milliseconds(Int64(max(timeouts.connect, Self.connectionStartLimit) * 1_000))
            configuration.coreConfiguration.options.additionalStartupParameters.append(("statement_timeout", "\(Int(timeouts.statement * 1_000))"))
        }
        return configuration
    }

    private init(
        engine: DatabaseEngine, pool: Pool, threadPool: NIOThreadPool?,
        writer: (pool: EventLoopGroupConnectionPool<SQLiteFileSource>, threads: NIOThreadPool)?, logger: Logger,
        operationDeadline: TimeAmount? = nil
    ) {
        self.operationDeadline = operationDeadline
        self.engine = engine
        self.pool = pool
        self.threadPool = threadPool
        self.writer = writer
        self.logger = logger
    }

    /// Runs `body` on one connection, returned to the pool afterwards. Use it
    /// for reads; writes go through `transaction`.
    public func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        do {
            switch pool {
            case .sqlite(let pool):
                let connection = try await pool.requestConnection(logger: logger).get()
                defer { pool.releaseConnection(connection, logger: logger) }
                return try await body(WriteNoticingSQL(base: connection.sql(queryLogLevel: .trace), epoch: writes))
            case .postgres(let pool):
                let connection = try await pool.requestConnection(logger: logger).get()
                defer { pool.releaseConnection(connection, logger: logger) }
                let watchdog = operationDeadline.map { deadline in
                    connection.eventLoop.scheduleTask(in: deadline) { [logger] in
                        logger.warning("Closed a database connection that did not answer in time")
                        let closing: EventLoopFuture<Void> = connection.close()
                        _ = closing
                    }
                }
                defer { watchdog?.cancel() }
                return try await body(WriteNoticingSQL(
                    base: OpenConnectionSQL(connection: connection, base: connection.sql(queryLogLevel: .trace)), epoch: writes))
            }
        } catch {
            throw StorageErrors.map(error)
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        // SQLite: take the write lock up front (IMMEDIATE) so two writers never
        // deadlock upgrading read locks; the busy timeout queues them instead.
        let begin = engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        if engine == .sqlite { await writeGate.acquire() }
        do {
            let result = try await runTransaction(begin: begin, body)
            if engine == .sqlite { await writeGate.release() }
            return result
        } catch {
            if engine == .sqlite { await writeGate.release() }
            throw error
        }
    }

    private func runTransaction<R: Sendable>(begin: String, _ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withWriterConnection { db in
            try await db.execute(begin)
            do {
                let result = try await body(db)
                try await db.execute("COMMIT")
                return result
            } catch {
                try? await db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The writers' connection on SQLite; any pooled connection on PostgreSQL.
    private func withWriterConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        guard let writer else { return try await withConnection(body) }
        do {
            let connection = try await writer.pool.requestConnection(logger: logger).get()
            defer { writer.pool.releaseConnection(connection, logger: logger) }
            return try await body(WriteNoticingSQL(base: connection.sql(queryLogLevel: .trace), epoch: writes))
        } catch {
            throw StorageErrors.map(error)
        }
    }

    /// Closes every connection. Call once, when the process stops.
    public func shutdown() async {
        if let writer {
            try? await writer.pool.shutdownAsync()
            try? await writer.threads.shutdownGracefully()
        }
        switch pool {
        case .sqlite(let pool): try? await pool.shutdownAsync()
        case .postgres(let pool): try? await pool.shutdownAsync()
        }
        try? await threadPool?.shutdownGracefully()
    }
}

public enum DatabaseOpenError: Error, CustomStringConvertible, Sendable, Equatable {
    case missingDirectory(String)

    public var description: String {
        switch self {
        case .missingDirectory(let path):
            return "The database folder \(path) does not exist. Create it, or choose another path with --database-path."
        }
    }
}

extension SQLDatabase {
    /// Runs one statement that returns no rows (DDL, BEGIN, PRAGMA…).
    func execute(_ sql: String) async throws {
        try await self.raw("\(unsafeRaw: sql)").run()
    }
}
