/// A first-come, first-served lock for SQLite writers in this process.
///
/// SQLite allows one writer at a time, and a writer that finds the database
/// locked waits inside the driver, blocking one of the few threads that run
/// every query. Queueing writers here instead, without holding a thread, keeps
/// readers and the lock holder running; the busy timeout then only matters
/// for another process (a `creneau migrate` beside a running server).
actor WriteGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
