import ArgumentParser
import CreneauApp

/// `creneau`: parses the command line and hands over to the libraries.
@main
struct Creneau: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Online appointment booking for public hospitals and health centres.",
        subcommands: [Serve.self, Worker.self, Migrate.self, Seed.self, Import.self, ImportRPPS.self, Reminders.self, Admin.self, Simulate.self, Bench.self, Keygen.self, Backup.self, Restore.self, Stats.self, Purge.self]
    )
}
