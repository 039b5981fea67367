@preconcurrency import AsyncKit
import CreneauDomain
import NIOCore
import PostgresNIO
import SQLiteNIO

/// The one place that turns driver errors into `RepositoryError`, so callers
/// see which invariant refused and never a driver's message.
enum StorageErrors {
    static func map(_ error: any Error) -> any Error {
        if error is RepositoryError { return error }
        if let error = error as? SQLiteError { return map(sqlite: error) }
        if let error = error as? PSQLError { return map(postgres: error) }
        // The pool could not give a connection in time, or is closing: the database is not there for us now.
        if error is ConnectionPoolTimeoutError || error is ConnectionPoolError { return RepositoryError.unavailable(String(describing: error)) }
        if error is ChannelError || error is IOError { return RepositoryError.unavailable(String(describing: type(of: error))) }
        return error
    }

    /// A deadlock (40P01) or serialization failure (40001) between two instances' batches on
    /// PostgreSQL: the transaction can simply run again.
    static func isTransientConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    private static func map(sqlite error: SQLiteError) -> any Error {
        // SQLite names the constraint in the message: "UNIQUE constraint failed: accounts.email",
        // "CHECK constraint failed: ck_motives_duration", "FOREIGN KEY constraint failed".
        let message = error.message
        func detail(after prefix: String) -> String {
            guard let range = message.range(of: prefix) else { return "" }
            return message[range.upperBound...].trimmingCharacters(in: .whitespaces)
        }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return RepositoryError.duplicate(constraint: detail(after: "failed:"))
        case .constraintForeignKeyFailed:
            return RepositoryError.missingReference(constraint: "foreign key")
        case .constraintCheckFailed, .constraintNotNullFailed:
            return RepositoryError.invalidValue(constraint: detail(after: "failed:"))
        case .constraint, .constraintTriggerFailed:
            if message.hasPrefix("UNIQUE") { return RepositoryError.duplicate(constraint: detail(after: "failed:")) }
            if message.hasPrefix("FOREIGN KEY") { return RepositoryError.missingReference(constraint: "foreign key") }
            if message.hasPrefix("CHECK") || message.hasPrefix("NOT NULL") {
                return RepositoryError.invalidValue(constraint: detail(after: "failed:"))
            }
            return RepositoryError.invalidValue(constraint: message)
        case .busy, .locked, .ioError, .cantOpen, .full, .readOnly:
            return RepositoryError.unavailable(message)
        default:
            return error
        }
    }

    private static func map(postgres error: PSQLError) -> any Error {
        let constraint = error.serverInfo?[.constraintName] ?? error.serverInfo?[.columnName] ?? ""
        switch error.serverInfo?[.sqlState] {
        case "23505": return RepositoryError.duplicate(constraint: constraint)
        case "23503": return RepositoryError.missingReference(constraint: constraint)
        case "23514", "23502": return RepositoryError.invalidValue(constraint: constraint)
        case "P0001": return RepositoryError.invalidValue(constraint: error.serverInfo?[.message] ?? "")
        // Shutting down (57P01 admin, 57P02 crash), starting up (57P03), a statement past its
        // timeout (57014), too many connections (53300), a connection lost (class 08), a standby
        // that cannot write (25006: a URL naming a standby alone, or one not yet promoted): try again later.
        case let state? where ["57P01", "57P02", "57P03", "57014", "53300", "25006"].contains(state) || state.hasPrefix("08"):
            return RepositoryError.unavailable("PostgreSQL \(state)")
        case .some: return error
        case .none:
            // No server answer: the connection failed or was closed.
            return RepositoryError.unavailable(String(describing: error.code))
        }
    }
}
