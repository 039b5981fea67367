import ArgumentParser
import CreneauApp

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load a demo or scale dataset into an empty database.")

    @Option(help: "Dataset: avoine (1 health centre) or aphp (39 hospitals, ~2 million appointments).")
    var profile: String = "avoine"

    @Option(help: "Random seed: the same seed and day give the same data.")
    var seed: UInt64 = 1

    @Option(help: "The day treated as today, YYYY-MM-DD (default: today in Europe/Paris).")
    var today: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            print(try await Commands.seed(profile: profile, seed: seed, today: today, try database.configuration()))
        }
    }
}
