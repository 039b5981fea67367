extension Migration {
    /// The durable outbox: every message is a row until it is sent or given up. The body is sealed
    /// (it may hold a sign-in code or a link); `dedupe_key` makes a second copy impossible.
    static let createOutbox = Migration("0018_create_outbox", [
        .both("""
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                dedupe_key TEXT CONSTRAINT uq_outbox_dedupe UNIQUE,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body_sealed TEXT NOT NULL,
                body_key_id TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CONSTRAINT ck_outbox_state CHECK (state IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_outbox_attempts CHECK (attempts >= 0),
                next_attempt_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                sent_at BIGINT,
                last_error TEXT
            )
            """),
        .both("CREATE INDEX ix_outbox_due ON outbox(state, next_attempt_at)"),
    ])
}
