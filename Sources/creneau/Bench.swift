import ArgumentParser
import CreneauApp
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Creneau on a loaded database (see BENCHMARKS.md and scripts/bench-availability.sh).",
        subcommands: [Availability.self, Booking.self])

    struct Availability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "W1 in-process: practitioner-days of availability per second.")

        @Option(help: "How many practitioners to sample.") var practitioners = 200
        @Option(help: "Days of availability per practitioner.") var days = 30
        @Option(help: "How many times the engine recomputes every sample.") var rounds = 20
        @Option(name: .customLong("write-urls"), help: "Write the HTTP load's request paths into this folder (w1.txt, w2.txt).") var writeURLs: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let configuration = try database.configuration()
                let logger = Logging.bootstrap(configuration)
                try await Storage.with(configuration, logger: logger) { storage in
                    let benchmark = AvailabilityBenchmark(store: storage.store)
                    print(try await benchmark.run(practitioners: practitioners, days: days, rounds: rounds))
                    if let folder = writeURLs {
                        let urls = try await benchmark.urls(count: 500, days: days)
                        try urls.w1.joined(separator: "\n").write(toFile: folder + "/w1.txt", atomically: true, encoding: .utf8)
                        try urls.w2.joined(separator: "\n").write(toFile: folder + "/w2.txt", atomically: true, encoding: .utf8)
                        print("Wrote \(urls.w1.count) W1 and \(urls.w2.count) W2 paths to \(folder)")
                    }
                }
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
                let configuration = try database.configuration()
                let logger = Logging.bootstrap(configuration)
                try await Storage.with(configuration, logger: logger) { storage in
                    _ = try await storage.migrate(configuration)
                    var folder = fsyncFolder ?? "/tmp"
                    if fsyncFolder == nil, case .sqlite(let path, _) = configuration.database {
                        folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
                    }
                    let benchmark = BookingBenchmark(storage: storage, fsyncFolder: folder)
                    print(try await benchmark.run(clients: clients, seconds: seconds, practitioners: practitioners))
                }
            }
        }
    }
}
