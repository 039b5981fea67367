extension Migration {
    /// Versions that tell an availability cache, on any instance, what changed.
    ///
    /// `agenda_versions` holds one row per practitioner or resource whose
    /// appointments changed, and the row `'*'` for everything else availability
    /// depends on (templates, ranges, exceptions, motives, holidays, rooms,
    /// sites). Triggers bump them in the same transaction as the change, so no
    /// writer, however it writes, can change an agenda without the version
    /// moving. A cache reads the versions *before* it reads an agenda, so what
    /// it holds is never older than the version it files it under.
    static let createAgendaVersions = Migration("0008_create_agenda_versions", [
        .both("""
            CREATE TABLE agenda_versions (
                owner_id TEXT PRIMARY KEY,
                version BIGINT NOT NULL
            )
            """),
        .both("INSERT INTO agenda_versions (owner_id, version) VALUES ('*', 1)"),
    ]
    + ownerTriggers
    + configurationTables.flatMap(configurationTriggers))

    /// Tables whose every change may move any slot, or change what the directory shows.
    static let configurationTables = [
        "schedule_templates", "opening_ranges", "opening_range_motives", "schedule_exceptions", "schedule_exception_motives",
        "motives", "motive_resources", "public_holidays", "resources", "sites", "departments", "memberships", "practitioners",
    ]

    static func bump(_ owner: String) -> String {
        "INSERT INTO agenda_versions (owner_id, version) VALUES (\(owner), 1) ON CONFLICT (owner_id) DO UPDATE SET version = agenda_versions.version + 1"
    }

    static func configurationTriggers(_ table: String) -> [Statement] {
        ["INSERT", "UPDATE", "DELETE"].map { event in
            .sqlite("CREATE TRIGGER trg_\(table)_\(event.lowercased())_version AFTER \(event) ON \(table) BEGIN \(bump("'*'")); END")
        } + [
            .postgres("CREATE TRIGGER trg_\(table)_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION creneau_bump_configuration()"),
        ]
    }

    static let ownerTriggers: [Statement] = [
        .sqlite("CREATE TRIGGER trg_appointments_insert_version AFTER INSERT ON appointments BEGIN \(bump("NEW.practitioner_id")); END"),
        .sqlite("CREATE TRIGGER trg_appointments_update_version AFTER UPDATE ON appointments BEGIN \(bump("NEW.practitioner_id")); \(bump("OLD.practitioner_id")); END"),
        .sqlite("CREATE TRIGGER trg_appointments_delete_version AFTER DELETE ON appointments BEGIN \(bump("OLD.practitioner_id")); END"),
        // A room's occupation changes with the appointment it belongs to (its times or status) as well as with the link.
        .sqlite("CREATE TRIGGER trg_appointment_resources_insert_version AFTER INSERT ON appointment_resources BEGIN \(bump("NEW.resource_id")); END"),
        .sqlite("CREATE TRIGGER trg_appointment_resources_delete_version AFTER DELETE ON appointment_resources BEGIN \(bump("OLD.resource_id")); END"),
        .sqlite("""
            CREATE TRIGGER trg_appointments_update_resource_version AFTER UPDATE ON appointments BEGIN
            INSERT INTO agenda_versions (owner_id, version) SELECT resource_id, 1 FROM appointment_resources WHERE appointment_id = NEW.id AND true
            ON CONFLICT (owner_id) DO UPDATE SET version = agenda_versions.version + 1; END
            """),
        .postgres("""
            CREATE FUNCTION creneau_bump_configuration() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                \(bump("'*'"));
                RETURN NULL;
            END
            $$
            """),
        .postgres("""
            CREATE FUNCTION creneau_bump_appointment() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    \(bump("NEW.practitioner_id"));
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    \(bump("OLD.practitioner_id"));
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    INSERT INTO agenda_versions (owner_id, version) SELECT resource_id, 1 FROM appointment_resources WHERE appointment_id = NEW.id
                    ON CONFLICT (owner_id) DO UPDATE SET version = agenda_versions.version + 1;
                END IF;
                RETURN NULL;
            END
            $$
            """),
        .postgres("""
            CREATE FUNCTION creneau_bump_appointment_resource() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(bump("NEW.resource_id"));
                ELSE
                    \(bump("OLD.resource_id"));
                END IF;
                RETURN NULL;
            END
            $$
            """),
        .postgres("CREATE TRIGGER trg_appointments_version AFTER INSERT OR UPDATE OR DELETE ON appointments FOR EACH ROW EXECUTE FUNCTION creneau_bump_appointment()"),
        .postgres("CREATE TRIGGER trg_appointment_resources_version AFTER INSERT OR DELETE ON appointment_resources FOR EACH ROW EXECUTE FUNCTION creneau_bump_appointment_resource()"),
    ]
}
