import CreneauDomain
import Foundation
import Hummingbird

/// `GET /api/v1/availability` (one practitioner, one motive) and
/// `GET /api/v1/search` (a specialty across sites, first free slots of each practitioner).
///
/// Agendas come from `CachedAvailability`, which stays exact through agenda versions
/// (ARCHITECTURE.md, Availability): a slot booked or cancelled on any instance shows in
/// the next answer on every instance.
struct AvailabilityController: Sendable {
    let directory: any DirectoryRepository
    let availability: any AvailabilityRepository
    let clock: Clock
    /// Answers remembered under the versions they were computed from (`AnswerCache`).
    let answers = AnswerCache<ByteBuffer>()

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
        let now = clock.now()
        let requestedFrom = try query.date("from", now: now)

        guard let offer = try await directory.practitionerWithMotives(id: practitionerID, now: now) else {
            throw APIError.notFound("No practitioner has this id.")
        }
        guard let motive = offer.motives.first(where: { $0.id == motiveID }) else {
            throw APIError.notFound("This practitioner offers no motive with this id.")
        }
        let days = try query.integer("days", default: min(7, motive.horizonDays), in: 1...motive.horizonDays,
                                     explanation: "this motive is booked at most \(motive.horizonDays) days ahead")
        // Read before the agendas (the answer is at least as new as the stamp it is filed under).
        let stamp = try await availability.versionStamp(owners: [practitionerID] + motive.requiredResourceIDs)
        let answer: @Sendable () async throws -> ByteBuffer = { [self] in
            let slots = try await compute(practitionerID: practitionerID, motive: motive, channel: channel, from: requestedFrom, days: days)
            return AvailabilityJSON(
                practitioner: practitionerID.json, motive: motive.id.json, channel: channel, timeZone: slots.timeZone.identifier,
                from: slots.from.description, days: days,
                slots: slots.slots.map { SlotJSON($0, timeZone: slots.timeZone, group: motive.capacity > 1) }).written()
        }
        guard let stamp else { return JSON.response(body: try await answer()) }
        let key = "\(practitionerID)|\(motive.id)|\(channel.rawValue)|\(requestedFrom?.description ?? "-")|\(days)"
        return JSON.response(body: try await answers.answer(key, stamp: stamp, now: now, compute: answer))
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
        let now = clock.now()
        let requestedFrom = try query.date("from", now: now)
        // Any change anywhere may change a search: filed under the global version.
        let stamp = try await availability.versionStamp(owners: [])
        let answer: @Sendable () async throws -> ByteBuffer = { [self] in
            let (from, found) = try await SlotSearch(directory: directory, availability: availability, clock: clock).search(
                text: text, specialty: specialty, siteID: site, channel: channel, from: requestedFrom, days: days, limit: limit,
                slotsPerResult: Self.slotsPerResult)
            let results = found.map { result in
                SearchResultJSON(
                    practitioner: PractitionerJSON(result.profile), motive: result.motive.map(MotiveJSON.init),
                    slots: result.slots.map { SlotJSON($0, timeZone: result.timeZone, group: (result.motive?.capacity ?? 1) > 1) })
            }
            return ByteBuffer(bytes: try JSON.encode(SearchJSON(from: from.description, days: days, results: results)))
        }
        guard let stamp else { return JSON.response(body: try await answer()) }
        let key = "search|\(specialty ?? "")|\(text ?? "")|\(site?.uuidString ?? "")|\(channel.rawValue)|\(days)|\(limit)|\(requestedFrom?.description ?? "-")"
        return JSON.response(body: try await answers.answer(key, stamp: stamp, now: now, compute: answer))
    }

    func compute(practitionerID: UUID, motive: Motive, channel: Channel, from requested: LocalDate?, days: Int) async throws -> SlotSearch.Slots {
        try await SlotSearch(directory: directory, availability: availability, clock: clock)
            .slots(practitionerID: practitionerID, motive: motive, channel: channel, from: requested, days: days)
    }
}
