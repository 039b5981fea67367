extension Migration {
    /// Messages to patients about their appointments.
    ///
    /// The outbox is rebuilt (SQLite cannot change a CHECK in place) with what an appointment
    /// message needs: its channel (email or SMS), its kind, the appointment, the start it was
    /// planned for (a reminder planned for a time the visit no longer has is skipped), and a
    /// `skipped` state. `dedupe_key` (appointment × kind × planned start × point × channel) is
    /// what makes "one reminder per appointment" hold with any number of instances.
    /// Patients get a language and their channel choices; sites and motives a reminder schedule
    /// (NULL: the default; '' : none).
    static let patientMessages = Migration("0019_patient_messages", [
        .both("""
            CREATE TABLE outbox_messages (
                id TEXT PRIMARY KEY,
                dedupe_key TEXT CONSTRAINT uq_outbox_messages_dedupe UNIQUE,
                channel TEXT NOT NULL DEFAULT 'email' CONSTRAINT ck_outbox_messages_channel CHECK (channel IN ('email', 'sms')),
                kind TEXT NOT NULL DEFAULT 'account'
                    CONSTRAINT ck_outbox_messages_kind CHECK (kind IN ('account', 'confirmation', 'moved', 'cancelled', 'reminder', 'survey')),
                appointment_id TEXT CONSTRAINT fk_outbox_messages_appointment REFERENCES appointments(id),
                planned_start BIGINT,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body_sealed TEXT NOT NULL,
                body_key_id TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CONSTRAINT ck_outbox_messages_state CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
                attempts INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_outbox_messages_attempts CHECK (attempts >= 0),
                next_attempt_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                sent_at BIGINT,
                last_error TEXT,
                CONSTRAINT ck_outbox_messages_appointment CHECK ((kind = 'account') = (appointment_id IS NULL))
            )
            """),
        .both("""
            INSERT INTO outbox_messages (id, dedupe_key, recipient, subject, body_sealed, body_key_id, state, attempts, next_attempt_at, created_at, sent_at, last_error)
            SELECT id, dedupe_key, recipient, subject, body_sealed, body_key_id, state, attempts, next_attempt_at, created_at, sent_at, last_error FROM outbox
            """),
        .both("DROP TABLE outbox"),
        .both("CREATE INDEX ix_outbox_messages_due ON outbox_messages(state, next_attempt_at)"),
        .both("CREATE INDEX ix_outbox_messages_appointment ON outbox_messages(appointment_id)"),
        .both("ALTER TABLE patients ADD COLUMN language TEXT NOT NULL DEFAULT 'fr' CONSTRAINT ck_patients_language CHECK (language IN ('fr', 'en'))"),
        .both("ALTER TABLE patients ADD COLUMN wants_email BOOLEAN NOT NULL DEFAULT TRUE"),
        .both("ALTER TABLE patients ADD COLUMN wants_sms BOOLEAN NOT NULL DEFAULT TRUE"),
        .both("ALTER TABLE patients ADD COLUMN sms_stopped_at BIGINT"),
        .both("ALTER TABLE sites ADD COLUMN reminders TEXT"),
        .both("ALTER TABLE motives ADD COLUMN reminders TEXT"),
    ])
}
