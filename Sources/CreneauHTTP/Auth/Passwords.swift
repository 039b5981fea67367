import HummingbirdBcrypt
import NIOPosix

/// bcrypt off the server's cooperative threads. A cost-12 hash takes a quarter of a second
/// of CPU; on a two-core server, a burst of sign-ins run inline would hold every thread the
/// HTTP handlers and `/healthz` need. NIO's shared thread pool takes the work instead.
enum Passwords {
    static func verify(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }

    static func hash(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }
}
