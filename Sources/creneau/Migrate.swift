import ArgumentParser
import CreneauApp

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let configuration = try database.configuration()
            let logger = Logging.bootstrap(configuration)
            let storage = try Storage.open(configuration, logger: logger)
            defer { Task { await storage.database.shutdown() } }
            let applied = try await storage.migrate(configuration)
            print(applied.isEmpty ? "The database is up to date." : "Applied: \(applied.joined(separator: ", "))")
            await storage.database.shutdown()
        }
    }
}
