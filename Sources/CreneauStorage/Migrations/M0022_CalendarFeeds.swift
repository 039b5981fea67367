extension Migration {
    /// Private calendar feeds: a practitioner's own agenda, or a department's for its secretaries,
    /// at an address holding a random token (stored hashed, as sessions are). One live feed per
    /// owner (renewing revokes the old address); `full_names` is the practitioner's choice (by
    /// default events show the patient's initials).
    static let calendarFeeds = Migration("0022_calendar_feeds", [
        .both("""
            CREATE TABLE calendar_feeds (
                id TEXT PRIMARY KEY,
                practitioner_id TEXT CONSTRAINT fk_calendar_feeds_practitioner REFERENCES practitioners(id),
                department_id TEXT CONSTRAINT fk_calendar_feeds_department REFERENCES departments(id),
                token_hash TEXT NOT NULL CONSTRAINT uq_calendar_feeds_token UNIQUE,
                full_names BOOLEAN NOT NULL DEFAULT FALSE,
                created_by TEXT CONSTRAINT fk_calendar_feeds_created_by REFERENCES accounts(id),
                created_at BIGINT NOT NULL,
                revoked_at BIGINT,
                CONSTRAINT ck_calendar_feeds_owner CHECK ((practitioner_id IS NULL) <> (department_id IS NULL))
            )
            """),
        .both("CREATE UNIQUE INDEX uq_calendar_feeds_live_practitioner ON calendar_feeds(practitioner_id) WHERE revoked_at IS NULL AND practitioner_id IS NOT NULL"),
        .both("CREATE UNIQUE INDEX uq_calendar_feeds_live_department ON calendar_feeds(department_id) WHERE revoked_at IS NULL AND department_id IS NOT NULL"),
    ])
}
