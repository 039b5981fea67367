import CreneauDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// SMART Scheduling Links publication (`GET /fhir/$bulk-publish`): a manifest pointing at three
/// NDJSON files — every Location, every Schedule, and the free Slots (`SlotPublication`: one
/// per practitioner, online motive for new patients, and day, with its capacity and the link to
/// Creneau's booking page for that day). `_since` makes the Slot file incremental: for each
/// practitioner whose published days changed after that instant, their complete set of days
/// (a practitioner changed with no line left has nothing free any more). Location and Schedule
/// files are always complete (a few thousand lines). `ETag` / `If-None-Match` on all four.
extension FHIRController {
    static let deepLinkExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
    static let capacityExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity"

    struct Manifest: Encodable {
        var transactionTime: String
        var request: String
        var output: [Output]
        var error: [Output] = []

        struct Output: Encodable {
            var type: String
            var url: String
        }
    }

    /// `_since`: an instant (or a date), within five years; nil when absent.
    func since(_ request: Request) throws -> Date? {
        let query = try FHIRQuery(request: request, supported: ["_since"])
        guard let text = query.string("_since") else { return nil }
        guard text.utf8.count <= 40, let (instant, _) = FHIRQuery.instants(text, zone: FHIRMapping.utc) else {
            throw APIError.badRequest("_since must be an instant with its offset (2026-11-24T09:00:00Z) or a date, as a manifest's transactionTime gives it.",
                                      code: "invalid_parameter")
        }
        return try InputDates.bounded(instant, field: "_since", now: clock.now())
    }

    /// The publication's version: what the manifest and files answer for this `_since` today.
    func etag(_ since: Date?, file: String) async throws -> String {
        guard let publishedSlots else { throw APIError(.notFound, code: "not_published", message: "This server does not publish its slots.") }
        let state = try await publishedSlots.publicationState()
        let day = LocalDate(clock.now(), in: Site.defaultZone)
        let text = "\(file)|\(day)|\(state.practitioners)|\(state.lastChange.map { Int64($0.timeIntervalSince1970) } ?? 0)|\(state.configuration)|"
            + "\(since.map { Int64($0.timeIntervalSince1970) } ?? -1)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return "\"" + String(hash, radix: 16) + "\""
    }

    func notModified(_ request: Request, etag: String) -> Response? {
        guard let asked = request.headers[.ifNoneMatch] else { return nil }
        let tags = asked.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
        guard tags.contains(etag) || tags.contains("*") else { return nil }
        return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: "no-cache"])
    }

    func manifest(_ request: Request) async throws -> Response {
        let since = try since(request)
        let tag = try await etag(since, file: "manifest")
        if let unchanged = notModified(request, etag: tag) { return unchanged }
        let base = base(request)
        // A second before now: a change stamped in this very second is listed again next time, never missed.
        let time = Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 - 1).rounded(.down))
        let sinceQuery = since.map { "?_since=" + FHIRMapping.utcInstant($0) } ?? ""
        let manifest = Manifest(
            transactionTime: FHIRMapping.utcInstant(time), request: base + "/$bulk-publish" + sinceQuery,
            output: [Manifest.Output(type: "Location", url: base + "/$bulk-publish/Location.ndjson"),
                     Manifest.Output(type: "Schedule", url: base + "/$bulk-publish/Schedule.ndjson"),
                     Manifest.Output(type: "Slot", url: base + "/$bulk-publish/Slot.ndjson" + sinceQuery)])
        var response = Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache", .eTag: tag],
            body: .init(byteBuffer: ByteBuffer(bytes: try FHIRResponse.encode(manifest))))
        response.headers[.lastModified] = nil
        return response
    }

    func bulkFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = context.parameters.get("file") ?? ""
        guard ["Location.ndjson", "Schedule.ndjson", "Slot.ndjson"].contains(file) else {
            throw APIError.notFound("The publication has Location.ndjson, Schedule.ndjson and Slot.ndjson.")
        }
        let since = try since(request)
        let tag = try await etag(file == "Slot.ndjson" ? since : nil, file: file)
        if let unchanged = notModified(request, etag: tag) { return unchanged }
        let headers: HTTPFields = [.contentType: "application/fhir+ndjson", .cacheControl: "no-cache", .eTag: tag]
        switch file {
        case "Location.ndjson":
            let lines = try await organisation.sites().filter(\.isActive).map { try FHIRResponse.encode(FHIRMapping.location($0)) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: Self.ndjson(lines)))
        case "Schedule.ndjson":
            let profiles = try await directory.practitionersInService()
            let lines = try profiles.map { try FHIRResponse.encode(FHIRMapping.schedule($0)) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: Self.ndjson(lines)))
        default:
            return try await slotFile(since: since, headers: headers)
        }
    }

    static func ndjson(_ lines: [Data]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            buffer.writeBytes(line)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        return buffer
    }

    /// The Slot file, streamed a page of practitioners at a time (constant memory, whatever the group's size).
    func slotFile(since: Date?, headers: HTTPFields) async throws -> Response {
        guard let publishedSlots else { throw APIError(.notFound, code: "not_published", message: "This server does not publish its slots.") }
        let profiles = try await directory.practitionersInService()
        let byID = Dictionary(profiles.map { ($0.practitioner.id, $0) }, uniquingKeysWith: { first, _ in first })
        let motives = try await directory.bookableMotives(practitionerIDs: profiles.map(\.practitioner.id), on: LocalDate(clock.now(), in: Site.defaultZone))
        var serviceTypes: [UUID: String] = [:]
        for motive in motives.values.joined() where serviceTypes[motive.id] == nil {
            serviceTypes[motive.id] = String(decoding: try FHIRResponse.encode(FHIRMapping.motive(motive)), as: UTF8.self)
        }
        let renderer = SlotLineRenderer(profiles: byID, serviceTypes: serviceTypes, pages: publicURL ?? "")
        let first = try await publishedSlots.publishedSlots(changedSince: since, after: nil, limit: Self.slotPage)
        return Response(status: .ok, headers: headers, body: ResponseBody { [publishedSlots] writer in
            var page = first
            while !page.isEmpty {
                var buffer = ByteBuffer()
                for (practitioner, _, slots) in page { renderer.write(slots, of: practitioner, to: &buffer) }
                try await writer.write(buffer)
                guard page.count == Self.slotPage, let last = page.last?.practitionerID else { break }
                page = try await publishedSlots.publishedSlots(changedSince: since, after: last, limit: Self.slotPage)
            }
            try await writer.finish(nil)
        })
    }

    static let slotPage = 200
}

/// One published day as a Slot line, written by hand: at a group's scale (a million lines) the
/// encoder's cost per line would be most of the pull. Fixed parts are constants; the motive's
/// `serviceType` is encoded once per motive; the rest are ids, numbers and times, which need no escaping.
struct SlotLineRenderer: Sendable {
    let profiles: [UUID: PractitionerProfile]
    let serviceTypes: [UUID: String]
    /// The public address of the booking pages.
    let pages: String

    func write(_ slots: [PublishedSlots], of practitionerID: UUID, to buffer: inout ByteBuffer) {
        guard let profile = profiles[practitionerID] else { return }
        let zone = profile.timeZone, practitioner = practitionerID.fhir
        for slot in slots {
            guard let serviceType = serviceTypes[slot.motiveID] else { continue }
            let id = FHIRSlotID(practitionerID: practitionerID, motiveID: slot.motiveID, start: slot.start).text
            let link = "\(pages)/practitioners/\(practitioner)?motive=\(slot.motiveID.fhir)&from=\(slot.day)"
            buffer.writeString(#"{"resourceType":"Slot","id":""# + id + #"","meta":{"profile":[""# + FHIRMapping.slotProfile + #""]},"#)
            buffer.writeString(#""extension":[{"url":""# + FHIRController.deepLinkExtension + #"","valueUrl":""# + link + #""},"#)
            buffer.writeString(#"{"url":""# + FHIRController.capacityExtension + #"","valueInteger":\#(slot.capacity)}],"#)
            buffer.writeString(#""serviceType":"# + serviceType + #","schedule":{"reference":"Schedule/"# + practitioner + #""},"status":"free","#)
            buffer.writeString(#""start":""# + RFC3339.format(slot.start, in: zone) + #"","end":""# + RFC3339.format(slot.end, in: zone) + "\"}\n")
        }
    }
}
