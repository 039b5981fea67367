import Foundation
import Synchronization

/// What an aggregator (the national "service d'accès aux soins", a regional portal) is told is
/// free: for each practitioner, online motive and day, the first free start, the last free end
/// and how many visits can still be booked — a coarse slot with its capacity, as the SMART
/// Scheduling Links publication allows. One row per practitioner, motive and day keeps the whole
/// group's 90 days to about a million rows at AP-HP's scale, where one row per start would be
/// ten times that.
public struct PublishedSlots: Hashable, Sendable {
    public var motiveID: UUID
    public var day: LocalDate
    public var start: Date
    public var end: Date
    /// Visits that can still be booked that day (seats, for a group motive).
    public var capacity: Int

    public init(motiveID: UUID, day: LocalDate, start: Date, end: Date, capacity: Int) {
        self.motiveID = motiveID
        self.day = day
        self.start = start
        self.end = end
        self.capacity = capacity
    }
}

/// The publication's state, for the manifest's ETag and `transactionTime`.
public struct SlotPublicationState: Hashable, Sendable {
    /// Practitioners published (with or without free slots).
    public var practitioners: Int
    /// When a practitioner's published slots last changed.
    public var lastChange: Date?
    /// The directory's configuration version (sites, departments, practitioners).
    public var configuration: Int64

    public init(practitioners: Int, lastChange: Date?, configuration: Int64) {
        self.practitioners = practitioners
        self.lastChange = lastChange
        self.configuration = configuration
    }
}

public protocol SlotPublicationRepository: Sendable {
    /// Every agenda version (`*` for the configuration, else a practitioner's or a resource's id).
    func agendaVersions() async throws -> [String: Int64]
    /// Replaces a practitioner's published slots when `digest` differs from the stored one, and
    /// then stamps the change `at`; true when something changed.
    func publishSlots(practitionerID: UUID, digest: String, slots: [PublishedSlots], at: Date) async throws -> Bool
    /// Practitioners no longer offered (out of service, online booking switched off): their rows
    /// emptied, the change stamped, so an incremental pull learns it.
    func withdrawSlots(keeping: Set<UUID>, at: Date) async throws
    /// Published practitioners in id order after `after`, those changed since `since` only.
    func publishedSlots(changedSince since: Date?, after: UUID?, limit: Int) async throws -> [(practitionerID: UUID, changedAt: Date, slots: [PublishedSlots])]
    func publicationState() async throws -> SlotPublicationState
    /// The version that moves with every other (nil: this database has none): a pass may stop
    /// at once when it has not moved since the last complete one, on the same day.
    func globalVersion() async throws -> Int64?
    /// What each published practitioner's days were computed from, as `recordComputed` stored it.
    func computedKeys() async throws -> [UUID: String]
    /// Stores what these practitioners' published days were computed from (after `publishSlots`).
    func recordComputed(_ keys: [UUID: String]) async throws
}

/// Keeps the published slots current, from the availability engine: each pass recomputes the
/// practitioners whose agenda moved (their version, a room their motives need, the
/// configuration, or the day), and stores a practitioner's days only when they differ from what
/// is published, so `changedSince` lists real changes. Run by `SlotPublicationService` in
/// `serve` and `worker`; several instances may run it (same input, same rows).
public final class SlotPublication: Sendable {
    let directory: any DirectoryRepository
    let agendas: any AvailabilityRepository
    let repository: any SlotPublicationRepository
    let clock: Clock
    public let horizonDays: Int
    /// What each practitioner's published days were computed from: read from the database on the
    /// first pass (another instance's, or this one's before a restart), then kept here.
    private let computedFrom = Mutex<[UUID: String]?>(nil)
    /// The global version and day of the last pass that left nothing stale.
    private let lastComplete = Mutex<(global: Int64, day: LocalDate)?>(nil)

    public static let defaultHorizonDays = 90

    public init(directory: any DirectoryRepository, agendas: any AvailabilityRepository, repository: any SlotPublicationRepository,
                clock: Clock, horizonDays: Int = SlotPublication.defaultHorizonDays) {
        self.directory = directory
        self.agendas = agendas
        self.repository = repository
        self.clock = clock
        self.horizonDays = max(1, min(horizonDays, 366))
    }

    /// One pass: recomputes up to `limit` practitioners whose inputs moved (all, the first time);
    /// returns how many it recomputed and how many of those changed.
    @discardableResult
    public func refresh(limit: Int = 500) async throws -> (recomputed: Int, changed: Int) {
        let now = clock.now()
        let today = LocalDate(now, in: Site.defaultZone)
        // Read before anything else: a change after it moves it, and the next pass looks again.
        let global = try await repository.globalVersion()
        if let global, let last = lastComplete.withLock({ $0 }), last.global == global, last.day == today { return (0, 0) }
        let profiles = try await directory.practitionersInService()
        let motives = try await directory.bookableMotives(practitionerIDs: profiles.map(\.practitioner.id), on: today)
        let offered = Dictionary(uniqueKeysWithValues: profiles.map { profile in
            (profile.practitioner.id, (motives[profile.practitioner.id] ?? []).filter(Self.published).sorted { $0.id.uuidString < $1.id.uuidString })
        })
        let versions = try await repository.agendaVersions()
        func key(_ id: UUID) -> String {
            let own = versions[id.uuidString.lowercased()] ?? 0
            let rooms = Set((offered[id] ?? []).flatMap(\.requiredResourceIDs)).sorted { $0.uuidString < $1.uuidString }
                .map { String(versions[$0.uuidString.lowercased()] ?? 0) }.joined(separator: ",")
            return "\(today)|\(versions["*"] ?? 0)|\(own)|\(rooms)"
        }
        var known: [UUID: String]
        if let held = computedFrom.withLock({ $0 }) {
            known = held
        } else {
            known = try await repository.computedKeys()
            computedFrom.withLock { $0 = known }
        }
        if known.isEmpty || Set(known.keys) != Set(offered.keys) {
            try await repository.withdrawSlots(keeping: Set(offered.keys), at: now)
        }
        let stale = offered.keys.filter { known[$0] != key($0) }.sorted { $0.uuidString < $1.uuidString }.prefix(limit)
        var changed = 0
        // Batches of practitioners loaded together, one load per motive rank (each motive brings its rooms).
        for batch in stride(from: 0, to: stale.count, by: 50).map({ Array(stale[$0..<min($0 + 50, stale.count)]) }) {
            let keys = Dictionary(uniqueKeysWithValues: batch.map { ($0, key($0)) })
            var days: [UUID: [PublishedSlots]] = [:]
            let ranks = batch.map { offered[$0]?.count ?? 0 }.max() ?? 0
            let start = today.adding(days: -1).instant(atMinute: 0, in: Site.defaultZone)
            let end = today.adding(days: horizonDays + 1).instant(atMinute: 0, in: Site.defaultZone)
            for rank in 0..<ranks {
                let requests = batch.compactMap { id in offered[id].flatMap { $0.count > rank ? (practitionerID: id, motive: $0[rank]) : nil } }
                let loaded = try await agendas.agendas(requests, from: start, to: end)
                for (id, motive) in requests {
                    guard let agenda = loaded[id] else { continue }
                    let from = LocalDate(now, in: agenda.timeZone)
                    let slots = AvailabilityEngine.slots(
                        AvailabilityRequest(motive: motive, channel: .online, from: from, days: min(horizonDays, motive.onlineHorizonDays ?? motive.horizonDays), now: now),
                        in: agenda)
                    days[id, default: []] += Self.byDay(slots, motive: motive, zone: agenda.timeZone)
                }
            }
            for id in batch {
                let published = (days[id] ?? []).sorted { ($0.day, $0.start, $0.motiveID.uuidString) < ($1.day, $1.start, $1.motiveID.uuidString) }
                if try await repository.publishSlots(practitionerID: id, digest: Self.digest(published), slots: published, at: now) { changed += 1 }
            }
            try await repository.recordComputed(keys)
            computedFrom.withLock { state in for (id, key) in keys { state?[id] = key } }
            known.merge(keys) { $1 }
        }
        computedFrom.withLock { state in state = state?.filter { offered[$0.key] != nil } }
        let remaining = offered.keys.contains { known[$0] != key($0) }
        if let global, !remaining { lastComplete.withLock { $0 = (global, today) } }
        return (stale.count, changed)
    }

    /// Motives an aggregator can send a patient to: online, for new patients too.
    static func published(_ motive: Motive) -> Bool {
        motive.channels.contains(.online) && motive.patients != .known && motive.isActive
    }

    /// A day's slots of one motive as one published row.
    static func byDay(_ slots: [Slot], motive: Motive, zone: TimeZone) -> [PublishedSlots] {
        var rows: [LocalDate: PublishedSlots] = [:]
        for slot in slots {
            let day = LocalDate(slot.start, in: zone)
            let seats = motive.capacity > 1 ? max(1, slot.seatsLeft) : 1
            if var row = rows[day] {
                row.start = min(row.start, slot.start)
                row.end = max(row.end, slot.end)
                row.capacity += seats
                rows[day] = row
            } else {
                rows[day] = PublishedSlots(motiveID: motive.id, day: day, start: slot.start, end: slot.end, capacity: seats)
            }
        }
        return Array(rows.values)
    }

    /// A stable fingerprint of a practitioner's published days (FNV-1a over their fields).
    static func digest(_ rows: [PublishedSlots]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        for row in rows {
            mix("\(row.motiveID.uuidString)|\(row.day)|\(Int64(row.start.timeIntervalSince1970))|\(Int64(row.end.timeIntervalSince1970))|\(row.capacity);")
        }
        return String(hash, radix: 16) + "-\(rows.count)"
    }
}
