extension Migration {
    /// Retention (`RetentionPurge`). The access audit stays append-only for updates; a delete is
    /// refused by the database for any row younger than 180 days — the floor under the CNIL's
    /// advice of six months to a year — so no setting, bug or request can empty it early, while
    /// the purge can remove what is past the hospital's chosen retention. Indexes let each purge
    /// batch find its rows without scanning history: the visits that still hold typed texts (a
    /// partial index: cleared rows leave it) and the audit by time.
    static let retention = Migration("0028_retention", [
        .sqlite("DROP TRIGGER trg_access_audit_no_delete"),
        .sqlite("""
            CREATE TRIGGER trg_access_audit_no_early_delete BEFORE DELETE ON access_audit
            WHEN OLD.at > CAST(strftime('%s', 'now') AS INTEGER) - 15552000
            BEGIN SELECT RAISE(ABORT, 'audit rows are kept at least 180 days'); END
            """),
        .postgres("DROP TRIGGER trg_access_audit_append_only ON access_audit"),
        .postgres("CREATE TRIGGER trg_access_audit_no_update BEFORE UPDATE ON access_audit FOR EACH ROW EXECUTE FUNCTION creneau_reject_audit_change()"),
        .postgres("""
            CREATE FUNCTION creneau_reject_early_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.at > extract(epoch FROM now())::bigint - 15552000 THEN
                    RAISE EXCEPTION 'audit rows are kept at least 180 days';
                END IF;
                RETURN OLD;
            END
            $$
            """),
        .postgres("CREATE TRIGGER trg_access_audit_no_early_delete BEFORE DELETE ON access_audit FOR EACH ROW EXECUTE FUNCTION creneau_reject_early_audit_delete()"),
        .both("CREATE INDEX ix_access_audit_at ON access_audit(at)"),
        .both("""
            CREATE INDEX ix_appointments_typed_texts ON appointments(ends_at)
            WHERE reason_sealed IS NOT NULL OR notes_sealed IS NOT NULL OR cancellation_reason_sealed IS NOT NULL OR cancellation_reason IS NOT NULL
            """),
    ])
}
