import ArgumentParser
import CreneauApp

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send the outbox's messages without serving pages (creneau serve sends them too).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            try await Commands.worker(try database.configuration())
        }
    }
}
