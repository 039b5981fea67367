import Foundation

/// Turns passwords into stored hashes and checks them. The server's is bcrypt (cost 12)
/// run off the request threads; the domain only needs the two questions answered.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    /// False for a wrong password and for a hash it cannot read.
    func verify(_ password: String, hash: String) async -> Bool
    /// A hash of something nobody knows, checked for unknown emails so that they cost the same time.
    var decoyHash: String { get }
}

/// The codes of an authenticator app (TOTP, RFC 6238: six digits, 30-second steps).
public protocol OneTimeCodes: Sendable {
    /// The code the app shows for `secret` (base32) at `date`.
    func code(secret: String, at date: Date) -> Int
}

/// Why a sign-in, a code, a link or a password change is refused. The messages a client reads
/// are written where errors are mapped to responses; nothing here says which part was wrong
/// when that would tell a guesser something.
public enum SignInError: Error, Hashable, Sendable {
    /// The email, password or code is not right (never which).
    case failed
    /// Too many attempts from here or on this account; try again after `wait` seconds.
    case tooManyAttempts(wait: Int)
    /// A staff account without an authenticator app set up.
    case secondFactorMissing
    /// The password was right but the address was never confirmed; a new link went out.
    case emailNotVerified
    /// The emailed code is wrong; `left` tries remain.
    case wrongCode(left: Int)
    /// The emailed code expired or was tried too often.
    case codeExpired
    /// The current password given to change it is not right.
    case wrongPassword
    /// A verification or reset link expired or was already used.
    case invalidLink
    /// The code typed while enrolling an authenticator app does not match the key shown.
    case wrongEnrolmentCode
}
