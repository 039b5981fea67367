extension Migration {
    /// The change feed (`ChangeEvent`): appointments created, moved, cancelled or changing
    /// status, and time given back on an agenda, written by the transaction that made the
    /// change. `seq` is commit order: writers take a transaction lock before they add events
    /// (PostgreSQL; SQLite has one writer), so a reader that asks "after N" misses nothing.
    static let createChangeEvents = Migration("0013_create_change_events", [
        .sqlite("CREATE TABLE change_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, at BIGINT NOT NULL, owner_id TEXT NOT NULL, appointment_id TEXT, from_at BIGINT NOT NULL, to_at BIGINT NOT NULL, CONSTRAINT ck_change_events_period CHECK (to_at >= from_at))"),
        .postgres("CREATE TABLE change_events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, at BIGINT NOT NULL, owner_id TEXT NOT NULL, appointment_id TEXT, from_at BIGINT NOT NULL, to_at BIGINT NOT NULL, CONSTRAINT ck_change_events_period CHECK (to_at >= from_at))"),
        .both("CREATE INDEX ix_change_events_owner ON change_events(owner_id, seq)"),
    ])
}
