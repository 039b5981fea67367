import CreneauDomain
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A PostgreSQL connection's SQL, refusing at once a statement sent after the server closed it.
///
/// PostgresNIO writes each query to its channel without a completion for the write: a query
/// written after the channel closed (a server killed, restarted, failed over or
/// `pg_terminate_backend` while the transaction was between two statements) is dropped and
/// never answers — not even when the connection is closed afterwards. One such statement in a
/// booking batch held the batch, and every booking behind it, forever (seen in the failover
/// test). The channel's state changes only on its event loop, so checking it there, in the same
/// turn as the write, leaves no window: either the query is written while the channel is
/// open (and PostgresNIO fails it properly if it closes later) or it is refused here.
struct OpenConnectionSQL: WrappedSQLDatabase {
    let connection: PostgresConnection
    let base: any SQLDatabase

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let (connection, base) = (self.connection, self.base)
        // On the loop, PostgresKit encodes and writes within this turn (its futures are already complete).
        return connection.eventLoop.flatSubmit {
            guard !connection.isClosed else {
                return connection.eventLoop.makeFailedFuture(RepositoryError.unavailable("the PostgreSQL connection closed"))
            }
            return base.execute(sql: query, onRow)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}

/// An SQLDatabase that adds something to another's statements and is the other in every other way.
protocol WrappedSQLDatabase: SQLDatabase {
    var base: any SQLDatabase { get }
}

extension WrappedSQLDatabase {
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }
}
