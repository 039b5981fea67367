import CreneauDomain
import Foundation
import SQLKit

/// The database refused a claim: a quantum is held by someone else, or its seats are all taken.
struct OccupancyConflict: Error {}

/// Claiming and releasing occupancy (migration 0009), inside the caller's transaction.
extension SQLStore {
    /// Claims every quantum of `claims`. Throws `OccupancyConflict` when one is
    /// taken; on PostgreSQL the transaction must then roll back (to a savepoint).
    func occupy(_ claims: [OccupancyClaim], on db: any SQLDatabase) async throws {
        for claim in claims {
            let owner = Column.id(claim.ownerID)
            var values: [SQLQueryString] = []
            for quantum in claim.quanta {
                values.append("(\(bind: owner), \(bind: quantum), \(bind: claim.shareKey), 1, \(bind: claim.capacity))")
            }
            // A row of another holder is left alone by the WHERE and not returned; a full
            // shared row fails the capacity CHECK. Either way fewer rows come back.
            let sql: SQLQueryString = """
                INSERT INTO occupancy (owner_id, quantum, share_key, taken, capacity) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (owner_id, quantum) DO UPDATE SET taken = occupancy.taken + 1
                WHERE occupancy.share_key = excluded.share_key
                RETURNING quantum
                """
            let returned: Int
            do {
                returned = try await db.raw(sql).all().count
            } catch {
                if case RepositoryError.invalidValue(let constraint) = StorageErrors.map(error), constraint.contains("ck_occupancy_taken") {
                    throw OccupancyConflict()
                }
                throw error
            }
            guard returned == claim.quanta.count else { throw OccupancyConflict() }
            try await db.raw("""
                INSERT INTO occupancy_claims (holder_id, owner_id, first_quantum, last_quantum, share_key, capacity)
                VALUES (\(bind: Column.id(claim.holderID)), \(bind: owner), \(bind: claim.quanta.lowerBound), \(bind: claim.quanta.upperBound), \(bind: claim.shareKey), \(bind: claim.capacity))
                """).run()
        }
    }

    /// Claims the quanta of many holders in as few statements as the bind limit allows.
    /// False when any quantum is taken (by another holder or by two of these); the caller rolls back.
    func occupyTogether(_ claims: [OccupancyClaim], on db: any SQLDatabase) async throws -> Bool {
        var values: [SQLQueryString] = []
        for claim in claims {
            let owner = Column.id(claim.ownerID)
            for quantum in claim.quanta {
                values.append("(\(bind: owner), \(bind: quantum), \(bind: claim.shareKey), 1, \(bind: claim.capacity))")
            }
        }
        let rowsPerStatement = SQLStore.maximumBindsPerStatement / 4
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(start + rowsPerStatement, values.count)]
            let sql: SQLQueryString = """
                INSERT INTO occupancy (owner_id, quantum, share_key, taken, capacity) VALUES \(Array(chunk).joined(separator: ", "))
                ON CONFLICT (owner_id, quantum) DO UPDATE SET taken = occupancy.taken + 1
                WHERE occupancy.share_key = excluded.share_key
                RETURNING quantum
                """
            // A refusal of any kind (a full row's CHECK, PostgreSQL's "cannot affect row a second time") means: not together.
            guard let returned = try? await db.raw(sql).all().count, returned == chunk.count else { return false }
            start += chunk.count
        }
        return true
    }

    /// Gives back everything `holderID` claimed.
    func release(holderID: UUID, on db: any SQLDatabase) async throws {
        let holder = Column.id(holderID)
        let claims = try await db.raw("SELECT owner_id, first_quantum, last_quantum, share_key FROM occupancy_claims WHERE holder_id = \(bind: holder)").all()
        for claim in claims {
            let owner = try claim.string("owner_id"), key = try claim.string("share_key")
            let first = try claim.decode(column: "first_quantum", as: Int64.self), last = try claim.decode(column: "last_quantum", as: Int64.self)
            try await db.raw("""
                DELETE FROM occupancy WHERE owner_id = \(bind: owner) AND quantum BETWEEN \(bind: first) AND \(bind: last)
                AND share_key = \(bind: key) AND taken = 1
                """).run()
            try await db.raw("""
                UPDATE occupancy SET taken = taken - 1 WHERE owner_id = \(bind: owner) AND quantum BETWEEN \(bind: first) AND \(bind: last)
                AND share_key = \(bind: key)
                """).run()
        }
        if !claims.isEmpty {
            try await db.raw("DELETE FROM occupancy_claims WHERE holder_id = \(bind: holder)").run()
        }
    }

    /// What a visit of `motiveID` by `practitionerID` from `start` to `end` claims, from the stored motive and rooms.
    func claims(
        holderID: UUID, practitionerID: UUID, motiveID: UUID, resourceIDs: [UUID], start: Date, end: Date,
        cache: inout FootprintCache, on db: any SQLDatabase
    ) async throws -> [OccupancyClaim] {
        let footprint: MotiveFootprint
        if let known = cache.motives[motiveID] {
            footprint = known
        } else {
            guard let row = try await db.raw("""
                SELECT id, capacity, buffer_before_minutes, buffer_after_minutes FROM motives WHERE id = \(bind: Column.id(motiveID))
                """).first() else { throw RepositoryError.missingReference(constraint: "motive") }
            footprint = MotiveFootprint(id: motiveID, capacity: try row.int("capacity"),
                                        bufferBeforeMinutes: try row.int("buffer_before_minutes"), bufferAfterMinutes: try row.int("buffer_after_minutes"))
            cache.motives[motiveID] = footprint
        }
        let missing = resourceIDs.filter { cache.capacities[$0] == nil }
        if !missing.isEmpty {
            for row in try await db.raw("SELECT id, capacity FROM resources WHERE id IN \(idList(missing))").all() {
                cache.capacities[try row.uuid("id")] = try row.int("capacity")
            }
        }
        var capacities: [UUID: Int] = [:]
        for id in resourceIDs {
            guard let capacity = cache.capacities[id] else { throw RepositoryError.missingReference(constraint: "resource") }
            capacities[id] = capacity
        }
        return Occupancy.claims(holderID: holderID, practitionerID: practitionerID, motive: footprint,
                                resourceCapacities: capacities, start: start, end: end)
    }

    /// Recomputes occupancy from the stored appointments (after bulk loading).
    public func rebuildOccupancy() async throws {
        let engine = database.engine
        try await database.transaction { db in
            for statement in Migration.rebuildOccupancy {
                if let sql = statement.sql(for: engine) { try await db.raw("\(unsafeRaw: sql)").run() }
            }
        }
    }
}

/// A claim as stored.
struct ClaimRow: SQLRecord {
    static let table = "occupancy_claims"
    static let keyColumn = "holder_id"
    var claim: OccupancyClaim
    init(_ claim: OccupancyClaim) { self.claim = claim }
    init(row: any SQLRow) throws {
        claim = OccupancyClaim(
            holderID: try row.uuid("holder_id"), ownerID: try row.uuid("owner_id"),
            quanta: try row.decode(column: "first_quantum", as: Int64.self)...row.decode(column: "last_quantum", as: Int64.self),
            shareKey: try row.string("share_key"), capacity: try row.int("capacity"))
    }
    var key: String { Column.id(claim.holderID) }
    var columns: [(String, SQLValue)] {
        [("holder_id", key), ("owner_id", Column.id(claim.ownerID)), ("first_quantum", claim.quanta.lowerBound),
         ("last_quantum", claim.quanta.upperBound), ("share_key", claim.shareKey), ("capacity", claim.capacity)]
    }
}

/// Motive footprints and room capacities read once per transaction.
struct FootprintCache {
    var motives: [UUID: MotiveFootprint] = [:]
    var capacities: [UUID: Int] = [:]
}
