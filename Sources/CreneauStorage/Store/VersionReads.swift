import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Reads `agenda_versions` for the caches, several callers in one query, and, when allowed,
/// not at all.
///
/// A cache must compare its copy with a version read *after* it was asked (so it never
/// answers with data older than a change that committed before the question). Callers that
/// arrive while a read is running wait for the next one, which starts after they arrived;
/// everyone waiting then shares that one query.
///
/// With `peerLag` above zero, other instances' changes may take up to that long to show, and
/// the warm path leaves the database alone. Every read also fetches the global version (`'#'`,
/// migration 0029), which moves with every change anywhere, in the same statement: the
/// versions it returns are exactly those of that global version. A caller may then answer
/// from versions already read, without asking, while the last read is younger than `peerLag`
/// and no statement of this process that may have written has run since it began
/// (`WriteEpoch`): this instance always sees its own changes at once, as with no lag at all.
final class VersionReads: Sendable {
    private struct Waiter {
        let keys: Set<String>
        let continuation: CheckedContinuation<[String: Int64], any Error>
    }

    private struct State {
        var waiting: [Waiter] = []
        var reading = false
        var queries = 0
        /// The newest read's global version, when it began and the write epoch then.
        var lastRead: (started: ContinuousClock.Instant, epoch: UInt64, global: Int64)?
        /// Versions of that global version (every read's, while it has not moved).
        var known: (global: Int64, versions: [String: Int64])?
    }

    /// How long other instances' changes may take to show here (zero: at once, a read per call).
    let peerLag: Duration
    private let state = NIOLockedValueBox(State())

    init(peerLag: Duration = .zero) {
        self.peerLag = peerLag
    }

    /// How many queries have been run (tests: that callers shared them, or asked nothing).
    var queryCount: Int { state.withLockedValue { $0.queries } }

    /// The versions of `keys` (owner ids as stored, or `'*'`), 0 for keys without a row.
    func read(_ keys: Set<String>, from database: Database) async throws -> [String: Int64] {
        guard peerLag > .zero else { return try await readKeys(keys, from: database) }
        let now = ContinuousClock.now
        let epoch = database.writes.current
        let lag = peerLag
        let held = state.withLockedValue { state -> [String: Int64]? in
            guard let last = state.lastRead, last.epoch == epoch, now - last.started <= lag,
                  let known = state.known, known.global == last.global else { return nil }
            var versions: [String: Int64] = [:]
            for key in keys {
                guard let version = key == Migration.globalVersionKey ? known.global : known.versions[key] else { return nil }
                versions[key] = version
            }
            return versions
        }
        if let held { return held }
        let global = Migration.globalVersionKey
        var versions = try await readKeys(keys.union([global]), from: database)
        // 0: no global version in this database (before migration 0029): nothing is kept.
        guard let version = versions.removeValue(forKey: global), version > 0 else { return versions }
        // The read began after `now` and after any write counted by `epoch`: it stands for them.
        state.withLockedValue { state in
            if (state.lastRead?.started).map({ $0 < now }) ?? true { state.lastRead = (now, epoch, version) }
            if let known = state.known, known.global == version {
                state.known?.versions.merge(versions) { _, new in new }
            } else if (state.known?.global).map({ $0 < version }) ?? true {
                state.known = (version, versions)
            }
        }
        if !keys.contains(global) { return versions }
        versions[global] = version
        return versions
    }

    private func readKeys(_ keys: Set<String>, from database: Database) async throws -> [String: Int64] {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLockedValue { state -> Bool in
                state.waiting.append(Waiter(keys: keys, continuation: continuation))
                guard !state.reading else { return false }
                state.reading = true
                return true
            }
            if start { Task { await self.drain(database) } }
        }
    }

    private func drain(_ database: Database) async {
        while true {
            let batch = state.withLockedValue { state -> [Waiter] in
                let batch = state.waiting
                state.waiting = []
                if batch.isEmpty { state.reading = false } else { state.queries += 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            let keys = batch.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
            do {
                let versions = try await database.withConnection { db in
                    var versions: [String: Int64] = [:]
                    for row in try await db.select().columns("owner_id", "version").from("agenda_versions")
                        .where("owner_id", .in, SQLGroupExpression(keys.sorted().map { SQLBind($0) })).all() {
                        versions[try row.decode(column: "owner_id", as: String.self)] = try row.decode(column: "version", as: Int64.self)
                    }
                    return versions
                }
                for waiter in batch {
                    waiter.continuation.resume(returning: Dictionary(uniqueKeysWithValues: waiter.keys.map { ($0, versions[$0] ?? 0) }))
                }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
    }
}
