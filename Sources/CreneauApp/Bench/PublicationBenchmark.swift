import CreneauDomain
import CreneauStorage
import Foundation
import SQLKit

/// The slot publication built from nothing on a loaded database, as a server's background pass
/// does after its start or a configuration change: every practitioner's free days for the
/// horizon, computed by the availability engine and stored. Then an unchanged pass (what each
/// pass costs while nothing moves). The pulls themselves are timed over HTTP by
/// `scripts/bench-publish.sh`.
public struct PublicationBenchmark: Sendable {
    let store: SQLStore
    let database: Database
    let clock: Clock

    public init(store: SQLStore, database: Database, clock: Clock) {
        self.store = store
        self.database = database
        self.clock = clock
    }

    public func run() async throws -> String {
        try await database.transaction { db in
            try await db.raw("DELETE FROM published_slots").run()
            try await db.raw("DELETE FROM slot_publications").run()
        }
        let publication = SlotPublication(directory: CachedDirectory(store: store, clock: clock), agendas: store, repository: store, clock: clock)
        let started = Date()
        var practitioners = 0, passes = 0
        while true {
            let pass = try await publication.refresh(limit: 500)
            passes += 1
            practitioners += pass.recomputed
            if pass.recomputed == 0 { break }
        }
        let built = Date().timeIntervalSince(started)
        let quiet = Date()
        _ = try await publication.refresh(limit: 500)
        let unchanged = Date().timeIntervalSince(quiet)
        let rows = try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n, COALESCE(SUM(capacity), 0) AS visits FROM published_slots").first()
        }
        let count = try rows?.decode(column: "n", as: Int.self) ?? 0, visits = try rows?.decode(column: "visits", as: Int.self) ?? 0
        return String(format: """
            Slot publication (%d days ahead): %d practitioners in %d passes, %.1f s (%.0f practitioners/s)
              published: %d rows (practitioner × motive × day), %d bookable visits
              a pass with nothing changed: %.0f ms
            """, publication.horizonDays, practitioners, passes, built, Double(practitioners) / max(built, 0.001), count, visits, unchanged * 1_000)
    }
}

extension Commands {
    public static func benchPublication(_ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            return try await PublicationBenchmark(store: storage.store, database: storage.database, clock: configuration.clock).run()
        }
    }
}
