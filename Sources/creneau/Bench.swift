import ArgumentParser
import CreneauApp

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Creneau on a loaded database (see BENCHMARKS.md and scripts/bench-availability.sh).",
        subcommands: [Availability.self, Booking.self, Messages.self, RPPSFile.self, DirectorySearch.self, Publication.self])

    struct Availability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "W1 in-process: practitioner-days of availability per second.")

        @Option(help: "How many practitioners to sample.") var practitioners = 200
        @Option(help: "Days of availability per practitioner.") var days = 30
        @Option(help: "How many times the engine recomputes every sample.") var rounds = 20
        @Option(name: .customLong("write-urls"), help: "Write the HTTP load's request paths into this folder (w1.txt, w2.txt).") var writeURLs: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let lines = try await Commands.benchAvailability(practitioners: practitioners, days: days, rounds: rounds, writeURLs: writeURLs,
                                                                 try database.configuration())
                lines.forEach { print($0) }
            }
        }
    }

    struct Booking: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Durable bookings per second: concurrent patients booking distinct free slots on an empty database.")

        @Option(help: "Concurrent clients.") var clients = 64
        @Option(help: "How long to book, in seconds.") var seconds = 20.0
        @Option(help: "Practitioners in the generated centre (at least one per client).") var practitioners = 128
        @Option(name: .customLong("fsync-folder"), help: "Where to measure the disk's fsync rate (default: the SQLite file's folder, or /tmp).")
        var fsyncFolder: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                print(try await Commands.benchBooking(clients: clients, seconds: seconds, practitioners: practitioners, fsyncFolder: fsyncFolder,
                                                      try database.configuration()))
            }
        }
    }

    struct Messages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan the reminders of a seeded database, then send a busy day's messages with several senders (see scripts/bench-messages.sh).")

        @Option(help: "Days of visits whose reminders are planned.") var days = 90
        @Option(help: "Senders, each on its own pool (as instances would be).") var senders = 2
        @Option(help: "Messages in flight per sender.") var concurrency = 8
        @Flag(help: "Send what is planned already (a second run on the same database).") var skipPlanning = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                print(try await Commands.benchMessages(days: days, senders: senders, concurrency: concurrency, plan: !skipPlanning, try database.configuration()))
            }
        }
    }

    struct RPPSFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rpps-file",
            abstract: "Write a generated Annuaire Santé extract, for import-rpps (see scripts/bench-rpps.sh).")

        @Argument(help: "Where to write it.") var file: String
        @Option(help: "Lines of activity.") var lines = 2_000_000
        @Option(help: "Generator seed: the same seed writes the same file.") var seed: UInt64 = 2026
        @Option(help: "utf-8 or windows-1252.") var encoding = "utf-8"
        @Flag(help: "Begin with the lines an importer must survive (quotes, empty fields, a short line, a repeated professional).")
        var edgeCases = false
        @Option(help: "Number national identifiers from here (a newer extract overlaps an older one in part).") var firstProfessional = 0

        func run() async throws {
            try await reportingFailures {
                print(try Commands.writeRPPSExtract(path: file, lines: lines, seed: seed, encoding: encoding, edgeCases: edgeCases,
                                                    firstProfessional: firstProfessional))
            }
        }
    }

    struct DirectorySearch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "directory-search",
            abstract: "Time the referring-doctor search (name and town, as patients type it) on an imported directory.")

        @Option(help: "Queries, each for a doctor sampled across the directory.") var queries = 2_000
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures { print(try await Commands.benchDirectorySearch(queries: queries, try database.configuration())) }
        }
    }

    struct Publication: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the slot publication ($bulk-publish) from nothing on a loaded database, and time an unchanged pass.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures { print(try await Commands.benchPublication(try database.configuration())) }
        }
    }
}
