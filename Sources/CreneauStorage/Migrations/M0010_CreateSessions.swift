extension Migration {
    /// Sign-in: sessions (browser cookies and API bearer tokens, stored as
    /// SHA-256 hashes so a database dump cannot be replayed), and each account's
    /// authenticator secret (sealed by the field cipher) with the last time step
    /// used, so a one-time code works once.
    static let createSessions = Migration("0010_create_sessions", [
        .both("ALTER TABLE accounts ADD COLUMN totp_sealed TEXT"),
        .both("ALTER TABLE accounts ADD COLUMN totp_key_id TEXT"),
        .both("ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT"),
        .both("ALTER TABLE accounts ADD COLUMN password_changed_at BIGINT"),
        .both("""
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CONSTRAINT ck_sessions_kind CHECK (kind IN ('browser', 'api')),
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                CONSTRAINT ck_sessions_expiry CHECK (expires_at > created_at)
            )
            """),
        .both("CREATE INDEX ix_sessions_account ON sessions(account_id)"),
    ])
}
