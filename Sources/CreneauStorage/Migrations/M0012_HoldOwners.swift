extension Migration {
    /// A hold belongs to who placed it: the signed-in account, or whoever holds the token
    /// given with it (stored as a SHA-256 hash). Holds placed before this migration have
    /// neither and simply lapse within minutes.
    static let holdOwners = Migration("0012_hold_owners", [
        .both("ALTER TABLE holds ADD COLUMN token_hash TEXT"),
        .both("ALTER TABLE holds ADD COLUMN holder_account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE"),
    ])
}
