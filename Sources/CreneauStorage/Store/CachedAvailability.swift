import CreneauDomain
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Availability agendas kept in memory and kept exact.
///
/// Every call first reads `agenda_versions` for the practitioners and rooms it
/// needs (one indexed query), then reloads only the agendas whose version
/// moved; any change to templates, exceptions, motives, holidays or rooms
/// (version `'*'`) empties the cache. Versions are bumped by triggers in the
/// writer's own transaction (migration 0008), so a booking made on another
/// instance shows in the next answer here, as it does on one instance.
public final class CachedAvailability: AvailabilityRepository, Sendable {
    let store: SQLStore
    let clock: Clock

    private struct Entry {
        var version: Int64
        var agenda: ResourceAgenda
    }

    private struct State {
        var configurationVersion: Int64 = -1
        var calendar: AgendaCalendar?
        var practitioners: [UUID: Entry] = [:]
        var resources: [UUID: Entry] = [:]
        /// Occupations are held from here on; earlier questions go to the database.
        var windowStart = Date.distantFuture
    }

    private let state = NIOLockedValueBox(State())
    private typealias Held = (
        practitioners: [UUID: ResourceAgenda], resources: [UUID: ResourceAgenda],
        stalePractitioners: [UUID: ResourceAgenda], staleResources: [UUID: ResourceAgenda])

    /// Whole agendas for owners not held; only the occupations for those held at an older
    /// version. With `narrow` (a question about a few days, as a booking asks), those
    /// occupations are read for that span only, and the result is `partial`: not to be kept.
    private func reload(
        owner: String, ids: Set<UUID>, known: [UUID: ResourceAgenda], wideFrom: Int64, wideTo: Int64,
        narrow: (from: Int64, to: Int64)?, on db: any SQLDatabase
    ) async throws -> (agendas: [UUID: ResourceAgenda], partial: Set<UUID>) {
        let unknown = ids.filter { known[$0] == nil }
        var result = try await store.agendaParts(owner: owner, ids: unknown, wideFrom: wideFrom, wideTo: wideTo, on: db)
        let refreshed = ids.filter { known[$0] != nil }
        let occupations = try await store.occupations(
            owner: owner, ids: refreshed, wideFrom: narrow?.from ?? wideFrom, wideTo: narrow?.to ?? wideTo, on: db)
        for id in refreshed {
            guard var agenda = known[id] else { continue }
            agenda.occupations = occupations[id] ?? []
            result[id] = agenda
        }
        return (result, narrow == nil ? [] : refreshed)
    }

    /// A booking checks one day: re-reading a busy agenda's every occupation for it would make
    /// each booking of a practitioner slower than the last.
    static let narrowSpan: TimeInterval = 4 * 86_400
    static let configurationKey = "*"

    public init(store: SQLStore, clock: Clock) {
        self.store = store
        self.clock = clock
    }

    public func agendas(_ requests: [(practitionerID: UUID, motive: Motive)], from: Date, to: Date) async throws -> [UUID: AgendaSnapshot] {
        guard !requests.isEmpty else { return [:] }
        let now = clock.now()
        // Start the held window four days back (callers ask from the day before today, minus a day of
        // buffers), and move it each week so old occupations do not pile up.
        let windowStart = state.withLockedValue { state -> Date in
            if state.windowStart == .distantFuture || now.timeIntervalSince(state.windowStart) > 11 * 86_400 {
                state = State()
                state.windowStart = now.addingTimeInterval(-4 * 86_400)
            }
            return state.windowStart
        }
        guard from.addingTimeInterval(-86_400) >= windowStart else {
            return try await store.agendas(requests, from: from, to: to)
        }

        let practitionerIDs = Set(requests.map(\.practitionerID))
        let resourceIDs = Set(requests.flatMap(\.motive.requiredResourceIDs))
        // Versions first, read after this call began (shared with concurrent callers): data read
        // after them is at least as new as the version it is filed under.
        let keys = Set([Self.configurationKey] + (practitionerIDs.union(resourceIDs)).map(Column.id))
        let versions = try await store.versionReads.read(keys, from: store.database)
        return try await store.database.withConnection { db in
            let configuration = versions[Self.configurationKey] ?? 0
            func version(_ id: UUID) -> Int64 { versions[Column.id(id)] ?? 0 }

            let (calendar, stalePractitioners, staleResources, held) = state.withLockedValue { state in
                if state.configurationVersion != configuration {
                    state.configurationVersion = configuration
                    state.calendar = nil
                    state.practitioners = [:]
                    state.resources = [:]
                }
                // Copy out only the agendas this call uses: holding the whole dictionaries across the
                // await below would make the store step copy them all.
                // An agenda whose own version moved (a booking, a hold) only needs its occupations again:
                // templates and absences move the configuration version, which empties everything.
                var held: Held = ([:], [:], [:], [:])
                for id in practitionerIDs {
                    guard let entry = state.practitioners[id] else { continue }
                    if entry.version == version(id) { held.practitioners[id] = entry.agenda } else { held.stalePractitioners[id] = entry.agenda }
                }
                for id in resourceIDs {
                    guard let entry = state.resources[id] else { continue }
                    if entry.version == version(id) { held.resources[id] = entry.agenda } else { held.staleResources[id] = entry.agenda }
                }
                return (
                    state.calendar,
                    practitionerIDs.filter { held.practitioners[$0] == nil },
                    resourceIDs.filter { held.resources[$0] == nil },
                    held)
            }

            let loadedCalendar: AgendaCalendar
            if let calendar {
                loadedCalendar = calendar
            } else {
                loadedCalendar = try await store.agendaCalendar(departmentIDs: nil, resourceIDs: nil, on: db)
            }
            let wideFrom = Column.instant(windowStart), wideTo = Column.instant(windowStart.addingTimeInterval(800 * 86_400))
            // Occupations reach a day either side of what is asked (buffers across midnight).
            let narrow = to.timeIntervalSince(from) <= Self.narrowSpan
                ? (from: Column.instant(from.addingTimeInterval(-86_400)), to: Column.instant(to.addingTimeInterval(86_400))) : nil
            let (freshPractitioners, partialPractitioners) = try await reload(
                owner: "practitioner_id", ids: stalePractitioners, known: held.stalePractitioners, wideFrom: wideFrom, wideTo: wideTo, narrow: narrow, on: db)
            let (freshResources, partialResources) = try await reload(
                owner: "resource_id", ids: staleResources, known: held.staleResources, wideFrom: wideFrom, wideTo: wideTo, narrow: narrow, on: db)

            var practitioners: [UUID: ResourceAgenda] = [:], resources: [UUID: ResourceAgenda] = [:]
            for id in practitionerIDs {
                practitioners[id] = held.practitioners[id] ?? freshPractitioners[id] ?? ResourceAgenda(templates: [])
            }
            for id in resourceIDs {
                resources[id] = held.resources[id] ?? freshResources[id] ?? ResourceAgenda(templates: [])
            }
            state.withLockedValue { state in
                // Another call may have seen a newer configuration meanwhile: then what this one read is not filed.
                guard state.configurationVersion == configuration, state.windowStart == windowStart else { return }
                if state.calendar == nil { state.calendar = loadedCalendar }
                for id in stalePractitioners where !partialPractitioners.contains(id) {
                    if let agenda = practitioners[id] { state.practitioners[id] = Entry(version: version(id), agenda: agenda) }
                }
                for id in staleResources where !partialResources.contains(id) {
                    if let agenda = resources[id] { state.resources[id] = Entry(version: version(id), agenda: agenda) }
                }
            }
            return try loadedCalendar.snapshots(requests, practitioners: practitioners, resources: resources)
        }
    }

    public func versionStamp(owners: [UUID]) async throws -> String? {
        let keys = owners.isEmpty ? [Migration.globalVersionKey] : [Self.configurationKey] + owners.map(Column.id)
        let versions = try await store.versionReads.read(Set(keys), from: store.database)
        // No global version (a schema before migration 0029): nothing may be remembered under it.
        if owners.isEmpty, versions[Migration.globalVersionKey] ?? 0 == 0 { return nil }
        return keys.map { String(versions[$0] ?? 0) }.joined(separator: ".")
    }

    /// Follows this instance's own committed bookings without reading them back. An agenda held
    /// at exactly the version the batch started from gets the batch's occupations and the
    /// version the batch ended at: every change between the two was the batch's own (it held the
    /// version rows). Any other agenda is left alone, and reloads when next asked, as before.
    /// Patching is idempotent (by holder), because an agenda filed under a version may already
    /// hold newer rows: then its version no longer matches the database and it is never served.
    public func follow(_ delta: AgendaDelta) {
        state.withLockedValue { state in
            let window = Interval(start: state.windowStart, end: state.windowStart.addingTimeInterval(800 * 86_400))
            func patched(_ entry: Entry?, owner: UUID, isPractitioner: Bool) -> Entry? {
                guard var entry, let versions = delta.versions[owner], entry.version == versions.before else { return nil }
                entry.agenda.occupations.removeAll { $0.holderID.map(delta.released.contains) ?? false }
                for added in delta.added where isPractitioner ? added.practitionerID == owner : added.resourceIDs.contains(owner) {
                    let occupation = added.occupation
                    guard occupation.interval.overlaps(window), !entry.agenda.occupations.contains(where: { $0.holderID == occupation.holderID }) else { continue }
                    entry.agenda.occupations.append(occupation)
                }
                entry.version = versions.after
                return entry
            }
            for owner in delta.versions.keys {
                if let entry = patched(state.practitioners[owner], owner: owner, isPractitioner: true) { state.practitioners[owner] = entry }
                if let entry = patched(state.resources[owner], owner: owner, isPractitioner: false) { state.resources[owner] = entry }
            }
        }
    }

    /// The version an agenda is held at (tests: whether the cache followed a commit).
    func heldVersion(practitionerID: UUID) -> Int64? {
        state.withLockedValue { $0.practitioners[practitionerID]?.version }
    }
}
