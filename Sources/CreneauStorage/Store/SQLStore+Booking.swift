@preconcurrency import Crypto
import CreneauDomain
import Foundation
import SQLKit

/// A deadlock or serialization failure on PostgreSQL: the item can simply be tried again.
public struct TransientWriteConflict: Error, Sendable {}

/// What one committed batch of bookings did to the agendas it touched: each owner's version
/// before and after the batch (it held their version rows, so every change in between is its
/// own), the occupations it added (with the practitioner and rooms each belongs to) and the
/// holds its bookings used up.
public struct AgendaDelta: Sendable {
    public var versions: [UUID: (before: Int64, after: Int64)] = [:]
    public var added: [(practitionerID: UUID, resourceIDs: [UUID], occupation: Occupation)] = []
    public var released: Set<UUID> = []
}

extension SQLStore: BookingRepository {
    public func commit(_ writes: [BookingWrite], now: Date) async throws -> [BookingWriteOutcome] {
        try await commitEach(writes, now: now).map { try $0.get() }
    }

    /// Like `commit`, but a write that fails for another reason than its
    /// outcome (a deadlock, a missing row) fails alone: the others still commit.
    public func commitEach(_ writes: [BookingWrite], now: Date) async throws -> [Result<BookingWriteOutcome, any Error>] {
        try await commitTracked(writes, now: now).results
    }

    /// `commitEach`, also saying what the batch did to the agendas it touched (`AgendaDelta`),
    /// so this instance's cache can follow its own bookings without reading them back.
    public func commitTracked(_ writes: [BookingWrite], now: Date) async throws -> (results: [Result<BookingWriteOutcome, any Error>], delta: AgendaDelta) {
        guard !writes.isEmpty else { return ([], AgendaDelta()) }
        return try await database.transaction { db in
            try await purgeExpiredHolds(now: now, on: db)
            // Hold the touched agendas' version rows from here to the commit: every version change
            // between `before` and `after` is then this batch's own.
            let owners = Set(writes.flatMap { [$0.appointment.practitionerID] + $0.appointment.resourceIDs })
            let before = try await lockVersions(of: owners, on: db)
            var cache = FootprintCache()
            var results: [Result<BookingWriteOutcome, any Error>] = []
            // Most batches hold no conflict: write them in a few multi-row statements; only if
            // that fails, go booking by booking to find out which ones cannot be written.
            if writes.count > 1, writes.allSatisfy({ $0.holdID == nil && $0.appointment.status != .cancelled }),
               try await writeTogether(writes, cache: &cache, on: db) {
                results = writes.map { _ in .success(.booked) }
            } else {
                for (index, write) in writes.enumerated() {
                    let savepoint = "booking_\(index)"
                    try await db.raw("SAVEPOINT \(unsafeRaw: savepoint)").run()
                    do {
                        let outcome = try await writeBooking(write, now: now, cache: &cache, on: db)
                        if outcome != .booked { try await db.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: savepoint)").run() }
                        try await db.raw("RELEASE SAVEPOINT \(unsafeRaw: savepoint)").run()
                        results.append(.success(outcome))
                    } catch {
                        try await db.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: savepoint)").run()
                        try await db.raw("RELEASE SAVEPOINT \(unsafeRaw: savepoint)").run()
                        results.append(.failure(Self.classify(error)))
                    }
                }
            }
            let after = try await versions(of: owners, on: db)
            var delta = AgendaDelta()
            for owner in owners { delta.versions[owner] = (before[owner] ?? 0, after[owner] ?? 0) }
            for (write, result) in zip(writes, results) {
                guard case .success(.booked) = result else { continue }
                if let hold = write.holdID { delta.released.insert(hold) }
                let appointment = write.appointment
                guard appointment.status != .cancelled, let footprint = cache.motives[appointment.motiveID] else { continue }
                delta.added.append((appointment.practitionerID, appointment.resourceIDs, Occupation(
                    interval: Interval(start: appointment.startsAt.addingTimeInterval(-TimeInterval(footprint.bufferBeforeMinutes * 60)),
                                       end: appointment.endsAt.addingTimeInterval(TimeInterval(footprint.bufferAfterMinutes * 60))),
                    motiveID: appointment.motiveID, start: appointment.startsAt, holderID: appointment.id)))
            }
            return (results, delta)
        }
    }

    /// The owners' version rows, created at 0 when missing and locked (an upsert that changes
    /// nothing takes the row lock on both engines) until the transaction ends; in id order, so
    /// two batches wait for each other rather than deadlock.
    private func lockVersions(of owners: Set<UUID>, on db: any SQLDatabase) async throws -> [UUID: Int64] {
        guard !owners.isEmpty else { return [:] }
        let values = SQLList(owners.map(Column.id).sorted().map { SQLGroupExpression([SQLBind($0), SQLLiteral.numeric("0")]) })
        var result: [UUID: Int64] = [:]
        for row in try await db.raw("""
            INSERT INTO agenda_versions (owner_id, version) VALUES \(values)
            ON CONFLICT (owner_id) DO UPDATE SET version = agenda_versions.version RETURNING owner_id, version
            """).all() {
            result[try row.uuid("owner_id")] = try row.decode(column: "version", as: Int64.self)
        }
        return result
    }

    private func versions(of owners: Set<UUID>, on db: any SQLDatabase) async throws -> [UUID: Int64] {
        guard !owners.isEmpty else { return [:] }
        var result: [UUID: Int64] = [:]
        for row in try await db.raw("SELECT owner_id, version FROM agenda_versions WHERE owner_id IN \(idList(owners))").all() {
            result[try row.uuid("owner_id")] = try row.decode(column: "version", as: Int64.self)
        }
        return result
    }

    /// Writes a whole batch with one statement per table, inside a savepoint.
    /// False (and nothing written) when any booking conflicts with another holder,
    /// with another booking of the batch, or reuses an idempotency key.
    private func writeTogether(_ writes: [BookingWrite], cache: inout FootprintCache, on db: any SQLDatabase) async throws -> Bool {
        var claims: [OccupancyClaim] = []
        for write in writes {
            let appointment = write.appointment
            claims += try await self.claims(
                holderID: appointment.id, practitionerID: appointment.practitionerID, motiveID: appointment.motiveID,
                resourceIDs: appointment.resourceIDs, start: appointment.startsAt, end: appointment.endsAt, cache: &cache, on: db)
        }
        let rows = try writes.map { write in
            var row = try AppointmentRow(write.appointment, cipher: cipher)
            row.manageTokenHash = Self.tokenHash(write.manageToken)
            return row
        }
        let idempotency = try writes.compactMap { try $0.idempotency.map { try IdempotencyRow($0, cipher: cipher) } }
        try await db.raw("SAVEPOINT batch").run()
        do {
            guard try await occupyTogether(claims, on: db) else {
                try await db.raw("ROLLBACK TO SAVEPOINT batch").run()
                try await db.raw("RELEASE SAVEPOINT batch").run()
                return false
            }
            let bulk = BulkWriter(store: self, db: db)
            try await bulk.insert(idempotency)
            try await bulk.insert(claims.map(ClaimRow.init))
            try await bulk.insert(writes.compactMap(\.newPatient))
            try await bulk.insert(rows)
            try await bulk.insertLinks(.appointmentResources, writes.flatMap { w in w.appointment.resourceIDs.map { (w.appointment.id, $0) } })
            try await bulk.insert(writes.map(\.event))
            try await addChanges(writes.flatMap { ChangeEvent.created($0.appointment, at: $0.appointment.createdAt) }, on: db)
            try await addMessages(writes.flatMap(\.messages), replacingFor: nil, on: db)
            try await db.raw("RELEASE SAVEPOINT batch").run()
            return true
        } catch {
            try await db.raw("ROLLBACK TO SAVEPOINT batch").run()
            try await db.raw("RELEASE SAVEPOINT batch").run()
            return false
        }
    }

    static func classify(_ error: any Error) -> any Error {
        StorageErrors.isTransientConflict(error) ? TransientWriteConflict() : StorageErrors.map(error)
    }

    /// One booking inside the batch's transaction. Anything but `.booked` is rolled back by the caller.
    private func writeBooking(_ write: BookingWrite, now: Date, cache: inout FootprintCache, on db: any SQLDatabase) async throws -> BookingWriteOutcome {
        let appointment = write.appointment
        if let record = write.idempotency {
            // First, so that a replay racing on another instance waits here and then finds the key used.
            do {
                try await insertIdempotency(record, on: db)
            } catch {
                if case RepositoryError.duplicate = StorageErrors.map(error) { return .idempotencyKeyUsed }
                throw error
            }
        }
        if let holdID = write.holdID {
            let hold = try await db.raw("SELECT practitioner_id, motive_id, starts_at FROM holds WHERE id = \(bind: Column.id(holdID)) AND expires_at > \(bind: Column.instant(now))").first()
            guard let hold, try hold.uuid("practitioner_id") == appointment.practitionerID, try hold.uuid("motive_id") == appointment.motiveID,
                  try hold.instant("starts_at") == appointment.startsAt else { return .holdGone }
            try await release(holderID: holdID, on: db)
            try await db.raw("DELETE FROM holds WHERE id = \(bind: Column.id(holdID))").run()
        }
        if let patient = write.newPatient { try await insertRow(patient, on: db) }
        var row = try AppointmentRow(appointment, cipher: cipher)
        row.manageTokenHash = Self.tokenHash(write.manageToken)
        try await insertRow(row, on: db)
        try await replaceLinks(.appointmentResources, parent: appointment.id, children: appointment.resourceIDs, on: db)
        if appointment.status != .cancelled {
            let claims = try await claims(
                holderID: appointment.id, practitionerID: appointment.practitionerID, motiveID: appointment.motiveID,
                resourceIDs: appointment.resourceIDs, start: appointment.startsAt, end: appointment.endsAt, cache: &cache, on: db)
            do {
                try await occupy(claims, on: db)
            } catch is OccupancyConflict {
                return .slotTaken
            }
        }
        if let accepted = write.acceptedOffer {
            // The offer is taken once: a second answer, or one after it lapsed, finds it no longer live.
            let taken = try await db.raw("""
                UPDATE waitlist_offers SET state = 'accepted', answered_at = \(bind: Column.instant(now)), appointment_id = \(bind: Column.id(appointment.id))
                WHERE id = \(bind: Column.id(accepted.offerID)) AND state = 'live' RETURNING id
                """).all()
            guard !taken.isEmpty else { return .holdGone }
            try await db.raw("""
                UPDATE waitlist_entries SET state = 'booked', closed_at = \(bind: Column.instant(now)), appointment_id = \(bind: Column.id(appointment.id))
                WHERE id = \(bind: Column.id(accepted.entryID)) AND state = 'waiting'
                """).run()
        }
        try await insertRow(write.event, on: db)
        try await addChanges(ChangeEvent.created(appointment, at: now), on: db)
        try await addMessages(write.messages, replacingFor: nil, on: db)
        return .booked
    }

    public func apply(_ change: AppointmentChange) async throws -> AppointmentChangeOutcome {
        do {
            try await database.transaction { db in
                let before = change.before, after = change.after
                let sealed = try AppointmentRow.sealCancellation(after, cipher: cipher)
                // Optimistic check: every lifecycle action changes the status, the start or the move count.
                let updated = try await db.raw("""
                    UPDATE appointments SET status = \(bind: after.status.rawValue), starts_at = \(bind: Column.instant(after.startsAt)),
                        ends_at = \(bind: Column.instant(after.endsAt)), cancelled_by = \(bind: after.cancelledBy?.rawValue),
                        cancellation_reason = NULL, cancellation_reason_sealed = \(bind: sealed?.ciphertext),
                        cancellation_key_id = \(bind: sealed?.keyID), move_count = \(bind: after.moveCount),
                        updated_at = \(bind: Column.instant(after.updatedAt))
                    WHERE id = \(bind: Column.id(before.id)) AND status = \(bind: before.status.rawValue)
                        AND starts_at = \(bind: Column.instant(before.startsAt)) AND move_count = \(bind: before.moveCount)
                    RETURNING id
                    """).all()
                guard !updated.isEmpty else { throw ChangedMeanwhile() }
                let wasActive = before.status != .cancelled, isActive = after.status != .cancelled
                let moved = before.startsAt != after.startsAt || before.endsAt != after.endsAt
                if wasActive && (!isActive || moved) {
                    try await release(holderID: before.id, on: db)
                }
                if isActive && (!wasActive || moved) {
                    var cache = FootprintCache()
                    let claims = try await claims(
                        holderID: after.id, practitionerID: after.practitionerID, motiveID: after.motiveID, resourceIDs: after.resourceIDs,
                        start: after.startsAt, end: after.endsAt, cache: &cache, on: db)
                    try await occupy(claims, on: db)
                }
                try await insertRow(change.event, on: db)
                try await addChanges(ChangeEvent.events(for: change, at: after.updatedAt), on: db)
                try await addMessages(change.messages, replacingFor: change, on: db)
                if let known = change.makesKnown {
                    try await db.raw("""
                        INSERT INTO known_patients (department_id, patient_id, source, since)
                        VALUES (\(bind: Column.id(known.departmentID)), \(bind: Column.id(known.patientID)), \(bind: known.source.rawValue), \(bind: Column.instant(known.since)))
                        ON CONFLICT (department_id, patient_id) DO NOTHING
                        """).run()
                }
            }
            return .applied
        } catch is ChangedMeanwhile {
            return .changedMeanwhile
        } catch is OccupancyConflict {
            return .slotTaken
        }
    }

}

struct ChangedMeanwhile: Error {}

/// A remembered answer as stored: the body sealed (it holds the manage token).
