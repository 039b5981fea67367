import CreneauDomain
import Foundation
import SQLKit

/// Attempt counters in the database, so that every instance counts into the same rows.
/// Each operation is one statement: an upsert decides in the database whether the window
/// has passed, so two instances counting at once never lose an attempt.
extension SQLStore: LimitCounters {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)) }
    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1_000) }

    public func count(_ key: String, window: TimeInterval, now: Date) async throws -> (count: Int, since: Date) {
        let at = Self.milliseconds(now), expired = at - Int64(window * 1_000)
        let row = try await writeOne { db in
            try await db.raw("""
                INSERT INTO limit_counters (key_hash, count, since_ms, last_ms) VALUES (\(bind: Self.tokenHash(key)), 1, \(bind: at), \(bind: at))
                ON CONFLICT (key_hash) DO UPDATE SET
                    count = CASE WHEN limit_counters.since_ms <= \(bind: expired) THEN 1
                                 WHEN limit_counters.count >= \(bind: Self.ceiling) THEN limit_counters.count
                                 ELSE limit_counters.count + 1 END,
                    since_ms = CASE WHEN limit_counters.since_ms <= \(bind: expired) THEN \(bind: at) ELSE limit_counters.since_ms END,
                    last_ms = \(bind: at)
                RETURNING count, since_ms
                """).first()
        }
        guard let row else { throw RepositoryError.unavailable("the attempt counter was not written") }
        return (try row.decode(column: "count", as: Int.self), Self.date(milliseconds: try row.decode(column: "since_ms", as: Int64.self)))
    }

    public func fail(_ key: String, quietAfter: TimeInterval, now: Date) async throws {
        let at = Self.milliseconds(now), quiet = at - Int64(quietAfter * 1_000)
        _ = try await writeOne { db in
            try await db.raw("""
                INSERT INTO limit_counters (key_hash, count, since_ms, last_ms) VALUES (\(bind: Self.tokenHash(key)), 1, \(bind: at), \(bind: at))
                ON CONFLICT (key_hash) DO UPDATE SET
                    count = CASE WHEN limit_counters.last_ms <= \(bind: quiet) THEN 1
                                 WHEN limit_counters.count >= 64 THEN 64
                                 ELSE limit_counters.count + 1 END,
                    last_ms = \(bind: at)
                RETURNING count
                """).first()
        }
    }

    public func failures(_ key: String) async throws -> (count: Int, last: Date)? {
        try await database.withConnection { db in
            try await db.raw("SELECT count, last_ms FROM limit_counters WHERE key_hash = \(bind: Self.tokenHash(key))").first()
                .map { (try $0.decode(column: "count", as: Int.self), Self.date(milliseconds: try $0.decode(column: "last_ms", as: Int64.self))) }
        }
    }

    public func forget(_ key: String) async throws {
        _ = try await writeOne { db in
            try await db.raw("DELETE FROM limit_counters WHERE key_hash = \(bind: Self.tokenHash(key)) RETURNING key_hash").first()
        }
    }

    /// Drops counters untouched since `before` (every window and backoff is far shorter than a day).
    @discardableResult
    public func purgeLimitCounters(before: Date) async throws -> Int {
        try await database.transaction { db in
            try await db.raw("DELETE FROM limit_counters WHERE last_ms < \(bind: Self.milliseconds(before)) RETURNING key_hash").all().count
        }
    }

    /// One statement on its own: SQLite's through the writers' connection (its one writer, in
    /// turn); PostgreSQL's on any connection, committed by itself (no BEGIN/COMMIT round trips).
    private func writeOne(_ body: @Sendable @escaping (any SQLDatabase) async throws -> (any SQLRow)?) async throws -> (any SQLRow)? {
        switch database.engine {
        case .sqlite: return try await database.transaction(body)
        case .postgres: return try await database.withConnection(body)
        }
    }
}
