import CreneauDomain
import Foundation
import SQLKit

/// Holds: placed, released, lapsed and cleared, and whose they are.
extension SQLStore {
    public func place(_ hold: Hold, token: String, now: Date) async throws -> Bool {
        do {
            try await database.transaction { db in
                try await purgeExpiredHolds(now: now, on: db)
                try await insertHold(hold, token: token, on: db)
            }
            return true
        } catch is OccupancyConflict {
            return false
        }
    }

    public func releaseHold(id: UUID, now: Date) async throws -> Bool {
        try await database.transaction { db in try await dropHold(id: id, at: now, on: db) }
    }

    /// In the caller's transaction: the hold's row (its token hashed) and the slot it occupies;
    /// `OccupancyConflict` when something holds the slot already.
    func insertHold(_ hold: Hold, token: String, on db: any SQLDatabase) async throws {
        try await insertRow(HoldRow(hold: hold, tokenHash: Self.tokenHash(token)), on: db)
        var cache = FootprintCache()
        let resources = try await db.raw("SELECT resource_id FROM motive_resources WHERE motive_id = \(bind: Column.id(hold.motiveID))").all()
            .map { try $0.uuid("resource_id") }
        let claims = try await claims(
            holderID: hold.id, practitionerID: hold.practitionerID, motiveID: hold.motiveID, resourceIDs: resources,
            start: hold.startsAt, end: hold.endsAt, cache: &cache, on: db)
        try await occupy(claims, on: db)
    }

    /// In the caller's transaction: the hold gone, its slot freed and the time given back to the
    /// change feed. False when there was no such hold (used or purged already).
    @discardableResult
    func dropHold(id: UUID, at now: Date, on db: any SQLDatabase) async throws -> Bool {
        let deleted = try await db.raw("DELETE FROM holds WHERE id = \(bind: Column.id(id)) RETURNING practitioner_id, starts_at, ends_at").all()
        guard let hold = deleted.first else { return false }
        try await release(holderID: id, on: db)
        try await addChanges([.freed(try hold.uuid("practitioner_id"), from: try hold.instant("starts_at"), to: try hold.instant("ends_at"), at: now)], on: db)
        return true
    }

    public func hold(id: UUID) async throws -> Hold? {
        try await findRow(HoldRow.self, id: id)?.hold
    }

    public func purgeExpired(now: Date) async throws -> (holds: Int, idempotencyRecords: Int) {
        try await database.transaction { db in
            let holds = try await purgeExpiredHolds(now: now, on: db)
            let records = try await db.raw("DELETE FROM idempotency_keys WHERE expires_at <= \(bind: Column.instant(now)) RETURNING scope").all().count
            return (holds, records)
        }
    }

    /// Expired holds no longer count for availability; this gives their quanta back.
    @discardableResult
    func purgeExpiredHolds(now: Date, on db: any SQLDatabase) async throws -> Int {
        let rows = try await db.raw("""
            SELECT id, practitioner_id, starts_at, ends_at FROM holds WHERE expires_at <= \(bind: Column.instant(now)) ORDER BY expires_at LIMIT 500
            """).all()
        let expired = try rows.map { try $0.uuid("id") }
        for id in expired {
            try await release(holderID: id, on: db)
        }
        if !expired.isEmpty {
            try await db.raw("DELETE FROM holds WHERE id IN \(idList(expired))").run()
            // A lapsed hold's time counted for nothing already; now it is given back for good.
            try await addChanges(try rows.map { .freed(try $0.uuid("practitioner_id"), from: try $0.instant("starts_at"), to: try $0.instant("ends_at"), at: now) },
                                 on: db)
        }
        return expired.count
    }

    public func holdTokenMatches(holdID: UUID, token: String) async throws -> Bool {
        try await storedHash("token_hash", of: "holds", id: holdID, matches: token)
    }
}

struct HoldRow: SQLRecord {
    static let table = "holds"
    var hold: Hold
    /// SHA-256 of the hold's token; never read back.
    var tokenHash: String?
    var key: String { Column.id(hold.id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("practitioner_id", Column.id(hold.practitionerID)), ("motive_id", Column.id(hold.motiveID)),
         ("starts_at", Column.instant(hold.startsAt)), ("ends_at", Column.instant(hold.endsAt)), ("channel", hold.channel.rawValue),
         ("expires_at", Column.instant(hold.expiresAt)), ("created_at", Column.instant(hold.createdAt)),
         ("token_hash", tokenHash), ("holder_account_id", Column.id(hold.holderAccountID))]
    }
    init(hold: Hold, tokenHash: String?) {
        self.hold = hold
        self.tokenHash = tokenHash
    }
    init(row: any SQLRow) throws {
        hold = Hold(
            id: try row.uuid("id"), practitionerID: try row.uuid("practitioner_id"), motiveID: try row.uuid("motive_id"),
            startsAt: try row.instant("starts_at"), endsAt: try row.instant("ends_at"), channel: try row.enumeration("channel"),
            expiresAt: try row.instant("expires_at"), createdAt: try row.instant("created_at"),
            holderAccountID: try row.optionalUUID("holder_account_id"))
        tokenHash = nil
    }
}
