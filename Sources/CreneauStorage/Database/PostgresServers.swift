@preconcurrency import AsyncKit
import CreneauDomain
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresKit
import PostgresNIO

/// Where PostgreSQL is: one server, or a primary and its standbys listed in the URL
/// (`postgres://user@db-a:5432,db-b:5432/creneau?target_session_attrs=read-write`, libpq's form,
/// so `pg_dump` reads the same URL). With `writableOnly`, a new connection goes to the first
/// server that accepts writes: after a failover (the standby promoted, the old primary gone)
/// the pool's next connections find the new primary by themselves, without a restart.
public struct PostgresServers: Sendable {
    public var servers: [SQLPostgresConfiguration]
    /// Skip servers in recovery (standbys): Creneau writes on every booking.
    public var writableOnly: Bool

    public init(servers: [SQLPostgresConfiguration], writableOnly: Bool) {
        self.servers = servers
        self.writableOnly = writableOnly
    }

    public init(_ server: SQLPostgresConfiguration) {
        self.init(servers: [server], writableOnly: false)
    }
}

/// Opens connections for the pool, trying each listed server in turn, the last one that
/// served first (so a dead primary costs a refused connection once, not on every new
/// connection). A standby answers `pg_is_in_recovery()` true and is passed over when
/// `writableOnly`; none writable is `RepositoryError.unavailable` — a 503, never a write
/// refused half-way by a read-only server.
struct PostgresServersSource: ConnectionPoolSource, Sendable {
    let servers: [SQLPostgresConfiguration]
    let writableOnly: Bool
    private let preferred = NIOLockedValueBox(0)
    private static let ids = NIOLockedValueBox(0)

    init(_ servers: PostgresServers) {
        self.servers = servers.servers
        self.writableOnly = servers.writableOnly
    }

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<PostgresConnection> {
        let first = preferred.withLockedValue { $0 }
        let order = servers.indices.map { (first + $0) % servers.count }
        return eventLoop.makeFutureWithTask { [self] in
            var lastProblem: (any Error)?
            for index in order {
                do {
                    let connection = try await open(index, logger: logger, on: eventLoop)
                    if index != first {
                        preferred.withLockedValue { $0 = index }
                        if servers.count > 1 { logger.notice("PostgreSQL: now connecting to server \(index + 1) of \(servers.count)") }
                    }
                    return connection
                } catch {
                    lastProblem = error
                }
            }
            if servers.count > 1 {
                throw RepositoryError.unavailable("no writable PostgreSQL server among the \(servers.count) listed (\(lastProblem.map { String(describing: type(of: $0)) } ?? "none"))")
            }
            throw lastProblem ?? RepositoryError.unavailable("no PostgreSQL server")
        }
    }

    private func open(_ index: Int, logger: Logger, on eventLoop: any EventLoop) async throws -> PostgresConnection {
        let server = servers[index]
        let id = Self.ids.withLockedValue { $0 += 1; return $0 }
        let connection = try await PostgresConnection.connect(on: eventLoop, configuration: server.coreConfiguration, id: id, logger: logger).get()
        do {
            if writableOnly {
                let rows = try await connection.query("SELECT pg_is_in_recovery()", logger: logger)
                var standby = true
                for try await inRecovery in rows.decode(Bool.self) { standby = inRecovery }
                if standby { throw StandbyServer(index: index) }
            }
            if let searchPath = server.searchPath {
                _ = try await connection.sql(queryLogLevel: nil).raw("SET search_path TO \(idents: searchPath, joinedBy: ",")").all()
            }
            return connection
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The server answered but is a standby (in recovery): it cannot take a booking.
    struct StandbyServer: Error {
        let index: Int
    }
}
