import ArgumentParser
import CreneauApp
import Foundation

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a hospital's records from a CSV file.", subcommands: [Patients.self, Practitioners.self])

    struct Practitioners: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import practitioners, their departments and staff accounts: site, department, first_name, last_name, profession, title, specialty, rpps, languages, email.",
            discussion: "Every line is checked first; with bad lines nothing is imported unless --accept-bad-lines is given. All good lines are written in one transaction; importing again changes nothing.")

        @Argument(help: "The CSV file (UTF-8, separated by , or ;, with a header line).")
        var file: String

        @Flag(help: "Import the good lines even when some are bad (the bad ones are listed).")
        var acceptBadLines = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let (report, complete) = try await Commands.importPractitioners(file: file, acceptBadLines: acceptBadLines, try database.configuration())
                print(report)
                if !complete && !acceptBadLines { throw ExitCode(2) }
            }
        }
    }

    struct Patients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the patient index: ipp, ins, last_name, first_name, birth_date, email, phone, departments (see ARCHITECTURE.md).",
            discussion: "Every line is checked first; with bad lines nothing is imported unless --accept-bad-lines is given. Importing again updates by ipp.")

        @Argument(help: "The CSV file (UTF-8, separated by , or ;, with a header line).")
        var file: String

        @Flag(help: "Import the good lines even when some are bad (the bad ones are listed).")
        var acceptBadLines = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let (report, complete) = try await Commands.importPatients(file: file, acceptBadLines: acceptBadLines, try database.configuration())
                print(report)
                if !complete && !acceptBadLines { throw ExitCode(2) }
            }
        }
    }
}
