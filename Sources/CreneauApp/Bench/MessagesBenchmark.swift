import CreneauDomain
import CreneauMail
import CreneauStorage
import Foundation
import Logging
import Prometheus

/// Messages at hospital-group scale, on a seeded database (the aphp profile): plan the reminders
/// of the next `days` days (`ReminderBackfill`), then move the clock to the next 10:00 (when a
/// day's reminders fall due) and let `senders` senders — each on its own pool, as two instances would — send
/// every due message to the SMTP relay and the SMS gateway given (scripts/bench-messages.sh
/// starts local peers that count what arrives). Reports planning and sending rates and this
/// process's peak memory.
public struct MessagesBenchmark: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public var engine: String
        public var visits: Int
        public var planned: Int
        public var planSeconds: Double
        public var day: String
        public var due: Int
        public var sent: Int
        public var skipped: Int
        public var failed: Int
        public var senders: Int
        public var sendSeconds: Double
        public var peakMemoryMiB: Double

        public var description: String {
            // The senders drain what was due; the counts by state also hold earlier runs' rows.
            let sending = due == 0
                ? String(format: "nothing was due at 10:00 on %@ (already sent? BENCHMARKS.md says how to send a window again)", day)
                : String(format: "%d due at 10:00 on %@ by %d senders in %.1f s: %.0f messages/s (%d sent, %d skipped, %d failed)",
                         due, day, senders, sendSeconds, Double(due) / max(sendSeconds, 0.001), sent, skipped, failed)
            return String(format: """
                Messages on %@
                  planned:  %d reminders for %d booked visits in %.1f s (%.0f visits/s)
                  sent:     %@
                  memory:   %.0f MiB peak (this process: planning, both senders and their pools)
                """, engine, planned, visits, planSeconds, Double(visits) / max(planSeconds, 0.001), sending, peakMemoryMiB)
        }
    }

    let configuration: Configuration
    let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run(days: Int, senders: Int, concurrency: Int, plan: Bool = true) async throws -> Result {
        let main = try Storage.open(configuration, logger: logger)
        var pools = [main]
        do {
            for _ in 1..<max(1, senders) { pools.append(try Storage.open(configuration, logger: logger)) }
            let result = try await measure(main: main, pools: pools, days: days, concurrency: concurrency, plan: plan)
            for pool in pools { await pool.database.shutdown() }
            return result
        } catch {
            for pool in pools { await pool.database.shutdown() }
            throw error
        }
    }

    func measure(main: Storage, pools: [Storage], days: Int, concurrency: Int, plan: Bool) async throws -> Result {
        let store = main.store
        let now = Clock.live.now()
        let planStart = ContinuousClock.now
        let (visits, planned) = plan ? try await ReminderBackfill(visits: store, planner: NoticePlanner(ids: .random)).run(days: days, now: now) : (0, 0)
        let planSeconds = (ContinuousClock.now - planStart).benchSeconds

        // The next 10:00 in Paris: one day's reminders (D-1, D-2 and D-7 of three days of visits) fall due together.
        let zone = Site.defaultZone
        var day = LocalDate(now, in: zone)
        if day.instant(atMinute: ReminderSchedule.sendMinute, in: zone) <= now { day = day.adding(days: 1) }
        let at = day.instant(atMinute: ReminderSchedule.sendMinute + 1, in: zone)
        let due = try await store.statistics(now: at).due
        let sendClock = Clock.fixed(at)
        let registry = PrometheusCollectorRegistry()
        let sendStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for pool in pools {
                let sender = try makeOutboxSender(configuration, store: pool.store, clock: sendClock, logger: logger, registry: registry, concurrency: concurrency)
                group.addTask { while try await sender.drain() > 0 {} }
            }
            try await group.waitForAll()
        }
        let sendSeconds = (ContinuousClock.now - sendStart).benchSeconds
        let counts = try await main.database.withConnection { db in
            try await db.raw("SELECT state, COUNT(*) AS n FROM outbox_messages WHERE next_attempt_at <= \(bind: Int64(at.timeIntervalSince1970)) OR sent_at IS NOT NULL GROUP BY state").all()
        }
        var byState: [String: Int] = [:]
        for row in counts { byState[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        return Result(
            engine: main.database.engine == .sqlite ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL (synchronous_commit=on)",
            visits: visits, planned: planned, planSeconds: planSeconds, day: day.description, due: due,
            sent: byState["sent"] ?? 0, skipped: byState["skipped"] ?? 0, failed: byState["failed"] ?? 0, senders: pools.count,
            sendSeconds: sendSeconds, peakMemoryMiB: Self.peakMemoryMiB())
    }

    /// The process's peak resident memory (getrusage: kilobytes on Linux).
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1_024
    }
}
