import CreneauDomain
import Foundation

/// Writes bookings in batches: requests that arrive while a commit is under
/// way wait and go together in the next one, each in its own savepoint. A
/// commit costs one durable sync (SQLite's WAL fsync, PostgreSQL's WAL flush)
/// however many bookings it carries, so throughput grows with concurrency
/// while every 201 still means "on disk". Nothing waits on a timer: a lone
/// request is written at once.
public actor GroupCommitWriter: BookingWriter {
    private let store: SQLStore
    private let clock: Clock
    private let maximumBatch: Int
    private var queue: [(write: BookingWrite, attempts: Int, continuation: CheckedContinuation<BookingWriteOutcome, any Error>)] = []
    private var running = 0
    /// SQLite has one writer: one batch at a time. PostgreSQL takes several transactions at
    /// once and flushes their commits together; a few batches in flight keep it busy.
    private let concurrentBatches: Int
    /// This instance's agenda cache, told what each commit did so it need not read it back.
    private let cache: CachedAvailability?

    /// Batches of this many bookings or fewer; a transient conflict is retried this many times.
    public static let defaultMaximumBatch = 128
    static let maximumAttempts = 3

    public init(store: SQLStore, clock: Clock, cache: CachedAvailability? = nil, maximumBatch: Int = GroupCommitWriter.defaultMaximumBatch) {
        self.store = store
        self.cache = cache
        self.clock = clock
        self.maximumBatch = maximumBatch
        self.concurrentBatches = store.database.engine == .sqlite ? 1 : 4
    }

    public func write(_ booking: BookingWrite) async throws -> BookingWriteOutcome {
        try await withCheckedThrowingContinuation { continuation in
            queue.append((booking, 1, continuation))
            if running < concurrentBatches {
                running += 1
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(maximumBatch))
            queue.removeFirst(batch.count)
            do {
                let (results, delta) = try await store.commitTracked(batch.map(\.write), now: clock.now())
                // Before any caller hears back: its next question finds the cache already following.
                cache?.follow(delta)
                var retry: [(write: BookingWrite, attempts: Int, continuation: CheckedContinuation<BookingWriteOutcome, any Error>)] = []
                for (item, result) in zip(batch, results) {
                    if case .failure(let error) = result, error is TransientWriteConflict, item.attempts < Self.maximumAttempts {
                        retry.append((item.write, item.attempts + 1, item.continuation))
                    } else {
                        item.continuation.resume(with: result)
                    }
                }
                queue.insert(contentsOf: retry, at: 0)
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
        running -= 1
    }
}

/// One booking, one transaction: for tests and tools that want no batching.
public struct DirectBookingWriter: BookingWriter {
    let store: SQLStore
    let clock: Clock

    public init(store: SQLStore, clock: Clock) {
        self.store = store
        self.clock = clock
    }

    public func write(_ booking: BookingWrite) async throws -> BookingWriteOutcome {
        try await store.commitEach([booking], now: clock.now())[0].get()
    }
}
