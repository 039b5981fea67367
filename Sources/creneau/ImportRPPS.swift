import ArgumentParser
import CreneauApp
import Foundation

struct ImportRPPS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-rpps",
        abstract: "Import the national directory of health professionals (Annuaire Santé, PS_LibreAcces_Personne_activite).",
        discussion: """
            Reads the extract's 56 |-separated columns, UTF-8 or Windows-1252, streaming. Importing a newer \
            extract updates professionals by national identifier and marks those it no longer lists inactive \
            (unless it lists fewer than half of them: a cut file). Bad lines are counted and the first 20 shown; \
            they never stop the import. Exits 0 when every line was good, 2 when some were bad (the good ones are imported).
            """)

    @Argument(help: "The extract file, or - for standard input.")
    var file: String

    @Flag(help: "Mark the professionals missing from the file inactive even when it lists fewer than half of them.")
    var deactivateMissing = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let report = try await Commands.importRPPS(path: file, deactivateMissing: deactivateMissing, try database.configuration())
            print(report)
            if report.bad > 0 { throw ExitCode(2) }
        }
    }
}
