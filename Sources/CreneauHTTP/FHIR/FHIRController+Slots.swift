import CreneauDomain
import Foundation
import Hummingbird

/// Slots: a practitioner's free times for each motive they offer, from the availability
/// engine through the same caches as the JSON API (a slot booked on any instance is gone from
/// the next answer). Only free slots are published: `status=busy` finds none.
extension FHIRController {
    /// How far one search may reach, and how far ahead by default.
    static let slotSpanDays = 31
    static let defaultSlotDays = 7

    func slots(_ request: Request, booker: Booker) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["schedule", "start", "status", "service-type", "specialty", "channel"])
        guard let practitionerID = try query.reference("schedule", type: "Schedule") else {
            throw APIError.badRequest("Say whose slots: schedule=Schedule/{id} (a Schedule is a practitioner's agenda; search Schedule to find them).",
                                      code: "missing_parameter")
        }
        let channel = try QueryParameters(request: request).channel(for: booker)
        let now = clock.now()
        guard let (profile, motives) = try await directory.practitionerWithMotives(id: practitionerID, now: now) else {
            throw APIError.notFound("No Schedule has this id.")
        }
        let zone = profile.timeZone
        let (lower, upper) = try query.range("start", now: now, zone: zone)
        let from = max(lower ?? now, now)
        let to = upper ?? LocalDate(from, in: zone).adding(days: Self.defaultSlotDays).instant(atMinute: 0, in: zone)
        guard to.timeIntervalSince(from) <= Double(Self.slotSpanDays * 86_400) else {
            throw APIError.badRequest("A slot search covers \(Self.slotSpanDays) days at most: narrow start (start=ge…&start=lt…).", code: "invalid_parameter")
        }
        if let status = query.string("status"), !["free", "busy", "busy-unavailable", "busy-tentative", "entered-in-error"].contains(status) {
            throw APIError.badRequest("status must be free, busy, busy-unavailable, busy-tentative or entered-in-error.", code: "invalid_parameter")
        }
        let motiveCode = try query.token("service-type", systems: [FHIRSystems.motive])
        let specialty = try query.token("specialty", systems: Self.specialtySystems)
        var found: [(id: String, type: String, resource: any Encodable & Sendable)] = []
        let wanted = query.string("status").map { $0 == "free" } ?? true
        if wanted, to > from, specialty.map({ matches(profile, specialty: $0, site: nil, department: nil) }) ?? true {
            let first = LocalDate(from, in: zone), days = max(1, first.days(until: LocalDate(to, in: zone)) + 1)
            var slots: [(Slot, Motive)] = []
            for motive in motives where motive.channels.contains(channel) && (motiveCode == nil || motive.id.fhir == motiveCode?.lowercased()) {
                let computed = try await SlotSearch(directory: directory, availability: availability, clock: clock)
                    .slots(practitionerID: practitionerID, motive: motive, channel: channel, from: first, days: min(days, motive.horizonDays))
                slots += computed.slots.filter { $0.start >= from && $0.start < to }.map { ($0, motive) }
            }
            slots.sort { ($0.0.start, $0.1.name) < ($1.0.start, $1.1.name) }
            found = slots.map { slot, motive in
                let resource = FHIRMapping.slot(slot, practitioner: profile.practitioner, motive: motive, timeZone: zone)
                return (resource.id, "Slot", resource)
            }
        }
        return try searchset(request, query: query, found)
    }

    /// One slot, by the id a search gave: found while it is still free for the online channel.
    func slot(_ context: AppRequestContext) async throws -> Response {
        guard let id = FHIRSlotID(context.parameters.get("id") ?? "") else { throw APIError.notFound("No Slot has this id.") }
        let now = clock.now()
        guard let (profile, motives) = try await directory.practitionerWithMotives(id: id.practitionerID, now: now),
              let motive = motives.first(where: { $0.id == id.motiveID }), id.start > now else {
            throw APIError.notFound("No Slot has this id.")
        }
        let zone = profile.timeZone
        let computed = try await SlotSearch(directory: directory, availability: availability, clock: clock)
            .slots(practitionerID: id.practitionerID, motive: motive, channel: .online, from: LocalDate(id.start, in: zone), days: 1)
        guard let slot = computed.slots.first(where: { $0.start == id.start }) else {
            throw APIError.notFound("This Slot is no longer free.")
        }
        return FHIRResponse.resource(FHIRMapping.slot(slot, practitioner: profile.practitioner, motive: motive, timeZone: zone))
    }
}
