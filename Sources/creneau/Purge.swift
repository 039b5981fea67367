import ArgumentParser
import CreneauApp

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the retention policy now (CRENEAU_RETENTION_*; serve does it every six hours): clear old typed texts, anonymise dormant patients, delete old audit rows.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures { print(try await Commands.purge(try database.configuration())) }
    }
}
