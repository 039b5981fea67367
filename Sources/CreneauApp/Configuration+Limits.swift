import CreneauHTTP
import Foundation

/// What one client may hold of the server. Every connection is closed when idle
/// (`CRENEAU_IDLE_TIMEOUT`, also the time allowed to send a request's headers) or
/// when a request is not read in full in time (`CRENEAU_REQUEST_TIMEOUT`: a body
/// announced and never sent); at most `CRENEAU_MAX_CONNECTIONS` are open at once, and
/// at most `CRENEAU_MAX_CONNECTIONS_PER_ADDRESS` from one address (trusted proxies
/// excepted), so a few machines holding sockets cannot starve everyone else.
public struct ConnectionLimits: Sendable, Equatable {
    public var idleTimeout: TimeInterval = 30
    public var requestTimeout: TimeInterval = 30
    public var maxConnections = 10_000
    public var maxConnectionsPerAddress = 256

    public init() {}

    static func load(_ value: (String) -> String?) throws -> ConnectionLimits {
        var limits = ConnectionLimits()
        func number(_ name: String, _ range: ClosedRange<Int>, _ unit: String) throws -> Int? {
            guard let text = value(name) else { return nil }
            guard text.count <= 9, let number = Int(text), range.contains(number) else {
                throw ConfigurationError(setting: name, problem: "must be a number of \(unit) from \(range.lowerBound) to \(range.upperBound).")
            }
            return number
        }
        if let seconds = try number("CRENEAU_IDLE_TIMEOUT", 1...3_600, "seconds") { limits.idleTimeout = TimeInterval(seconds) }
        if let seconds = try number("CRENEAU_REQUEST_TIMEOUT", 1...3_600, "seconds") { limits.requestTimeout = TimeInterval(seconds) }
        if let count = try number("CRENEAU_MAX_CONNECTIONS", 1...1_000_000, "connections") { limits.maxConnections = count }
        if let count = try number("CRENEAU_MAX_CONNECTIONS_PER_ADDRESS", 1...1_000_000, "connections") { limits.maxConnectionsPerAddress = count }
        return limits
    }
}

/// How long the server waits on its database before answering 503: to open a
/// connection or get one from the pool, and for one statement.
public struct DatabaseTimeouts: Sendable, Equatable {
    public var connect: TimeInterval = 5
    public var statement: TimeInterval = 10
    /// How long a change made by another instance (or a command) may take to show in this
    /// instance's availability and directory (`CRENEAU_PEER_LAG_MS`; its own show at once).
    /// Within it, a warm answer asks the database nothing; 0 reads versions on every answer.
    public var peerLagMilliseconds = 50

    public init() {}

    static func load(_ value: (String) -> String?) throws -> DatabaseTimeouts {
        var timeouts = DatabaseTimeouts()
        for (name, path) in [("CRENEAU_DB_CONNECT_TIMEOUT", \DatabaseTimeouts.connect), ("CRENEAU_DB_STATEMENT_TIMEOUT", \DatabaseTimeouts.statement)] {
            guard let text = value(name) else { continue }
            guard text.count <= 5, let seconds = Int(text), (1...600).contains(seconds) else {
                throw ConfigurationError(setting: name, problem: "must be a number of seconds from 1 to 600.")
            }
            timeouts[keyPath: path] = TimeInterval(seconds)
        }
        if let text = value("CRENEAU_PEER_LAG_MS") {
            guard text.count <= 4, let milliseconds = Int(text), (0...1_000).contains(milliseconds) else {
                throw ConfigurationError(setting: "CRENEAU_PEER_LAG_MS", problem: "must be a number of milliseconds from 0 to 1000.")
            }
            timeouts.peerLagMilliseconds = milliseconds
        }
        return timeouts
    }
}
