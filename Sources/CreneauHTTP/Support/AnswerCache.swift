import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Encoded answers remembered under the versions they were computed from.
///
/// An availability answer is a pure function of the request, the agendas' and the
/// configuration's versions (`AvailabilityRepository.versionStamp`) and the time; the time only
/// matters to the second (notice, horizon and release moments fall on whole minutes). Thousands
/// of patients looking at the same few hundred agendas then cost one computation and one
/// encoding per agenda and second, not one per visitor. An entry is used only under exactly the
/// stamp it was filed with, so nothing outlives a change; the whole cache is dropped when it
/// outgrows its budget (simple, and it refills from the next answers).
final class AnswerCache<Answer: Sendable>: Sendable {
    private struct Entry {
        let stamp: String
        let body: Answer
        let size: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let state = NIOLockedValueBox(State())
    let budget: Int

    /// How many bytes an answer holds (the budget counts them).
    let size: @Sendable (Answer) -> Int

    init(budget: Int = 32 << 20, size: @escaping @Sendable (Answer) -> Int) {
        self.budget = budget
        self.size = size
    }

    func answer(_ key: String, stamp: String) -> Answer? {
        state.withLockedValue { state in
            guard let entry = state.entries[key], entry.stamp == stamp else { return nil }
            return entry.body
        }
    }

    func remember(_ key: String, stamp: String, body: Answer) {
        let size = self.size(body) + key.utf8.count + stamp.utf8.count
        state.withLockedValue { state in
            if state.bytes + size > budget {
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if let old = state.entries.updateValue(Entry(stamp: stamp, body: body, size: size), forKey: key) {
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

enum AnswerTime {
    /// The stamp's time part: the second `now` falls in.
    static func second(_ now: Date) -> String {
        String(Int64(now.timeIntervalSince1970.rounded(.down)))
    }
}
