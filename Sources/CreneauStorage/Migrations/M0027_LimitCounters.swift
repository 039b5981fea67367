extension Migration {
    /// Attempt counters shared by every instance (`LimitCounters`): sign-ins, sign-ups, reset
    /// requests, bookings. One row per key — the SHA-256 of the limit's scope and the address,
    /// account or email it counts (no address or email kept in clear) —, its count, when its
    /// window began and its last attempt, in milliseconds. Rows quiet for a day are purged.
    static let limitCounters = Migration("0027_limit_counters", [
        .both("""
            CREATE TABLE limit_counters (
                key_hash TEXT PRIMARY KEY,
                count INTEGER NOT NULL,
                since_ms BIGINT NOT NULL,
                last_ms BIGINT NOT NULL
            )
            """),
        .both("CREATE INDEX ix_limit_counters_last ON limit_counters (last_ms)"),
    ])
}
