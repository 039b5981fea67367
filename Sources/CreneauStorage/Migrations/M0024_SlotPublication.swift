extension Migration {
    /// What aggregators are told is free (`SlotPublication`): per practitioner, a digest of the
    /// published days and when they last changed (`changed_at`, for `_since` pulls); per
    /// practitioner, online motive and day, the first free start, last free end and capacity.
    static let slotPublication = Migration("0024_slot_publication", [
        .both("""
            CREATE TABLE slot_publications (
                practitioner_id TEXT PRIMARY KEY CONSTRAINT fk_slot_publications_practitioner REFERENCES practitioners(id),
                digest TEXT NOT NULL,
                changed_at BIGINT NOT NULL
            )
            """),
        .both("CREATE INDEX ix_slot_publications_changed ON slot_publications(changed_at, practitioner_id)"),
        .both("""
            CREATE TABLE published_slots (
                practitioner_id TEXT NOT NULL CONSTRAINT fk_published_slots_publication REFERENCES slot_publications(practitioner_id),
                motive_id TEXT NOT NULL CONSTRAINT fk_published_slots_motive REFERENCES motives(id),
                day TEXT NOT NULL,
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                capacity INTEGER NOT NULL CONSTRAINT ck_published_slots_capacity CHECK (capacity > 0),
                CONSTRAINT pk_published_slots PRIMARY KEY (practitioner_id, motive_id, day),
                CONSTRAINT ck_published_slots_times CHECK (ends_at > starts_at)
            )
            """),
    ])
}
