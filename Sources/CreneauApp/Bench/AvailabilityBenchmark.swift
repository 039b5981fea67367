import CreneauDomain
import CreneauStorage
import Foundation

/// W1 in-process: how many practitioner-days of availability the engine
/// computes per second on a loaded database, and what loading the agendas
/// from the database costs. Also writes the URL lists the HTTP load uses.
public struct AvailabilityBenchmark: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public var practitioners: Int
        public var days: Int
        public var rounds: Int
        public var slots: Int
        public var engineSeconds: Double
        public var loadSeconds: Double

        public var engineDaysPerSecond: Double { Double(practitioners * days * rounds) / engineSeconds }
        public var loadedDaysPerSecond: Double { Double(practitioners * days) / loadSeconds }

        public var description: String {
            String(format: """
                W1 in-process: %d practitioners × %d days × %d rounds, %d slots a round
                  engine only:          %.0f practitioner-days/s
                  with database load:   %.0f practitioner-days/s (%.1f ms a practitioner)
                """, practitioners, days, rounds, slots / max(rounds, 1), engineDaysPerSecond, loadedDaysPerSecond,
                loadSeconds * 1_000 / Double(max(practitioners, 1)))
        }
    }

    let store: SQLStore
    let clock: Clock

    public init(store: SQLStore, clock: Clock = .live) {
        self.store = store
        self.clock = clock
    }

    /// Practitioners spread over the whole directory, each with the motive a patient would book online.
    func sample(_ count: Int, today: LocalDate) async throws -> [(practitionerID: UUID, motive: Motive)] {
        let everyone = try await store.searchPractitioners(query: nil, specialty: nil, siteID: nil, limit: 500)
        let step = max(1, everyone.count / max(count, 1))
        let chosen = stride(from: 0, to: everyone.count, by: step).prefix(count).map { everyone[$0].practitioner.id }
        let motives = try await store.bookableMotives(practitionerIDs: chosen, on: today)
        return chosen.compactMap { id in
            motives[id]?.first { $0.channels.contains(.online) }.map { (id, $0) }
        }
    }

    public func run(practitioners count: Int, days: Int, rounds: Int) async throws -> Result {
        let now = clock.now()
        let paris = Site.defaultZone
        let today = LocalDate(now, in: paris)
        let chosen = try await sample(count, today: today)
        guard !chosen.isEmpty else { throw BenchmarkError.noData }
        let from = today.instant(atMinute: 0, in: paris), to = today.adding(days: days + 1).instant(atMinute: 0, in: paris)

        let clock = ContinuousClock()
        let loadStart = clock.now
        var agendas: [UUID: AgendaSnapshot] = [:]
        for request in chosen {
            // One practitioner at a time, as the availability endpoint loads them.
            agendas.merge(try await store.agendas([request], from: from, to: to)) { $1 }
        }
        let loadSeconds = (clock.now - loadStart).seconds

        var slots = 0
        let engineStart = clock.now
        for _ in 0..<rounds {
            for (practitionerID, motive) in chosen {
                guard let agenda = agendas[practitionerID] else { continue }
                slots += AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: today, days: days, now: now), in: agenda).count
            }
        }
        let engineSeconds = (clock.now - engineStart).seconds
        return Result(practitioners: chosen.count, days: days, rounds: rounds, slots: slots, engineSeconds: engineSeconds, loadSeconds: loadSeconds)
    }

    /// Request paths for the HTTP load: W1 (one practitioner, `days` days) and W2 (a specialty across all sites).
    public func urls(count: Int, days: Int) async throws -> (w1: [String], w2: [String]) {
        let today = LocalDate(clock.now(), in: Site.defaultZone)
        let chosen = try await sample(count, today: today)
        let w1 = chosen.map { "/api/v1/availability?practitioner=\($0.practitionerID.uuidString.lowercased())&motive=\($0.motive.id.uuidString.lowercased())&from=\(today)&days=\(min(days, $0.motive.horizonDays))" }
        let specialties = try await store.database.withConnection { db in
            try await db.raw("SELECT DISTINCT specialty FROM departments ORDER BY specialty").all().map { try $0.decode(column: "specialty", as: String.self) }
        }
        return (w1, specialties.map { "/api/v1/search?specialty=\($0)" })
    }
}

extension AvailabilityBenchmark {
    /// The staff agenda of the `departments` largest departments (by practitioners): each one's
    /// next five days and its week, this one and the next.
    public func staffURLs(departments: Int) async throws -> [String] {
        let today = LocalDate(clock.now(), in: Site.defaultZone)
        let largest = try await store.database.withConnection { db in
            try await db.raw("""
                SELECT department_id, COUNT(*) AS members FROM memberships GROUP BY department_id
                ORDER BY members DESC, department_id LIMIT \(bind: departments)
                """).all().map { try $0.decode(column: "department_id", as: String.self) }
        }
        return largest.flatMap { id in
            (0..<5).map { "/staff/agenda?department=\(id)&day=\(today.adding(days: $0))" }
                + [0, 7].map { "/staff/agenda?department=\(id)&week=\(today.adding(days: $0))" }
        }
    }
}

public enum BenchmarkError: Error, CustomStringConvertible, Sendable {
    case noData
    public var description: String { "The database holds no practitioner with an online motive: seed it first (creneau seed --profile aphp)." }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
