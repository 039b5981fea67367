extension Migration {
    /// No double booking, enforced by the database on both engines.
    ///
    /// Every holder of a slot — an appointment that is not cancelled, or a live
    /// hold — claims the five-minute quanta its visit and buffers cover on its
    /// practitioner and on each room or piece of equipment (`occupancy_claims`).
    /// `occupancy` has one row per resource and quantum: its primary key means
    /// two holders can never take the same quantum, and overlapping visits
    /// always share a quantum. Holders allowed to share (the seats of one group
    /// session, the places of a shared room) share the row's `share_key` and
    /// count up in `taken`, which a CHECK keeps within `capacity`. A writer
    /// that loses a race gets a key or CHECK refusal from the database, on any
    /// number of instances.
    static let createOccupancy = Migration("0009_create_occupancy", [
        .both("ALTER TABLE appointments ADD COLUMN manage_token_hash TEXT"),
        .both("""
            CREATE TABLE holds (
                id TEXT PRIMARY KEY,
                practitioner_id TEXT NOT NULL REFERENCES practitioners(id),
                motive_id TEXT NOT NULL REFERENCES motives(id),
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                channel TEXT NOT NULL CONSTRAINT ck_holds_channel
                    CHECK (channel IN ('online', 'phone', 'desk', 'referral', 'practitioner')),
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                CONSTRAINT ck_holds_period CHECK (ends_at > starts_at),
                CONSTRAINT ck_holds_expiry CHECK (expires_at > created_at)
            )
            """),
        .both("CREATE INDEX ix_holds_expiry ON holds(expires_at)"),
        .both("CREATE INDEX ix_holds_practitioner_start ON holds(practitioner_id, starts_at)"),
        .both("""
            CREATE TABLE occupancy (
                owner_id TEXT NOT NULL,
                quantum BIGINT NOT NULL,
                share_key TEXT NOT NULL,
                taken INTEGER NOT NULL,
                capacity INTEGER NOT NULL,
                PRIMARY KEY (owner_id, quantum),
                CONSTRAINT ck_occupancy_taken CHECK (taken >= 1 AND taken <= capacity)
            )
            """),
        .both("""
            CREATE TABLE occupancy_claims (
                holder_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                first_quantum BIGINT NOT NULL,
                last_quantum BIGINT NOT NULL,
                share_key TEXT NOT NULL,
                capacity INTEGER NOT NULL CONSTRAINT ck_occupancy_claims_capacity CHECK (capacity >= 1),
                PRIMARY KEY (holder_id, owner_id),
                CONSTRAINT ck_occupancy_claims_span CHECK (last_quantum >= first_quantum)
            )
            """),
        .both("""
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                status INTEGER NOT NULL,
                body_sealed TEXT NOT NULL,
                sealed_key_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                PRIMARY KEY (scope, idempotency_key)
            )
            """),
        .both("CREATE INDEX ix_idempotency_keys_expiry ON idempotency_keys(expires_at)"),
    ]
    + rebuildOccupancy
    + [
        // A claim made or released moves its owner's agenda version (holds have no other trigger).
        .sqlite("CREATE TRIGGER trg_occupancy_claims_insert_version AFTER INSERT ON occupancy_claims BEGIN \(bump("NEW.owner_id")); END"),
        .sqlite("CREATE TRIGGER trg_occupancy_claims_delete_version AFTER DELETE ON occupancy_claims BEGIN \(bump("OLD.owner_id")); END"),
        .postgres("""
            CREATE FUNCTION creneau_bump_claim() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(bump("NEW.owner_id"));
                ELSE
                    \(bump("OLD.owner_id"));
                END IF;
                RETURN NULL;
            END
            $$
            """),
        .postgres("CREATE TRIGGER trg_occupancy_claims_version AFTER INSERT OR DELETE ON occupancy_claims FOR EACH ROW EXECUTE FUNCTION creneau_bump_claim()"),
    ])

    /// Recomputes every claim and occupancy row from the appointments that are
    /// not cancelled (holds are dropped). Used once by this migration, and by
    /// bulk seeding after it loads appointments. Fails if two stored
    /// appointments overlap: the data would already be double-booked.
    public static let rebuildOccupancy: [Statement] = [
        .both("DELETE FROM occupancy"),
        .both("DELETE FROM occupancy_claims"),
        .both("DELETE FROM holds"),
        .both("""
            INSERT INTO occupancy_claims (holder_id, owner_id, first_quantum, last_quantum, share_key, capacity)
            SELECT a.id, a.practitioner_id,
                (a.starts_at - m.buffer_before_minutes * 60) / 300,
                (a.ends_at + m.buffer_after_minutes * 60 + 299) / 300 - 1,
                CASE WHEN m.capacity > 1 THEN 'group:' || m.id || ':' || CAST(a.starts_at AS TEXT) ELSE a.id END,
                CASE WHEN m.capacity > 1 THEN m.capacity ELSE 1 END
            FROM appointments a JOIN motives m ON m.id = a.motive_id
            WHERE a.status <> 'cancelled'
            """),
        .both("""
            INSERT INTO occupancy_claims (holder_id, owner_id, first_quantum, last_quantum, share_key, capacity)
            SELECT a.id, ar.resource_id,
                (a.starts_at - m.buffer_before_minutes * 60) / 300,
                (a.ends_at + m.buffer_after_minutes * 60 + 299) / 300 - 1,
                CASE WHEN m.capacity > 1 THEN 'group:' || m.id || ':' || CAST(a.starts_at AS TEXT)
                     WHEN r.capacity > 1 THEN 'shared' ELSE a.id END,
                CASE WHEN m.capacity > 1 THEN m.capacity ELSE r.capacity END
            FROM appointment_resources ar
            JOIN appointments a ON a.id = ar.appointment_id
            JOIN motives m ON m.id = a.motive_id
            JOIN resources r ON r.id = ar.resource_id
            WHERE a.status <> 'cancelled'
            """),
        .both("CREATE TABLE occupancy_offsets (n INTEGER PRIMARY KEY)"),
        .both("WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < 299) INSERT INTO occupancy_offsets (n) SELECT n FROM r"),
        .both("""
            INSERT INTO occupancy (owner_id, quantum, share_key, taken, capacity)
            SELECT c.owner_id, c.first_quantum + o.n, c.share_key, COUNT(*), MAX(c.capacity)
            FROM occupancy_claims c JOIN occupancy_offsets o ON o.n <= c.last_quantum - c.first_quantum
            GROUP BY c.owner_id, c.first_quantum + o.n, c.share_key
            """),
        .both("DROP TABLE occupancy_offsets"),
    ]
}
