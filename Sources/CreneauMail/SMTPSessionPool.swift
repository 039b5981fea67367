import CreneauDomain
import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// A transaction that failed before its message was sent: nothing can have been delivered.
enum SMTPSessionFailure: Error {
    case beforeMessage(SMTPError)
}

/// Keeps SMTP connections open between messages, as relays expect of a bulk sender: one
/// connection greets, secures and signs in once, then carries message after message (MAIL, RCPT,
/// DATA). A connection carries one message at a time; the pool opens more as senders ask, up to
/// as many as are in flight. A connection unused for `maximumIdle` is closed rather than reused
/// (relays drop idle clients); one the relay closed meanwhile fails before the message, and the
/// message goes on a new connection. Any other failure closes the connection: its state is unknown.
public actor SMTPSessionPool {
    let client: SMTPClient
    let tlsContext: NIOSSLContext?
    let maximumIdle: TimeInterval
    private var idle: [Session] = []

    public init(client: SMTPClient, maximumIdle: TimeInterval = 20) throws {
        self.client = client
        self.tlsContext = try client.configuration.security == .none ? nil : SMTPClient.tlsContext(client.configuration)
        self.maximumIdle = maximumIdle
    }

    struct Job: Sendable {
        let rendered: String
        let from: String
        let to: String
        let done: CheckedContinuation<Void, any Error>
    }

    /// One connection's loop, in a task of its own: the jobs it is given, one after the other.
    final class Session: Sendable {
        /// Whether the connection still carries messages, and when it last did.
        final class State: Sendable {
            let alive = Mutex(true)
            let lastUsed = Mutex(Date())
        }

        let jobs: AsyncStream<Job>.Continuation
        let task: Task<Void, Never>
        let state = State()

        init(client: SMTPClient, tlsContext: NIOSSLContext?) {
            let (stream, jobs) = AsyncStream<Job>.makeStream()
            self.jobs = jobs
            let state = self.state
            task = Task {
                var pending: Job?
                do {
                    try await client.withSession(tlsContext: tlsContext) { conversation in
                        for await job in stream {
                            pending = job
                            try await SMTPClient.transaction(&conversation, rendered: job.rendered, from: job.from, to: job.to)
                            pending = nil
                            job.done.resume()
                        }
                    }
                } catch {
                    state.alive.withLock { $0 = false }
                    jobs.finish()
                    pending?.done.resume(throwing: error)
                    // A job given while the connection was failing.
                    for await job in stream { job.done.resume(throwing: error) }
                }
                state.alive.withLock { $0 = false }
            }
        }

        var isAlive: Bool { state.alive.withLock { $0 } }
        var lastUsed: Date { state.lastUsed.withLock { $0 } }

        func run(_ rendered: String, from: String, to: String) async throws {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                if case .terminated = jobs.yield(Job(rendered: rendered, from: from, to: to, done: done)) {
                    done.resume(throwing: SMTPSessionFailure.beforeMessage(.connectionClosed))
                }
            }
            state.lastUsed.withLock { $0 = Date() }
        }

        func close() {
            state.alive.withLock { $0 = false }
            jobs.finish()
        }
    }

    /// Sends one rendered message, on an idle connection when one is fresh, else on a new one.
    public func send(rendered: String, from: String, to: String) async throws {
        while let session = idle.popLast() {
            guard session.isAlive, session.lastUsed.timeIntervalSinceNow > -maximumIdle else {
                session.close()
                continue
            }
            do {
                try await deliver(rendered, from: from, to: to, on: session)
                return
            } catch SMTPSessionFailure.beforeMessage {
                // The relay closed it meanwhile: nothing was sent; a new connection below.
                session.close()
                break
            }
        }
        do {
            try await deliver(rendered, from: from, to: to, on: Session(client: client, tlsContext: tlsContext))
        } catch SMTPSessionFailure.beforeMessage(let error) {
            throw error
        }
    }

    private func deliver(_ rendered: String, from: String, to: String, on session: Session) async throws {
        let timeout = client.configuration.timeout
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await session.run(rendered, from: from, to: to) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                    throw SMTPError.timedOut
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            session.close()
            session.task.cancel()
            throw error
        }
        if session.isAlive { idle.append(session) }
    }

    /// Closes every idle connection (QUIT), e.g. on shutdown.
    public func closeAll() {
        for session in idle { session.close() }
        idle.removeAll()
    }
}
