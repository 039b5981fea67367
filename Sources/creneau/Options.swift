import ArgumentParser
import CreneauApp
import CreneauSeed
import CreneauStorage
import Foundation
import Logging

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
/// errors a person can fix (configuration, unreachable database).
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ConfigurationError {
        try fail(error.description)
    } catch let error as StartupError {
        try fail(error.description)
    } catch let error as DatabaseOpenError {
        try fail(error.description)
    } catch let error as BenchmarkError {
        try fail(error.description)
    } catch let error as SeedError {
        try fail(error.description)
    }
}

private func fail(_ message: String) throws -> Never {
    FileHandle.standardError.write(Data("creneau: \(message)\n".utf8))
    throw ExitCode.failure
}

enum Logging {
    static func bootstrap(_ configuration: Configuration) -> Logger {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "creneau")
        logger.logLevel = level
        return logger
    }
}
