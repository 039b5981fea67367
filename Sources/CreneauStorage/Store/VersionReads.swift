import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Reads `agenda_versions` for the caches, several callers in one query.
///
/// A cache must compare its copy with a version read *after* it was asked (so it never
/// answers with data older than a change that committed before the question). Callers that
/// arrive while a read is running wait for the next one, which starts after they arrived;
/// everyone waiting then shares that one query. Under load, the dozens of version reads a
/// second that bookings and searches make become a few; a lone caller reads at once, as before.
final class VersionReads: Sendable {
    private struct Waiter {
        let keys: Set<String>
        let continuation: CheckedContinuation<[String: Int64], any Error>
    }

    private struct State {
        var waiting: [Waiter] = []
        var reading = false
        var queries = 0
    }

    /// How many queries have been run (tests: that callers shared them).
    var queryCount: Int { state.withLockedValue { $0.queries } }

    private let state = NIOLockedValueBox(State())

    /// The versions of `keys` (owner ids as stored, or `'*'`), 0 for keys without a row.
    func read(_ keys: Set<String>, from database: Database) async throws -> [String: Int64] {
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
