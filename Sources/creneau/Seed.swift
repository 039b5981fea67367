import ArgumentParser
import CreneauApp
import CreneauDomain
import CreneauSeed
import Foundation
import HummingbirdBcrypt

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
            guard let profile = SeedProfile(rawValue: profile) else {
                throw ValidationError("--profile must be one of: \(SeedProfile.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let now = Clock.live.now()
            let day: LocalDate
            if let today {
                guard let parsed = LocalDate(today) else { throw ValidationError("--today must be a date as YYYY-MM-DD.") }
                day = parsed
            } else {
                day = LocalDate(now, in: Site.defaultZone)
            }
            let configuration = try database.configuration()
            let logger = Logging.bootstrap(configuration)
            let started = ContinuousClock.now
            let options = SeedOptions(profile: profile, seed: seed, today: day, now: now,
                                      demoPasswordHash: Bcrypt.hash(DemoAccounts.password, cost: 12))
            let report = try await Storage.with(configuration, logger: logger) { storage in
                _ = try await storage.migrate(configuration)
                return try await Seeder(store: storage.store, logger: logger).seed(options)
            }
            print("Seeded \(profile.rawValue) in \(ContinuousClock.now - started): \(report)")
        }
    }
}
