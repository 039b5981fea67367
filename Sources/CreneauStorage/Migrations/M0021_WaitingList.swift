extension Migration {
    /// The waiting list.
    ///
    /// An entry asks for a motive (one practitioner, or NULL: any of the department who offers it)
    /// within local days `first_day`…`last_day` (until `ends_at`), with preferences: weekdays (bits,
    /// Monday 1 … Sunday 64), a part of the day, the shortest notice accepted, how to be reached.
    ///
    /// An offer keeps a freed slot for one entry under a hold (which occupies the slot like any
    /// hold: no booking can take it meanwhile). What concurrency could break is kept by the
    /// database: **one live offer per slot** and **one live offer per entry** (partial unique
    /// indexes), a slot offered to an entry once (unique), an offer accepted into one appointment.
    ///
    /// The outbox learns the `offer` and `offer_ended` kinds (written when offered, or when an offer
    /// is withdrawn because its slot is gone; they name no appointment), which SQLite can only take
    /// by rebuilding the table; PostgreSQL changes it in place.
    ///
    /// `waitlist_cursor` is the change feed position the offering loop has handled (one row; any
    /// instance advances it), starting from now: the past is not offered.
    static let waitingList = Migration("0021_waiting_list", [
        .both("""
            CREATE TABLE waitlist_entries (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL CONSTRAINT fk_waitlist_entries_patient REFERENCES patients(id),
                account_id TEXT CONSTRAINT fk_waitlist_entries_account REFERENCES accounts(id),
                added_by TEXT CONSTRAINT fk_waitlist_entries_added_by REFERENCES accounts(id),
                department_id TEXT NOT NULL CONSTRAINT fk_waitlist_entries_department REFERENCES departments(id),
                motive_id TEXT NOT NULL CONSTRAINT fk_waitlist_entries_motive REFERENCES motives(id),
                practitioner_id TEXT CONSTRAINT fk_waitlist_entries_practitioner REFERENCES practitioners(id),
                referring_doctor_id TEXT CONSTRAINT fk_waitlist_entries_doctor REFERENCES referring_doctors(id),
                first_day TEXT NOT NULL CONSTRAINT ck_waitlist_entries_first_day CHECK (length(first_day) = 10),
                last_day TEXT NOT NULL CONSTRAINT ck_waitlist_entries_last_day CHECK (length(last_day) = 10),
                ends_at BIGINT NOT NULL,
                weekdays INTEGER NOT NULL CONSTRAINT ck_waitlist_entries_weekdays CHECK (weekdays BETWEEN 1 AND 127),
                day_part TEXT NOT NULL CONSTRAINT ck_waitlist_entries_day_part CHECK (day_part IN ('any', 'morning', 'afternoon')),
                notice_hours INTEGER NOT NULL CONSTRAINT ck_waitlist_entries_notice CHECK (notice_hours BETWEEN 0 AND 336),
                reach TEXT NOT NULL CONSTRAINT ck_waitlist_entries_reach CHECK (reach IN ('sms', 'email', 'both')),
                channel TEXT NOT NULL CONSTRAINT ck_waitlist_entries_channel CHECK (channel IN ('online', 'phone', 'desk', 'referral', 'practitioner')),
                urgent BOOLEAN NOT NULL DEFAULT FALSE,
                state TEXT NOT NULL CONSTRAINT ck_waitlist_entries_state CHECK (state IN ('waiting', 'booked', 'cancelled', 'expired')),
                created_at BIGINT NOT NULL,
                closed_at BIGINT,
                appointment_id TEXT CONSTRAINT fk_waitlist_entries_appointment REFERENCES appointments(id),
                CONSTRAINT ck_waitlist_entries_window CHECK (last_day >= first_day),
                CONSTRAINT ck_waitlist_entries_closed CHECK ((state = 'waiting') = (closed_at IS NULL))
            )
            """),
        .both("CREATE INDEX ix_waitlist_entries_waiting ON waitlist_entries(state, motive_id, created_at)"),
        .both("CREATE INDEX ix_waitlist_entries_patient ON waitlist_entries(patient_id, state)"),
        .both("CREATE INDEX ix_waitlist_entries_department ON waitlist_entries(department_id, state, created_at)"),
        .both("""
            CREATE TABLE waitlist_offers (
                id TEXT PRIMARY KEY,
                entry_id TEXT NOT NULL CONSTRAINT fk_waitlist_offers_entry REFERENCES waitlist_entries(id),
                practitioner_id TEXT NOT NULL CONSTRAINT fk_waitlist_offers_practitioner REFERENCES practitioners(id),
                motive_id TEXT NOT NULL CONSTRAINT fk_waitlist_offers_motive REFERENCES motives(id),
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                hold_id TEXT NOT NULL,
                state TEXT NOT NULL CONSTRAINT ck_waitlist_offers_state CHECK (state IN ('live', 'accepted', 'declined', 'lapsed', 'withdrawn')),
                offered_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                answered_at BIGINT,
                appointment_id TEXT CONSTRAINT fk_waitlist_offers_appointment REFERENCES appointments(id),
                CONSTRAINT ck_waitlist_offers_period CHECK (ends_at > starts_at AND expires_at > offered_at),
                CONSTRAINT ck_waitlist_offers_accepted CHECK ((state = 'accepted') = (appointment_id IS NOT NULL))
            )
            """),
        .both("CREATE UNIQUE INDEX uq_waitlist_offers_live_slot ON waitlist_offers(practitioner_id, starts_at) WHERE state = 'live'"),
        .both("CREATE UNIQUE INDEX uq_waitlist_offers_live_entry ON waitlist_offers(entry_id) WHERE state = 'live'"),
        .both("CREATE UNIQUE INDEX uq_waitlist_offers_once ON waitlist_offers(entry_id, practitioner_id, starts_at)"),
        .both("CREATE UNIQUE INDEX uq_waitlist_offers_appointment ON waitlist_offers(appointment_id) WHERE appointment_id IS NOT NULL"),
        .both("CREATE INDEX ix_waitlist_offers_due ON waitlist_offers(state, expires_at)"),
        .both("CREATE INDEX ix_waitlist_offers_slot ON waitlist_offers(practitioner_id, starts_at)"),
        .both("CREATE TABLE waitlist_cursor (id INTEGER PRIMARY KEY CONSTRAINT ck_waitlist_cursor_one CHECK (id = 1), seq BIGINT NOT NULL)"),
        .both("INSERT INTO waitlist_cursor (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM change_events"),

        // The outbox's `offer` kind. SQLite: the table rebuilt as 0019 made it, with the new checks.
        .sqlite("""
            CREATE TABLE outbox_messages_0021 (
                id TEXT PRIMARY KEY,
                dedupe_key TEXT CONSTRAINT uq_outbox_messages_dedupe UNIQUE,
                channel TEXT NOT NULL DEFAULT 'email' CONSTRAINT ck_outbox_messages_channel CHECK (channel IN ('email', 'sms')),
                kind TEXT NOT NULL DEFAULT 'account'
                    CONSTRAINT ck_outbox_messages_kind CHECK (kind IN ('account', 'confirmation', 'moved', 'cancelled', 'reminder', 'survey', 'offer', 'offer_ended')),
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
                offer_id TEXT CONSTRAINT fk_outbox_messages_offer REFERENCES waitlist_offers(id),
                CONSTRAINT ck_outbox_messages_appointment CHECK ((kind IN ('account', 'offer', 'offer_ended')) = (appointment_id IS NULL)),
                CONSTRAINT ck_outbox_messages_offer CHECK ((kind IN ('offer', 'offer_ended')) = (offer_id IS NOT NULL))
            )
            """),
        .sqlite("""
            INSERT INTO outbox_messages_0021 (id, dedupe_key, channel, kind, appointment_id, planned_start, recipient, subject, body_sealed, body_key_id,
                                              state, attempts, next_attempt_at, created_at, sent_at, last_error)
            SELECT id, dedupe_key, channel, kind, appointment_id, planned_start, recipient, subject, body_sealed, body_key_id,
                   state, attempts, next_attempt_at, created_at, sent_at, last_error FROM outbox_messages
            """),
        .sqlite("DROP TABLE outbox_messages"),
        .sqlite("ALTER TABLE outbox_messages_0021 RENAME TO outbox_messages"),
        .sqlite("CREATE INDEX ix_outbox_messages_due ON outbox_messages(state, next_attempt_at)"),
        .sqlite("CREATE INDEX ix_outbox_messages_appointment ON outbox_messages(appointment_id)"),
        .postgres("ALTER TABLE outbox_messages ADD COLUMN offer_id TEXT CONSTRAINT fk_outbox_messages_offer REFERENCES waitlist_offers(id)"),
        .postgres("ALTER TABLE outbox_messages DROP CONSTRAINT ck_outbox_messages_kind"),
        .postgres("""
            ALTER TABLE outbox_messages ADD CONSTRAINT ck_outbox_messages_kind
                CHECK (kind IN ('account', 'confirmation', 'moved', 'cancelled', 'reminder', 'survey', 'offer', 'offer_ended'))
            """),
        .postgres("ALTER TABLE outbox_messages DROP CONSTRAINT ck_outbox_messages_appointment"),
        .postgres("ALTER TABLE outbox_messages ADD CONSTRAINT ck_outbox_messages_appointment CHECK ((kind IN ('account', 'offer', 'offer_ended')) = (appointment_id IS NULL))"),
        .postgres("ALTER TABLE outbox_messages ADD CONSTRAINT ck_outbox_messages_offer CHECK ((kind IN ('offer', 'offer_ended')) = (offer_id IS NOT NULL))"),
        .both("CREATE INDEX ix_outbox_messages_offer ON outbox_messages(offer_id)"),
    ])
}
