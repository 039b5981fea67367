import CreneauDomain
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The practitioner directory and who offers which motive, held in memory.
///
/// It is configuration: it changes when an admin edits practitioners,
/// departments, templates or motives, and every such change bumps the `'*'`
/// agenda version (migration 0008). Each call reads that version (one
/// primary-key lookup) and reloads the whole directory when it moved, or when
/// the day changed (templates expire by date).
public final class CachedDirectory: DirectoryRepository, Sendable {
    let store: SQLStore
    let clock: Clock

    private struct Snapshot: Sendable {
        var version: Int64
        var day: LocalDate
        var ordered: [PractitionerProfile]
        var byID: [UUID: PractitionerProfile]
        var searchNames: [UUID: String]
        /// Names, departments, sites, cities and the departments' motives, folded (`DirectorySearch.text`).
        var searchTexts: [UUID: String]
        var motives: [UUID: [Motive]]
        var siteDepartments: [SiteDepartments]
    }

    private struct State {
        var snapshot: Snapshot?
        /// The load under way, so that concurrent callers wait for one load instead of each making their own.
        var loading: (version: Int64, day: LocalDate, task: Task<Snapshot, any Error>)?
    }

    private let state = NIOLockedValueBox(State())

    public init(store: SQLStore, clock: Clock) {
        self.store = store
        self.clock = clock
    }

    private func current(day: LocalDate) async throws -> Snapshot {
        let key = CachedAvailability.configurationKey
        let version = try await store.versionReads.read([key], from: store.database)[key] ?? 0
        let task = state.withLockedValue { state -> Task<Snapshot, any Error>? in
            if let held = state.snapshot, held.version == version, held.day == day { return nil }
            if let loading = state.loading, loading.version == version, loading.day == day { return loading.task }
            let task = Task { try await self.load(version: version, day: day) }
            state.loading = (version, day, task)
            return task
        }
        guard let task else { return state.withLockedValue { $0.snapshot! } }
        let loaded: Snapshot
        do {
            loaded = try await task.value
        } catch {
            // A failed load is not remembered: the next caller tries again.
            state.withLockedValue { state in
                if state.loading?.version == version && state.loading?.day == day { state.loading = nil }
            }
            throw error
        }
        state.withLockedValue { state in
            if state.snapshot == nil || state.snapshot!.version <= version { state.snapshot = loaded }
            if state.loading?.version == version && state.loading?.day == day { state.loading = nil }
        }
        return loaded
    }

    /// Reads the whole directory; called after reading the version, so the data is at least as new as it.
    private func load(version: Int64, day: LocalDate) async throws -> Snapshot {
        let ordered = try await store.searchPractitioners(query: nil, specialty: nil, siteID: nil, limit: .max)
        let motives = try await store.bookableMotives(practitionerIDs: ordered.map(\.practitioner.id), on: day)
        let siteDepartments = try await store.siteDepartments()
        let motiveNames = try await store.motiveNamesByDepartment()
        return Snapshot(
            version: version, day: day, ordered: ordered,
            byID: Dictionary(uniqueKeysWithValues: ordered.map { ($0.practitioner.id, $0) }),
            searchNames: Dictionary(uniqueKeysWithValues: ordered.map { ($0.practitioner.id, $0.practitioner.searchName) }),
            searchTexts: Dictionary(uniqueKeysWithValues: ordered.map { profile in
                (profile.practitioner.id, DirectorySearch.text(of: profile, motiveNames: profile.departments.flatMap { motiveNames[$0.id] ?? [] }))
            }),
            motives: motives, siteDepartments: siteDepartments)
    }

    /// Loads the directory now, so that the first visitor does not wait for it.
    public func warm() async throws {
        _ = try await current(day: today)
    }

    private var today: LocalDate { LocalDate(clock.now(), in: Site.defaultZone) }

    public func searchPractitioners(query: String?, specialty: String?, siteID: UUID?, limit: Int) async throws -> [PractitionerProfile] {
        let held = try await current(day: today)
        let filtered = held.ordered.filter { profile in
            profile.departments.contains { department in
                (specialty == nil || department.specialty == specialty) && (siteID == nil || department.siteID == siteID)
            }
        }
        return DirectorySearch.rank(
            filtered, words: DirectorySearch.words(query), name: { held.searchNames[$0.practitioner.id] ?? "" },
            text: { held.searchTexts[$0.practitioner.id] ?? "" }, limit: limit)
    }

    public func practitionersInService() async throws -> [PractitionerProfile] {
        try await current(day: today).ordered
    }

    public func practitionerProfile(id: UUID) async throws -> PractitionerProfile? {
        try await current(day: today).byID[id]
    }

    public func bookableMotives(practitionerIDs: [UUID], on day: LocalDate) async throws -> [UUID: [Motive]] {
        // Held for today: a template that ends before `day` still lists its motives, and the engine,
        // which checks each template's dates, offers no slot from it.
        let held = try await current(day: today)
        var result: [UUID: [Motive]] = [:]
        for id in practitionerIDs { result[id] = held.motives[id] }
        return result
    }

    public func practitionerWithMotives(id: UUID, now: Date) async throws -> (profile: PractitionerProfile, motives: [Motive])? {
        let held = try await current(day: today)
        return held.byID[id].map { ($0, held.motives[id] ?? []) }
    }

    public func configurationStamp() async throws -> String? {
        let held = try await current(day: today)
        return "\(held.version)|\(held.day)"
    }

    public func siteDepartments() async throws -> [SiteDepartments] {
        try await current(day: today).siteDepartments
    }

    public func site(reference: String) async throws -> Site? {
        let held = try await current(day: today)
        if let id = UUID(uuidString: reference) { return held.siteDepartments.first { $0.site.id == id }?.site }
        return held.siteDepartments.first { $0.site.slug == reference.lowercased() }?.site
    }
}
