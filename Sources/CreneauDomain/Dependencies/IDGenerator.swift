import Foundation

/// Makes identifiers. Live ids are random UUIDv4 (122 random bits), so no
/// identifier shown to a client can be guessed from another.
public struct IDGenerator: Sendable {
    public var next: @Sendable () -> UUID

    public init(next: @escaping @Sendable () -> UUID) { self.next = next }

    public static let random = IDGenerator { UUID() }
}
