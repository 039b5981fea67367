import CreneauDomain
import Synchronization

/// Answers within a deadline even when the work does not: the work goes on in its own
/// task (a query stuck in a frozen database cannot be cancelled), and the caller gets
/// `RepositoryError.unavailable` when the deadline comes first. A task group would not
/// do: it waits for every child, the stuck one included.
enum Deadline {
    static func run<T: Sendable>(within deadline: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation)
            let worker = Task { race.finish(await Result(catching: work)) }
            Task {
                try? await Task.sleep(for: deadline)
                race.finish(.failure(RepositoryError.unavailable("no answer within \(deadline)")))
                worker.cancel()
            }
        }
    }

    /// The continuation, resumed by whichever side finishes first.
    private final class Race<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation.withLock { $0 = continuation }
        }

        func finish(_ result: Result<T, any Error>) {
            continuation.withLock { waiting in
                waiting?.resume(with: result)
                waiting = nil
            }
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
