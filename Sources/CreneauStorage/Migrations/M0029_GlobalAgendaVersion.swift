extension Migration {
    /// One version that moves with every other (`'#'` in `agenda_versions`), so an instance can
    /// ask "did anything availability depends on change, anywhere?" with one primary-key read
    /// instead of reading the versions of every agenda it is about to answer from
    /// (`VersionReads`).
    ///
    /// It is moved by the database, from the version rows themselves, so no writer can forget it.
    /// On PostgreSQL the move is deferred to the commit and made once per transaction: the row is
    /// then locked only for the commit itself, and always last, after any lock a transaction takes
    /// while it works (bookings take the change feed's lock), so two writers cannot wait on each
    /// other for it.
    static let globalAgendaVersion = Migration("0029_global_agenda_version", [
        .both("INSERT INTO agenda_versions (owner_id, version) VALUES ('#', 1)"),
        .sqlite("""
            CREATE TRIGGER trg_agenda_versions_insert_global AFTER INSERT ON agenda_versions WHEN NEW.owner_id <> '#'
            BEGIN UPDATE agenda_versions SET version = version + 1 WHERE owner_id = '#'; END
            """),
        .sqlite("""
            CREATE TRIGGER trg_agenda_versions_update_global AFTER UPDATE ON agenda_versions
            WHEN NEW.owner_id <> '#' AND NEW.version <> OLD.version
            BEGIN UPDATE agenda_versions SET version = version + 1 WHERE owner_id = '#'; END
            """),
        .postgres("""
            CREATE FUNCTION creneau_bump_global() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF coalesce(current_setting('creneau.global_version_moved', true), '') <> 'on' THEN
                    UPDATE agenda_versions SET version = version + 1 WHERE owner_id = '#';
                    PERFORM set_config('creneau.global_version_moved', 'on', true);
                END IF;
                RETURN NULL;
            END
            $$
            """),
        .postgres("""
            CREATE CONSTRAINT TRIGGER trg_agenda_versions_insert_global AFTER INSERT ON agenda_versions
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.owner_id <> '#') EXECUTE FUNCTION creneau_bump_global()
            """),
        .postgres("""
            CREATE CONSTRAINT TRIGGER trg_agenda_versions_update_global AFTER UPDATE ON agenda_versions
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.owner_id <> '#' AND NEW.version <> OLD.version)
            EXECUTE FUNCTION creneau_bump_global()
            """),
    ])

    /// The key of that version.
    public static let globalVersionKey = "#"
}
