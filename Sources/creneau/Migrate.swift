import ArgumentParser
import CreneauApp

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let configuration = try database.configuration()
            let logger = Logging.bootstrap(configuration)
            let applied = try await Storage.with(configuration, logger: logger) { try await $0.migrate(configuration) }
            print(applied.isEmpty ? "The database is up to date." : "Applied: \(applied.joined(separator: ", "))")
        }
    }
}
