import CreneauDomain
import Foundation
import SQLKit

/// The waiting list on both engines. What concurrency could break is the database's: one live
/// offer per slot and per entry (partial unique indexes), the slot itself held like any hold
/// (occupancy), an offer accepted once (its state changed from live in the booking's transaction).
extension SQLStore: WaitlistRepository {
    static let entryColumns = """
        id, patient_id, account_id, added_by, department_id, motive_id, practitioner_id, referring_doctor_id, first_day, last_day, ends_at,
        weekdays, day_part, notice_hours, reach, channel, urgent, state, created_at, closed_at, appointment_id
        """

    public func join(_ entry: WaitlistEntry, limit: Int) async throws -> WaitlistJoin {
        try await database.transaction { db in
            // Two joins of one patient at once on PostgreSQL: the second waits, then counts the first.
            if database.engine == .postgres {
                try await db.raw("SELECT id FROM patients WHERE id = \(bind: Column.id(entry.patientID)) FOR UPDATE").run()
            }
            let waiting = try await db.raw("""
                SELECT motive_id, practitioner_id FROM waitlist_entries WHERE patient_id = \(bind: Column.id(entry.patientID)) AND state = 'waiting'
                """).all()
            for row in waiting where try row.uuid("motive_id") == entry.motiveID && row.optionalUUID("practitioner_id") == entry.practitionerID {
                return .alreadyWaiting
            }
            guard waiting.count < limit else { return .limitReached }
            let p = entry.preferences
            try await db.raw("""
                INSERT INTO waitlist_entries (\(unsafeRaw: Self.entryColumns)) VALUES (
                    \(bind: Column.id(entry.id)), \(bind: Column.id(entry.patientID)), \(bind: Column.id(entry.accountID)), \(bind: Column.id(entry.addedBy)),
                    \(bind: Column.id(entry.departmentID)), \(bind: Column.id(entry.motiveID)), \(bind: Column.id(entry.practitionerID)),
                    \(bind: Column.id(entry.referringDoctorID)), \(bind: p.firstDay.description), \(bind: p.lastDay.description),
                    \(bind: Column.instant(entry.endsAt)), \(bind: p.weekdayBits), \(bind: p.dayPart.rawValue), \(bind: p.noticeHours),
                    \(bind: p.reach.rawValue), \(bind: entry.channel.rawValue), \(bind: entry.urgent), \(bind: entry.state.rawValue),
                    \(bind: Column.instant(entry.createdAt)), \(bind: Column.instant(entry.closedAt)), \(bind: Column.id(entry.appointmentID)))
                """).run()
            return .joined
        }
    }

    func waitlistEntry(_ row: any SQLRow) throws -> WaitlistEntry {
        WaitlistEntry(
            id: try row.uuid("id"), patientID: try row.uuid("patient_id"), accountID: try row.optionalUUID("account_id"), addedBy: try row.optionalUUID("added_by"),
            departmentID: try row.uuid("department_id"), motiveID: try row.uuid("motive_id"), practitionerID: try row.optionalUUID("practitioner_id"),
            referringDoctorID: try row.optionalUUID("referring_doctor_id"),
            preferences: WaitlistPreferences(
                firstDay: try row.day("first_day"), lastDay: try row.day("last_day"), weekdays: WaitlistPreferences.weekdays(bits: try row.int("weekdays")),
                dayPart: try row.enumeration("day_part"), noticeHours: try row.int("notice_hours"), reach: try row.enumeration("reach")),
            endsAt: try row.instant("ends_at"), channel: try row.enumeration("channel"), urgent: try row.bool("urgent"), state: try row.enumeration("state"),
            createdAt: try row.instant("created_at"), closedAt: try row.optionalInstant("closed_at"), appointmentID: try row.optionalUUID("appointment_id"))
    }

    func waitlistOffer(_ row: any SQLRow) throws -> WaitlistOffer {
        WaitlistOffer(
            id: try row.uuid("id"), entryID: try row.uuid("entry_id"), practitionerID: try row.uuid("practitioner_id"), motiveID: try row.uuid("motive_id"),
            startsAt: try row.instant("starts_at"), endsAt: try row.instant("ends_at"), holdID: try row.uuid("hold_id"), state: try row.enumeration("state"),
            offeredAt: try row.instant("offered_at"), expiresAt: try row.instant("expires_at"), answeredAt: try row.optionalInstant("answered_at"),
            appointmentID: try row.optionalUUID("appointment_id"))
    }

    public func waitlistEntry(id: UUID) async throws -> WaitlistEntry? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.entryColumns) FROM waitlist_entries WHERE id = \(bind: Column.id(id))").first().map(waitlistEntry)
        }
    }

    public func waitlistItems(patientIDs: [UUID], limit: Int) async throws -> [WaitlistItem] {
        guard !patientIDs.isEmpty else { return [] }
        return try await items("""
            SELECT \(unsafeRaw: Self.entryColumns) FROM waitlist_entries WHERE patient_id IN \(idList(patientIDs))
            ORDER BY CASE state WHEN 'waiting' THEN 0 ELSE 1 END, created_at DESC LIMIT \(bind: max(1, min(limit, 500)))
            """)
    }

    public func departmentWaitlist(departmentID: UUID, limit: Int) async throws -> [WaitlistItem] {
        try await items("""
            SELECT \(unsafeRaw: Self.entryColumns) FROM waitlist_entries WHERE department_id = \(bind: Column.id(departmentID))
            ORDER BY CASE state WHEN 'waiting' THEN 0 ELSE 1 END, CASE WHEN state = 'waiting' AND urgent THEN 0 ELSE 1 END,
                CASE WHEN state = 'waiting' THEN created_at ELSE -closed_at END, id
            LIMIT \(bind: max(1, min(limit, 1_000)))
            """)
    }

    private func items(_ query: SQLQueryString) async throws -> [WaitlistItem] {
        try await database.withConnection { db in
            let entries = try await db.raw(query).all().map(waitlistEntry)
            guard !entries.isEmpty else { return [] }
            var offers: [UUID: [WaitlistOffer]] = [:]
            for row in try await db.raw("SELECT * FROM waitlist_offers WHERE entry_id IN \(idList(entries.map(\.id))) ORDER BY offered_at").all() {
                let offer = try waitlistOffer(row)
                offers[offer.entryID, default: []].append(offer)
            }
            return entries.map { WaitlistItem(entry: $0, offers: offers[$0.id] ?? []) }
        }
    }

    public func closeEntry(id: UUID, state: WaitlistEntry.State, at: Date) async throws -> Bool {
        guard state != .waiting else { return false }
        return try await database.transaction { db in
            let closed = try await db.raw("""
                UPDATE waitlist_entries SET state = \(bind: state.rawValue), closed_at = \(bind: Column.instant(at))
                WHERE id = \(bind: Column.id(id)) AND state = 'waiting' RETURNING id
                """).all()
            guard !closed.isEmpty else { return false }
            for row in try await db.raw("SELECT id FROM waitlist_offers WHERE entry_id = \(bind: Column.id(id)) AND state = 'live'").all() {
                _ = try await endOffer(id: try row.uuid("id"), state: .withdrawn, at: at, on: db)
            }
            return true
        }
    }

    public func setUrgent(id: UUID, urgent: Bool) async throws -> Bool {
        try await database.withConnection { db in
            !(try await db.raw("UPDATE waitlist_entries SET urgent = \(bind: urgent) WHERE id = \(bind: Column.id(id)) AND state = 'waiting' RETURNING id").all().isEmpty)
        }
    }

    public func waitingDepartments(now: Date) async throws -> [UUID] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT DISTINCT department_id FROM waitlist_entries WHERE state = 'waiting' AND ends_at > \(bind: Column.instant(now))
                """).all().map { try $0.uuid("department_id") }
        }
    }

    public func waitingEntries(motiveIDs: [UUID], now: Date) async throws -> [(entry: WaitlistEntry, busy: Bool)] {
        guard !motiveIDs.isEmpty else { return [] }
        return try await database.withConnection { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.entryColumns),
                    CASE WHEN EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = waitlist_entries.id AND o.state = 'live') THEN 1 ELSE 0 END AS busy
                FROM waitlist_entries WHERE state = 'waiting' AND motive_id IN \(idList(motiveIDs)) AND ends_at > \(bind: Column.instant(now))
                ORDER BY urgent DESC, created_at, id LIMIT 2000
                """).all().map { (try waitlistEntry($0), try $0.int("busy") == 1) }
        }
    }

    public func placeOffer(_ offer: WaitlistOffer, hold: Hold, holdToken: String, messages: [OutboxMessage]) async throws -> OfferPlacement {
        do {
            return try await database.transaction { db in
                try await purgeExpiredHolds(now: offer.offeredAt, on: db)
                let busy = try await db.raw("""
                    SELECT id FROM waitlist_offers WHERE entry_id = \(bind: Column.id(offer.entryID))
                    AND (state = 'live' OR (practitioner_id = \(bind: Column.id(offer.practitionerID)) AND starts_at = \(bind: Column.instant(offer.startsAt))))
                    """).all()
                guard busy.isEmpty else { return .entryBusy }
                try await insertHold(hold, token: holdToken, on: db)
                try await db.raw("""
                    INSERT INTO waitlist_offers (id, entry_id, practitioner_id, motive_id, starts_at, ends_at, hold_id, state, offered_at, expires_at)
                    VALUES (\(bind: Column.id(offer.id)), \(bind: Column.id(offer.entryID)), \(bind: Column.id(offer.practitionerID)),
                            \(bind: Column.id(offer.motiveID)), \(bind: Column.instant(offer.startsAt)), \(bind: Column.instant(offer.endsAt)),
                            \(bind: Column.id(offer.holdID)), 'live', \(bind: Column.instant(offer.offeredAt)), \(bind: Column.instant(offer.expiresAt)))
                    """).run()
                try await insertMessages(messages, on: db)
                return .placed
            }
        } catch is OccupancyConflict {
            return .slotTaken
        } catch {
            // Another instance offered this slot (or this entry) at the same moment: the unique index said no.
            if case RepositoryError.duplicate = StorageErrors.map(error) { return .slotTaken }
            throw error
        }
    }

    public func offer(id: UUID) async throws -> WaitlistOffer? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM waitlist_offers WHERE id = \(bind: Column.id(id))").first().map(waitlistOffer)
        }
    }

    public func endOffer(id: UUID, state: WaitlistOffer.State, at: Date, messages: [OutboxMessage]) async throws -> Bool {
        try await database.transaction { db in
            guard try await endOffer(id: id, state: state, at: at, on: db) else { return false }
            try await insertMessages(messages, on: db)
            return true
        }
    }

    public func liveOffers(limit: Int) async throws -> [WaitlistOffer] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM waitlist_offers WHERE state = 'live' ORDER BY expires_at LIMIT \(bind: max(1, min(limit, 1_000)))").all().map(waitlistOffer)
        }
    }

    /// In the caller's transaction: the offer ended, its hold released (the time back in the feed),
    /// its messages not yet gone left unsent.
    func endOffer(id: UUID, state: WaitlistOffer.State, at: Date, on db: any SQLDatabase) async throws -> Bool {
        guard state != .live && state != .accepted else { return false }
        guard let ended = try await db.raw("""
            UPDATE waitlist_offers SET state = \(bind: state.rawValue), answered_at = \(bind: Column.instant(at))
            WHERE id = \(bind: Column.id(id)) AND state = 'live' RETURNING hold_id, practitioner_id, starts_at, ends_at
            """).first() else { return false }
        // The hold may be gone already (purged as it lapsed, before the offer ended): the time is
        // given back again now that no live offer blocks the slot, so the next pass offers it.
        if !(try await dropHold(id: try ended.uuid("hold_id"), at: at, on: db)) {
            try await addChanges([.freed(try ended.uuid("practitioner_id"), from: try ended.instant("starts_at"), to: try ended.instant("ends_at"), at: at)], on: db)
        }
        try await db.raw("""
            UPDATE outbox_messages SET state = 'skipped', last_error = 'The offer ended before this message left.'
            WHERE offer_id = \(bind: Column.id(id)) AND state = 'pending' AND kind = 'offer'
            """).run()
        return true
    }

    public func lapseOffers(now: Date) async throws -> [WaitlistOffer] {
        let due = try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM waitlist_offers WHERE state = 'live' AND expires_at <= \(bind: Column.instant(now)) ORDER BY expires_at LIMIT 500
                """).all().map(waitlistOffer)
        }
        var lapsed: [WaitlistOffer] = []
        for offer in due where try await endOffer(id: offer.id, state: .lapsed, at: now) { lapsed.append(offer) }
        return lapsed
    }

    public func expireEntries(now: Date) async throws -> Int {
        let due = try await database.withConnection { db in
            try await db.raw("""
                SELECT id FROM waitlist_entries WHERE state = 'waiting' AND ends_at <= \(bind: Column.instant(now)) ORDER BY ends_at LIMIT 500
                """).all().map { try $0.uuid("id") }
        }
        var expired = 0
        for id in due where try await closeEntry(id: id, state: .expired, at: now) { expired += 1 }
        return expired
    }

    public func liveOffers(ids: [UUID]) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return try await database.withConnection { db in
            Set(try await db.raw("SELECT id FROM waitlist_offers WHERE state = 'live' AND id IN \(idList(ids))").all().map { try $0.uuid("id") })
        }
    }

    public func refilled(appointmentIDs: [UUID]) async throws -> Set<UUID> {
        guard !appointmentIDs.isEmpty else { return [] }
        return try await database.withConnection { db in
            var found: Set<UUID> = []
            for start in stride(from: 0, to: appointmentIDs.count, by: 500) {
                let chunk = appointmentIDs[start..<min(start + 500, appointmentIDs.count)]
                for row in try await db.raw("SELECT appointment_id FROM waitlist_offers WHERE state = 'accepted' AND appointment_id IN \(idList(chunk))").all() {
                    found.insert(try row.uuid("appointment_id"))
                }
            }
            return found
        }
    }

    public func waitlistCursor() async throws -> Int64 {
        try await database.withConnection { db in
            try await db.raw("SELECT seq FROM waitlist_cursor WHERE id = 1").first()?.decode(column: "seq", as: Int64.self) ?? 0
        }
    }

    public func advanceWaitlistCursor(from: Int64, to: Int64) async throws -> Bool {
        guard to > from else { return false }
        return try await database.withConnection { db in
            !(try await db.raw("UPDATE waitlist_cursor SET seq = \(bind: to) WHERE id = 1 AND seq = \(bind: from) RETURNING id").all().isEmpty)
        }
    }
}
