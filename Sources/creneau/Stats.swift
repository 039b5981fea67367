import ArgumentParser
import CreneauApp

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistics for management: recount the summaries, or record today's access delays now.",
        subcommands: [Rebuild.self, Record.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recount every statistics summary from the appointments (after an upgrade, or to repair). Safe while serving.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures { print(try await Commands.rebuildStatistics(try database.configuration())) }
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record today's delay to the third next available slot and open time now (serve does it after CRENEAU_STATISTICS_HOUR).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures { print(try await Commands.recordStatistics(try database.configuration())) }
        }
    }
}
