extension Migration {
    /// The access audit, and append-only enforcement for both audit trails:
    /// the application can add rows but the database refuses UPDATE and DELETE,
    /// whoever asks.
    static let createAuditTrails = Migration("0007_create_audit_trails", [
        .both("""
            CREATE TABLE access_audit (
                id TEXT PRIMARY KEY,
                at BIGINT NOT NULL,
                actor_account_id TEXT REFERENCES accounts(id),
                action TEXT NOT NULL CONSTRAINT ck_access_audit_action CHECK (action <> ''),
                patient_id TEXT REFERENCES patients(id),
                target TEXT NOT NULL,
                outcome TEXT NOT NULL CONSTRAINT ck_access_audit_outcome CHECK (outcome IN ('allowed', 'denied'))
            )
            """),
        .both("CREATE INDEX ix_access_audit_patient ON access_audit(patient_id, at)"),
        .sqlite("CREATE TRIGGER trg_access_audit_no_update BEFORE UPDATE ON access_audit BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"),
        .sqlite("CREATE TRIGGER trg_access_audit_no_delete BEFORE DELETE ON access_audit BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"),
        .sqlite("CREATE TRIGGER trg_appointment_events_no_update BEFORE UPDATE ON appointment_events BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"),
        .sqlite("CREATE TRIGGER trg_appointment_events_no_delete BEFORE DELETE ON appointment_events BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"),
        .postgres("""
            CREATE FUNCTION creneau_reject_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit rows are append-only';
            END
            $$
            """),
        .postgres("CREATE TRIGGER trg_access_audit_append_only BEFORE UPDATE OR DELETE ON access_audit FOR EACH ROW EXECUTE FUNCTION creneau_reject_audit_change()"),
        .postgres("CREATE TRIGGER trg_appointment_events_append_only BEFORE UPDATE OR DELETE ON appointment_events FOR EACH ROW EXECUTE FUNCTION creneau_reject_audit_change()"),
    ])
}
