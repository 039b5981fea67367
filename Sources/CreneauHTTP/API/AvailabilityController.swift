import CreneauDomain
import Foundation
import Hummingbird

/// `GET /api/v1/availability` (one practitioner, one motive) and
/// `GET /api/v1/search` (a specialty across sites, first free slots of each practitioner).
///
/// Nothing is cached: every answer reads the database, so a slot booked or
/// cancelled shows in the next answer on every instance.
struct AvailabilityController: Sendable {
    let directory: any DirectoryRepository
    let availability: any AvailabilityRepository
    let clock: Clock

    /// Days the search looks ahead by default, and slots it shows per practitioner.
    static let searchDays = 7
    static let slotsPerResult = 4

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/availability") { request, context in try await self.availability(request, booker: context.booker) }
        router.get("/api/v1/search") { request, context in try await self.search(request, booker: context.booker) }
    }

    func availability(_ request: Request, booker: Booker) async throws -> Response {
        let query = QueryParameters(request: request)
        let practitionerID = try query.requiredID("practitioner", what: "practitioner")
        let motiveID = try query.requiredID("motive", what: "motive")
        let channel = try query.channel(for: booker)
        let requestedFrom = try query.date("from")

        let now = clock.now()
        guard let offer = try await directory.practitionerWithMotives(id: practitionerID, now: now) else {
            throw APIError.notFound("No practitioner has this id.")
        }
        guard let motive = offer.motives.first(where: { $0.id == motiveID }) else {
            throw APIError.notFound("This practitioner offers no motive with this id.")
        }
        let days = try query.integer("days", default: min(7, motive.horizonDays), in: 1...motive.horizonDays,
                                     explanation: "this motive is booked at most \(motive.horizonDays) days ahead")
        let slots = try await compute(practitionerID: practitionerID, motive: motive, channel: channel, from: requestedFrom, days: days, now: now)
        return try JSON.response(AvailabilityJSON(
            practitioner: practitionerID.json, motive: motive.id.json, channel: channel, timeZone: slots.timeZone.identifier,
            from: slots.from.description, days: days,
            slots: slots.slots.map { SlotJSON($0, timeZone: slots.timeZone, group: motive.capacity > 1) }))
    }

    func search(_ request: Request, booker: Booker) async throws -> Response {
        let query = QueryParameters(request: request)
        let specialty = query.string("specialty"), text = query.string("q")
        guard specialty != nil || text != nil else {
            throw APIError.badRequest("Say what you are looking for: ?specialty=cardiologie or ?q=a name.", code: "missing_parameter")
        }
        let channel = try query.channel(for: booker)
        let days = try query.integer("days", default: Self.searchDays, in: 1...31, explanation: "how many days to look ahead")
        let limit = try query.integer("limit", default: 100, in: 1...500, explanation: "how many practitioners to return")
        let site = try await query.siteID(in: directory)
        let requestedFrom = try query.date("from")
        let now = clock.now()

        let profiles = try await directory.searchPractitioners(query: text, specialty: specialty, siteID: site, limit: limit)
        let today = LocalDate(now, in: TimeZone(identifier: Site.defaultTimeZone)!)
        let from = max(requestedFrom ?? today, today)
        let motives = try await directory.bookableMotives(practitionerIDs: profiles.map(\.practitioner.id), on: from)
        // The motive a patient searching the specialty would book: open online, for new patients.
        var chosen: [UUID: Motive] = [:]
        for profile in profiles {
            let departments = Set(profile.departments.filter { specialty == nil || $0.specialty == specialty }.map(\.id))
            chosen[profile.practitioner.id] = motives[profile.practitioner.id]?
                .filter { departments.contains($0.departmentID) && $0.channels.contains(channel) && $0.patients != .known }
                .min { ($0.durationMinutes, $0.name) < ($1.durationMinutes, $1.name) }
        }
        let window = (start: from.instant(atMinute: 0, in: TimeZone(identifier: Site.defaultTimeZone)!), days: days)
        let agendas = try await availability.agendas(
            chosen.map { (practitionerID: $0.key, motive: $0.value) },
            from: window.start, to: window.start.addingTimeInterval(TimeInterval((days + 1) * 86_400)))

        var results: [(first: Date?, result: SearchResultJSON)] = []
        for profile in profiles {
            let id = profile.practitioner.id
            guard let motive = chosen[id], let agenda = agendas[id] else {
                results.append((nil, SearchResultJSON(practitioner: PractitionerJSON(profile), motive: nil, slots: [])))
                continue
            }
            let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: channel, from: from, days: days, now: now), in: agenda)
                .prefix(Self.slotsPerResult)
            results.append((slots.first?.start, SearchResultJSON(
                practitioner: PractitionerJSON(profile), motive: MotiveJSON(motive),
                slots: slots.map { SlotJSON($0, timeZone: agenda.timeZone, group: motive.capacity > 1) })))
        }
        // Soonest first; practitioners with nothing to offer last, by name.
        results.sort { lhs, rhs in
            switch (lhs.first, rhs.first) {
            case let (l?, r?): l < r
            case (.some, .none): true
            default: false
            }
        }
        return try JSON.response(SearchJSON(from: from.description, days: days, results: results.map(\.result)))
    }

    struct Computed {
        let timeZone: TimeZone
        let from: LocalDate
        let slots: [Slot]
    }

    func compute(practitionerID: UUID, motive: Motive, channel: Channel, from requested: LocalDate?, days: Int, now: Date) async throws -> Computed {
        // Load a wide window first to learn the site's zone, then cut it to the local days asked.
        let guessZone = TimeZone(identifier: Site.defaultTimeZone)!
        let today = LocalDate(now, in: guessZone)
        let from = requested ?? today
        let start = from.adding(days: -1).instant(atMinute: 0, in: guessZone)
        let agendas = try await availability.agendas([(practitionerID, motive)], from: start, to: start.addingTimeInterval(TimeInterval((days + 2) * 86_400)))
        guard let agenda = agendas[practitionerID] else { return Computed(timeZone: guessZone, from: from, slots: []) }
        let localFrom = requested ?? LocalDate(now, in: agenda.timeZone)
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: channel, from: localFrom, days: days, now: now), in: agenda)
        return Computed(timeZone: agenda.timeZone, from: localFrom, slots: slots)
    }
}
