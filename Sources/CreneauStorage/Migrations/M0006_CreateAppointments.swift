extension Migration {
    /// Appointments, the rooms and equipment they take, and their change history.
    /// `reason_sealed` and `notes_sealed` hold AES-GCM ciphertext (base64) made
    /// with the key named in `sealed_key_id`: no plaintext health text on disk.
    static let createAppointments = Migration("0006_create_appointments", [
        .both("""
            CREATE TABLE appointments (
                id TEXT PRIMARY KEY,
                department_id TEXT NOT NULL REFERENCES departments(id),
                motive_id TEXT NOT NULL REFERENCES motives(id),
                practitioner_id TEXT NOT NULL REFERENCES practitioners(id),
                patient_id TEXT NOT NULL REFERENCES patients(id),
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                status TEXT NOT NULL CONSTRAINT ck_appointments_status
                    CHECK (status IN ('booked', 'arrived', 'fulfilled', 'noshow', 'cancelled')),
                channel TEXT NOT NULL CONSTRAINT ck_appointments_channel
                    CHECK (channel IN ('online', 'phone', 'desk', 'referral', 'practitioner')),
                created_by_account_id TEXT REFERENCES accounts(id),
                referring_doctor_id TEXT REFERENCES referring_doctors(id),
                reason_sealed TEXT,
                notes_sealed TEXT,
                sealed_key_id TEXT,
                cancelled_by TEXT CONSTRAINT ck_appointments_cancelled_by CHECK (cancelled_by IN ('patient', 'staff', 'system')),
                cancellation_reason TEXT,
                move_count INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_appointments_moves CHECK (move_count >= 0),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                CONSTRAINT ck_appointments_period CHECK (ends_at > starts_at),
                CONSTRAINT ck_appointments_cancellation CHECK (
                    (status = 'cancelled' AND cancelled_by IS NOT NULL)
                    OR (status <> 'cancelled' AND cancelled_by IS NULL)),
                CONSTRAINT ck_appointments_sealed_key CHECK (
                    (reason_sealed IS NULL AND notes_sealed IS NULL) OR sealed_key_id IS NOT NULL)
            )
            """),
        .both("CREATE INDEX ix_appointments_practitioner_start ON appointments(practitioner_id, starts_at)"),
        .both("CREATE INDEX ix_appointments_department_start ON appointments(department_id, starts_at)"),
        .both("CREATE INDEX ix_appointments_patient ON appointments(patient_id)"),
        .both("""
            CREATE TABLE appointment_resources (
                appointment_id TEXT NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
                resource_id TEXT NOT NULL REFERENCES resources(id),
                PRIMARY KEY (appointment_id, resource_id)
            )
            """),
        .both("CREATE INDEX ix_appointment_resources_resource ON appointment_resources(resource_id)"),
        .both("""
            CREATE TABLE appointment_events (
                id TEXT PRIMARY KEY,
                appointment_id TEXT NOT NULL REFERENCES appointments(id),
                at BIGINT NOT NULL,
                actor_account_id TEXT REFERENCES accounts(id),
                channel TEXT CONSTRAINT ck_appointment_events_channel
                    CHECK (channel IN ('online', 'phone', 'desk', 'referral', 'practitioner')),
                action TEXT NOT NULL CONSTRAINT ck_appointment_events_action
                    CHECK (action IN ('created', 'moved', 'cancelled', 'status_changed', 'updated')),
                before_state TEXT,
                after_state TEXT
            )
            """),
        .both("CREATE INDEX ix_appointment_events_appointment ON appointment_events(appointment_id, at)"),
    ])
}
