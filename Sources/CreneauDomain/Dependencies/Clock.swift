import Foundation

/// The current time, passed in so that tests run on a fixed clock.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    /// Wall-clock time truncated to whole seconds, the precision storage keeps.
    public static let live = Clock { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    public static func fixed(_ instant: Date) -> Clock { Clock { instant } }

    /// A clock that reads `start` now and runs on in real time from there: a training or
    /// demonstration instance set on a given day (never production).
    public static func starting(at start: Date) -> Clock {
        let offset = start.timeIntervalSince1970.rounded(.down) - Date().timeIntervalSince1970.rounded(.down)
        return Clock { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) + offset) }
    }
}
