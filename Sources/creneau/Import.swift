import ArgumentParser
import CreneauApp
import Foundation

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a hospital's records from a CSV file.", subcommands: [Patients.self, Practitioners.self])

    /// What every import takes: the file, whether to accept bad lines, the database.
    struct Options: ParsableArguments {
        @Argument(help: "The CSV file (UTF-8, separated by , or ;, with a header line).")
        var file: String

        @Flag(help: "Import the good lines even when some are bad (the bad ones are listed).")
        var acceptBadLines = false

        @OptionGroup var database: DatabaseOptions

        /// Prints the report; exits 2 when lines were bad and not accepted (nothing was imported).
        func run(_ body: (String, Bool, Configuration) async throws -> (report: String, complete: Bool)) async throws {
            try await reportingFailures {
                let (report, complete) = try await body(file, acceptBadLines, try database.configuration())
                print(report)
                if !complete && !acceptBadLines { throw ExitCode(2) }
            }
        }
    }

    struct Practitioners: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import practitioners, their departments and staff accounts: site, department, first_name, last_name, profession, title, specialty, rpps, languages, email.",
            discussion: "Every line is checked first; with bad lines nothing is imported unless --accept-bad-lines is given. All good lines are written in one transaction; importing again changes nothing.")

        @OptionGroup var options: Options

        func run() async throws { try await options.run(Commands.importPractitioners) }
    }

    struct Patients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the patient index: ipp, ins, last_name, first_name, birth_date, email, phone, departments (see README).",
            discussion: "Every line is checked first; with bad lines nothing is imported unless --accept-bad-lines is given. Importing again updates by ipp.")

        @OptionGroup var options: Options

        func run() async throws { try await options.run(Commands.importPatients) }
    }
}
