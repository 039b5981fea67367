import CreneauDomain
import CreneauStorage
import Foundation

extension Commands {
    /// `creneau stats rebuild`: recounts every statistics summary from the appointments (after an
    /// upgrade, or to repair), with `serve`'s database settings. Safe while instances serve: changes
    /// made meanwhile are counted by their next passes.
    public static func rebuildStatistics(_ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let started = Date()
            let recorder = StatisticsRecorder(directory: storage.store, agendas: storage.store, repository: storage.store, clock: configuration.clock)
            let counted: Int
            do {
                counted = try await recorder.rebuild()
            } catch let error as StatisticsRebuildRunning {
                throw CommandError(error.description)
            }
            return "Statistics recounted: \(counted) appointments, open time of their days, in \(Int(Date().timeIntervalSince(started).rounded())) s."
        }
    }

    /// `creneau stats record`: records today's delay to the third next available slot and open time now
    /// (the service does it after `CRENEAU_STATISTICS_HOUR`); says so when the day is recorded already.
    public static func recordStatistics(_ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let recorder = StatisticsRecorder(directory: storage.store, agendas: storage.store, repository: storage.store, clock: configuration.clock)
            guard let motives = try await recorder.recordToday() else { return "Today's access delays were recorded already." }
            return "Recorded today's delay to the third next available slot for \(motives) motives, and the open time around today."
        }
    }
}
