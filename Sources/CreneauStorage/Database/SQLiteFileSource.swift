@preconcurrency import AsyncKit
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// Opens SQLite connections set up for a server that must not lose a booking:
/// write-ahead log, `synchronous=FULL` (a commit is on disk before it returns),
/// foreign keys on, and a busy timeout so concurrent writers wait in turn
/// instead of failing.
struct SQLiteFileSource: ConnectionPoolSource, Sendable {
    let path: String
    let threadPool: NIOThreadPool

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                // The busy timeout first: the journal-mode pragma reads the file, and a connection
                // opened while another instance resets its log would otherwise fail at once with
                // "database is locked" instead of waiting its turn.
                let pragmas = [
                    "PRAGMA busy_timeout = 30000",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = FULL",
                    "PRAGMA foreign_keys = ON",
                ]
                return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { previous, pragma in
                    previous.flatMap { connection.query(pragma).map { _ in } }
                }
                .map { connection }
                .flatMapError { error in connection.close().flatMapThrowing { throw error } }
            }
    }
}
