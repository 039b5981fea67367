import CreneauDomain
import PostgresNIO
import SQLiteNIO

/// The one place that turns driver errors into `RepositoryError`, so callers
/// see which invariant refused and never a driver's message.
enum StorageErrors {
    static func map(_ error: any Error) -> any Error {
        if error is RepositoryError { return error }
        if let error = error as? SQLiteError { return map(sqlite: error) }
        if let error = error as? PSQLError { return map(postgres: error) }
        return error
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
        case .some: return error
        case .none:
            // No server answer: the connection failed or was closed.
            return RepositoryError.unavailable(String(describing: error.code))
        }
    }
}
