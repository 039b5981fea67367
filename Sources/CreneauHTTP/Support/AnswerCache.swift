import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Encoded answers remembered under the versions they were computed from.
///
/// An availability answer is a pure function of the request, the agendas' and the
/// configuration's versions (`AvailabilityRepository.versionStamp`) and the time. Thousands of
/// patients looking at the same few hundred agendas then cost one computation and one encoding
/// per agenda and second, not one per visitor:
/// - under the same versions, an answer computed less than `freshFor` seconds ago is served;
/// - under the same versions, one computed less than `servedFor` seconds ago is served while one
///   refresh runs in the background (only time moved: a slot past its notice shows at most that
///   much longer, a lapsed hold's slot shows that much later; the booking itself checks the time
///   exactly, and answers a taken slot with the next free ones);
/// - otherwise the answer is computed, once for all the callers that ask meanwhile.
/// Nothing outlives a change of versions. The whole cache is dropped when it outgrows its budget
/// (simple, and it refills from the next answers).
final class AnswerCache<Answer: Sendable>: Sendable {
    private struct Entry {
        let stamp: String
        let second: Int64
        let body: Answer
        let size: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        /// Computations under way, by key, with what they are computed for.
        var computing: [String: (stamp: String, second: Int64, task: Task<Answer, any Error>)] = [:]
    }

    private enum Next {
        case held(Answer)
        case wait(Task<Answer, any Error>)
    }

    /// Seconds an answer is served as it is, and seconds it may be served while it is refreshed.
    static var freshFor: Int64 { 2 }
    static var servedFor: Int64 { 5 }

    private let state = NIOLockedValueBox(State())
    let budget: Int
    /// How many bytes an answer holds (the budget counts them).
    let size: @Sendable (Answer) -> Int

    init(budget: Int = 32 << 20, size: @escaping @Sendable (Answer) -> Int) {
        self.budget = budget
        self.size = size
    }

    /// The answer for `key` under `stamp` at `now`: remembered, or computed by `compute`.
    func answer(_ key: String, stamp: String, now: Date, compute: @escaping @Sendable () async throws -> Answer) async throws -> Answer {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let next = state.withLockedValue { state -> Next in
            if let entry = state.entries[key], entry.stamp == stamp, entry.second <= second {
                let age = second - entry.second
                if age < Self.freshFor { return .held(entry.body) }
                if age < Self.servedFor {
                    if state.computing[key] == nil { state.computing[key] = (stamp, second, start(key, stamp: stamp, second: second, compute)) }
                    return .held(entry.body)
                }
            }
            if let running = state.computing[key], running.stamp == stamp, running.second == second { return .wait(running.task) }
            let task = start(key, stamp: stamp, second: second, compute)
            state.computing[key] = (stamp, second, task)
            return .wait(task)
        }
        switch next {
        case .held(let body): return body
        case .wait(let task): return try await task.value
        }
    }

    /// Computes, files the answer, and leaves the computing list, whatever the outcome.
    private func start(_ key: String, stamp: String, second: Int64, _ compute: @escaping @Sendable () async throws -> Answer) -> Task<Answer, any Error> {
        Task {
            do {
                let body = try await compute()
                remember(key, stamp: stamp, second: second, body: body)
                return body
            } catch {
                state.withLockedValue { state in
                    if state.computing[key]?.stamp == stamp, state.computing[key]?.second == second { state.computing[key] = nil }
                }
                throw error
            }
        }
    }

    private func remember(_ key: String, stamp: String, second: Int64, body: Answer) {
        let size = self.size(body) + key.utf8.count + stamp.utf8.count
        state.withLockedValue { state in
            if state.computing[key]?.stamp == stamp, state.computing[key]?.second == second { state.computing[key] = nil }
            // An older computation finishing late does not replace a newer answer.
            if let held = state.entries[key], held.second > second { return }
            if state.bytes + size > budget {
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if let old = state.entries.updateValue(Entry(stamp: stamp, second: second, body: body, size: size), forKey: key) {
                state.bytes -= old.size
            }
            state.bytes += size
        }
    }
}

extension AnswerCache where Answer == ByteBuffer {
    convenience init(budget: Int = 32 << 20) {
        self.init(budget: budget, size: { $0.readableBytes })
    }
}
