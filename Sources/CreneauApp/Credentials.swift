import CreneauDomain
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP
import NIOPosix

/// bcrypt off the server's cooperative threads. A cost-12 hash takes a quarter of a second
/// of CPU; on a two-core server, a burst of sign-ins run inline would hold every thread the
/// HTTP handlers and `/healthz` need. NIO's shared thread pool takes the work instead.
public struct BcryptPasswords: PasswordHasher {
    /// OWASP's floor for bcrypt in 2026 is 10; 12 costs ~250 ms here, fine for a sign-in.
    public static let cost: UInt8 = 12
    /// A hash of nothing anyone knows, computed once per process.
    static let decoy = Bcrypt.hash("creneau-decoy-\(UUID().uuidString)", cost: cost)

    public init() {}

    public var decoyHash: String { Self.decoy }

    public func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: Self.cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }
}

/// RFC 6238 codes as authenticator apps show them (six digits, 30-second steps, HMAC-SHA1).
public struct TOTPCodes: OneTimeCodes {
    public init() {}

    public func code(secret: String, at date: Date) -> Int {
        TOTP(secret: secret).compute(date: date)
    }
}
