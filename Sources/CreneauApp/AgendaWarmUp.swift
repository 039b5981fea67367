import CreneauDomain
import Foundation
import Logging

/// Loads the agendas of every practitioner in service into the availability cache before the
/// server opens, so that the first patients after a start (a restart during the day, an
/// upgrade) are answered from memory: at AP-HP's scale a cold specialty search loads hundreds of
/// agendas, seconds of waiting for the first visitors. Bounded by `budget`: what is not loaded
/// by then loads when first asked, as before.
enum AgendaWarmUp {
    static let batch = 250

    static func run(directory: any DirectoryRepository, availability: any AvailabilityRepository, clock: Clock, budget: Duration,
                    logger: Logger) async -> Int {
        guard budget > .zero else { return 0 }
        let started = ContinuousClock.now
        let now = clock.now()
        let today = LocalDate(now, in: Site.defaultZone)
        let from = today.adding(days: -1).instant(atMinute: 0, in: Site.defaultZone)
        var loaded = 0
        do {
            let profiles = try await directory.practitionersInService()
            let motives = try await directory.bookableMotives(practitionerIDs: profiles.map(\.practitioner.id), on: today)
            for start in stride(from: 0, to: profiles.count, by: batch) {
                guard ContinuousClock.now - started < budget else {
                    logger.notice("Agendas partly loaded at start; the rest load when first asked", metadata: [
                        "loaded": "\(loaded)", "practitioners": "\(profiles.count)"])
                    return loaded
                }
                let chunk = profiles[start..<min(start + batch, profiles.count)]
                // Every motive: the rooms each one needs are loaded with the practitioner.
                let requests = chunk.flatMap { profile in
                    (motives[profile.practitioner.id] ?? []).map { (practitionerID: profile.practitioner.id, motive: $0) }
                }
                if !requests.isEmpty { _ = try await availability.agendas(requests, from: from, to: from.addingTimeInterval(8 * 86_400)) }
                loaded += chunk.count
            }
            let elapsed = ContinuousClock.now - started
            logger.info("Agendas loaded at start", metadata: [
                "practitioners": "\(loaded)", "seconds": "\(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)"])
        } catch {
            // A database slow at start must not stop the server: agendas then load when first asked.
            logger.warning("Agendas could not be loaded at start; they load when first asked", metadata: [
                "error": "\(String(describing: type(of: error)))", "loaded": "\(loaded)"])
        }
        return loaded
    }
}
