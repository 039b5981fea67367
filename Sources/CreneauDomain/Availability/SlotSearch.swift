import Foundation

/// What patients search: practitioners (by name, specialty, site) with their first free
/// slots, and one practitioner's slots for one motive. Shared by the API and the pages.
public struct SlotSearch: Sendable {
    let directory: any DirectoryRepository
    let availability: any AvailabilityRepository
    let clock: Clock

    public init(directory: any DirectoryRepository, availability: any AvailabilityRepository, clock: Clock) {
        self.directory = directory
        self.availability = availability
        self.clock = clock
    }

    public struct Result: Sendable {
        public let profile: PractitionerProfile
        /// The motive a patient searching would book (open to the channel, for new patients, shortest).
        public let motive: Motive?
        public let slots: [Slot]
        public let timeZone: TimeZone
    }

    public struct Slots: Sendable {
        public let timeZone: TimeZone
        public let from: LocalDate
        public let slots: [Slot]
    }

    /// What any search's answer depends on besides the time, as `AvailabilityRepository.versionStamp`
    /// tells it (every agenda and the configuration); nil: nothing may be remembered.
    public func stamp() async throws -> String? {
        try await availability.versionStamp(owners: [])
    }

    /// Practitioners matching, soonest first slot first; those with nothing to offer last.
    public func search(
        text: String?, specialty: String?, siteID: UUID?, channel: Channel, from requested: LocalDate?, days: Int, limit: Int, slotsPerResult: Int
    ) async throws -> (from: LocalDate, results: [Result]) {
        let now = clock.now()
        let zone = Site.defaultZone
        let profiles = try await directory.searchPractitioners(query: text, specialty: specialty, siteID: siteID, limit: limit)
        let today = LocalDate(now, in: zone)
        let from = max(requested ?? today, today)
        let motives = try await directory.bookableMotives(practitionerIDs: profiles.map(\.practitioner.id), on: from)
        var chosen: [UUID: Motive] = [:]
        for profile in profiles {
            let departments = Set(profile.departments.filter { specialty == nil || $0.specialty == specialty }.map(\.id))
            chosen[profile.practitioner.id] = motives[profile.practitioner.id]?
                .filter { departments.contains($0.departmentID) && $0.channels.contains(channel) && $0.patients != .known }
                .min { ($0.durationMinutes, $0.name) < ($1.durationMinutes, $1.name) }
        }
        let start = from.instant(atMinute: 0, in: zone)
        let agendas = try await availability.agendas(
            chosen.map { (practitionerID: $0.key, motive: $0.value) }, from: start, to: start.addingTimeInterval(TimeInterval((days + 1) * 86_400)))

        var results: [Result] = []
        for profile in profiles {
            let id = profile.practitioner.id
            guard let motive = chosen[id], let agenda = agendas[id] else {
                results.append(Result(profile: profile, motive: nil, slots: [], timeZone: profile.timeZone))
                continue
            }
            let slots = AvailabilityEngine.slots(
                AvailabilityRequest(motive: motive, channel: channel, from: from, days: days, now: now), in: agenda, atMost: slotsPerResult)
            results.append(Result(profile: profile, motive: motive, slots: slots, timeZone: agenda.timeZone))
        }
        results.sort { lhs, rhs in
            switch (lhs.slots.first?.start, rhs.slots.first?.start) {
            case let (l?, r?): l < r
            case (.some, .none): true
            default: false
            }
        }
        return (from, results)
    }

    /// One practitioner's slots for one motive, `days` local days from `requested` (today by default).
    public func slots(practitionerID: UUID, motive: Motive, channel: Channel, from requested: LocalDate?, days: Int) async throws -> Slots {
        let now = clock.now()
        // Load a wide window first to learn the site's zone, then cut it to the local days asked.
        let guessZone = Site.defaultZone
        let from = requested ?? LocalDate(now, in: guessZone)
        let start = from.adding(days: -1).instant(atMinute: 0, in: guessZone)
        let agendas = try await availability.agendas([(practitionerID, motive)], from: start, to: start.addingTimeInterval(TimeInterval((days + 2) * 86_400)))
        guard let agenda = agendas[practitionerID] else { return Slots(timeZone: guessZone, from: from, slots: []) }
        let localFrom = requested ?? LocalDate(now, in: agenda.timeZone)
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: channel, from: localFrom, days: days, now: now), in: agenda)
        return Slots(timeZone: agenda.timeZone, from: localFrom, slots: slots)
    }
}
