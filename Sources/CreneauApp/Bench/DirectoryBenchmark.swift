import CreneauDomain
import CreneauSeed
import CreneauStorage
import Foundation
import SQLKit

/// The referring-doctor search on an imported national directory, as a patient types it: a
/// last name and a town ("dupont pontoise"), a name and a postcode, a name cut short
/// ("dupo pont"). Doctors are sampled across the whole directory; each query is timed alone.
public struct DirectorySearchBenchmark: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public var engine: String
        public var doctors: Int
        public var queries: Int
        public var found: Int
        public var p50: Double
        public var p99: Double
        public var maximum: Double
        /// The three slowest queries, with their times.
        public var slowest: [String] = []

        public var description: String {
            String(format: """
                Referring-doctor search (%@), %d active doctors: %d queries, %d found their doctor
                  latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms
                  slowest: %@
                """, engine, doctors, queries, found, p50 * 1_000, p99 * 1_000, maximum * 1_000, slowest.joined(separator: ", "))
        }
    }

    let store: SQLStore
    let database: Database

    public init(store: SQLStore, database: Database) {
        self.store = store
        self.database = database
    }

    public func run(queries: Int) async throws -> Result {
        let doctors = try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM referring_doctors WHERE inactive_since IS NULL").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard doctors > 0 else { throw BenchmarkError.noData }
        // Doctors at even steps through the directory, each with the first place the import gave
        // them: each step skips `step` rows of the national-id index from the last one taken.
        let step = max(1, doctors / max(1, queries))
        var samples: [(id: String, last: String, city: String, postalCode: String)] = []
        var after = ""
        while samples.count < queries {
            let from = after
            let row = try await database.withConnection { db in
                try await db.raw("""
                    SELECT id, national_id, last_name, city, postal_code FROM referring_doctors
                    WHERE inactive_since IS NULL AND national_id > \(bind: from) ORDER BY national_id LIMIT 1 OFFSET \(literal: step - 1)
                    """).first()
            }
            guard let row else { break }
            after = try row.decode(column: "national_id", as: String.self)
            let city = try row.decode(column: "city", as: String.self)
            if city.isEmpty { continue }
            samples.append((try row.decode(column: "id", as: String.self), try row.decode(column: "last_name", as: String.self),
                            city, try row.decode(column: "postal_code", as: String.self)))
        }
        var latencies: [Double] = [], found = 0, slowest: [(Double, String)] = []
        let clock = ContinuousClock()
        for (index, sample) in samples.enumerated() {
            let last = SearchText.fold(sample.last), city = SearchText.fold(sample.city)
            let query: String
            switch index % 3 {
            case 0: query = "\(last) \(city)"
            case 1: query = "\(last) \(sample.postalCode)"
            default: query = "\(last.prefix(4)) \(city.prefix(4))"
            }
            let started = clock.now
            let results = try await store.searchReferringDoctors(query, limit: 20)
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            latencies.append(seconds)
            slowest = Array((slowest + [(seconds, query)]).sorted { $0.0 > $1.0 }.prefix(3))
            if results.contains(where: { $0.id.uuidString.lowercased() == sample.id.lowercased() }) || results.count == 20 { found += 1 }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return Result(engine: database.engine == .sqlite ? "SQLite" : "PostgreSQL", doctors: doctors, queries: latencies.count, found: found,
                      p50: percentile(0.5), p99: percentile(0.99), maximum: latencies.last ?? 0,
                      slowest: slowest.map { String(format: "“%@” %.1f ms", $0.1, $0.0 * 1_000) })
    }
}

extension Commands {
    /// Writes a generated Annuaire Santé extract (see `RPPSExtractGenerator`).
    public static func writeRPPSExtract(path: String, lines: Int, seed: UInt64, encoding: String, edgeCases: Bool, firstProfessional: Int) throws -> String {
        guard (1...10_000_000).contains(lines) else { throw CommandError("--lines must be between 1 and 10,000,000.") }
        guard let encoding = RPPSExtractGenerator.Encoding(rawValue: encoding.lowercased()) else {
            throw CommandError("--encoding must be one of: \(RPPSExtractGenerator.Encoding.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard (0...50_000_000).contains(firstProfessional) else { throw CommandError("--first-professional must be between 0 and 50,000,000.") }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandError("Cannot write \(path).")
        }
        defer { try? handle.close() }
        let started = ContinuousClock.now
        let professionals = try RPPSExtractGenerator(lines: lines, seed: seed, encoding: encoding, edgeCases: edgeCases,
                                                     firstProfessional: firstProfessional).write(to: handle)
        return "Wrote \(path): \(lines) lines, \(professionals) professionals, \(encoding.rawValue), in \(ContinuousClock.now - started)."
    }

    /// Times the referring-doctor search on the configured database's directory.
    public static func benchDirectorySearch(queries: Int, _ configuration: Configuration) async throws -> String {
        guard (1...100_000).contains(queries) else { throw CommandError("--queries must be between 1 and 100,000.") }
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            return try await DirectorySearchBenchmark(store: storage.store, database: storage.database).run(queries: queries).description
        }
    }
}
