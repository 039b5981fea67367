import ArgumentParser
import CreneauApp
import Foundation

/// Where the database is; the environment (DATABASE_URL, CRENEAU_DATABASE_PATH) is read when these are absent.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "SQLite file of the embedded mode (default: data/creneau.sqlite).")
    var databasePath: String?

    @Option(help: "PostgreSQL URL, postgres://user:password@host:5432/database (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(help: "Log format: text or json.")
    var logFormat: String?

    func configuration(host: String? = nil, port: Int? = nil) throws -> Configuration {
        try Configuration.load(
            environment: ProcessInfo.processInfo.environment,
            overrides: .init(host: host, port: port, databasePath: databasePath, databaseURL: databaseURL, logLevel: logLevel, logFormat: logFormat))
    }
}

/// Runs `body`, printing a clear one-line message instead of a trace for the
/// errors a person can fix (configuration, unreachable database, a wrong option).
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        guard let message = Commands.failureMessage(error) else { throw error }
        FileHandle.standardError.write(Data("creneau: \(message)\n".utf8))
        throw ExitCode.failure
    }
}
