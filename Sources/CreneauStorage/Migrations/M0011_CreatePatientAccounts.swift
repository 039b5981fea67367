extension Migration {
    /// Patients' own accounts: one-time tokens sent by email (address verification,
    /// password reset, the sign-in code that is a patient's second factor), each
    /// account's language for those emails, and relatives that can be removed from
    /// an account while their appointments stay with the hospital; and the folded
    /// name staff search when a patient calls (filled by the store, see
    /// `SQLStore.backfillPatientSearch`, since folding accents is not SQL on SQLite).
    static let createPatientAccounts = Migration("0011_create_patient_accounts", [
        .both("ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'fr' CONSTRAINT ck_accounts_language CHECK (language IN ('fr', 'en'))"),
        .both("ALTER TABLE managed_patients ADD COLUMN removed_at BIGINT"),
        .both("""
            CREATE TABLE account_tokens (
                token_hash TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                purpose TEXT NOT NULL CONSTRAINT ck_account_tokens_purpose CHECK (purpose IN ('verify_email', 'reset_password', 'sign_in')),
                code_hash TEXT,
                attempts INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_account_tokens_attempts CHECK (attempts >= 0),
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                CONSTRAINT ck_account_tokens_expiry CHECK (expires_at > created_at),
                CONSTRAINT ck_account_tokens_code CHECK ((purpose = 'sign_in') = (code_hash IS NOT NULL))
            )
            """),
        .both("CREATE INDEX ix_account_tokens_account ON account_tokens(account_id, purpose)"),
        .both("ALTER TABLE patients ADD COLUMN search_text TEXT"),
        .both("CREATE INDEX ix_patients_birth_date ON patients(birth_date)"),
    ])
}
