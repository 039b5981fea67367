extension Migration {
    /// The national directory of health professionals (RPPS), imported from the Annuaire Santé
    /// extract: each professional once (keyed by their national identifier), their places of
    /// practice apart. `name_key` is the folded last name (`first_name_key` the first name, `town_key`
    /// the towns and postcodes of their places), searched by prefix (byte order on both
    /// engines, hence "C" on PostgreSQL); `import_run` is the last import that listed a row, so that
    /// those a newer extract no longer lists are marked inactive (never deleted: appointments and
    /// waiting-list entries keep naming them). `directory_imports` records each run; a unique index
    /// lets only one run at a time.
    static let professionalDirectory = Migration("0023_professional_directory", [
        .sqlite("ALTER TABLE referring_doctors ADD COLUMN name_key TEXT NOT NULL DEFAULT ''"),
        .postgres(#"ALTER TABLE referring_doctors ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT ''"#),
        .sqlite("ALTER TABLE referring_doctors ADD COLUMN first_name_key TEXT NOT NULL DEFAULT ''"),
        .postgres(#"ALTER TABLE referring_doctors ADD COLUMN first_name_key TEXT COLLATE "C" NOT NULL DEFAULT ''"#),
        .both("ALTER TABLE referring_doctors ADD COLUMN title TEXT NOT NULL DEFAULT ''"),
        .both("ALTER TABLE referring_doctors ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CONSTRAINT ck_referring_doctors_source CHECK (source IN ('local', 'rpps'))"),
        .both("ALTER TABLE referring_doctors ADD COLUMN import_run BIGINT"),
        .both("ALTER TABLE referring_doctors ADD COLUMN inactive_since BIGINT"),
        .both("ALTER TABLE referring_doctors ADD COLUMN town_key TEXT NOT NULL DEFAULT ''"),
        // Each name index carries the other keys: the search checks every word of a query against
        // them, so a name shared by thousands is filtered in the index and the table is read for
        // the answers only.
        .both(SQLStore.directoryIndexes[0]),
        .both(SQLStore.directoryIndexes[1]),
        // One B-tree for the places on SQLite (WITHOUT ROWID: the key is the table), the fewest
        // indexes to maintain through two million upserts; counting and dropping what a run did
        // not list scans the tables once at its end.
        .sqlite(placesTable + " WITHOUT ROWID"),
        .postgres(placesTable),
        .both("""
            CREATE TABLE directory_imports (
                id BIGINT PRIMARY KEY,
                state TEXT NOT NULL CONSTRAINT ck_directory_imports_state CHECK (state IN ('running', 'finished', 'abandoned')),
                source TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                heartbeat_at BIGINT NOT NULL,
                finished_at BIGINT,
                report TEXT NOT NULL DEFAULT ''
            )
            """),
        .both("CREATE UNIQUE INDEX uq_directory_imports_running ON directory_imports(state) WHERE state = 'running'"),
    ])

    private static let placesTable = """
        CREATE TABLE referring_doctor_places (
            national_id TEXT NOT NULL CONSTRAINT fk_referring_doctor_places_doctor REFERENCES referring_doctors(national_id),
            place_key TEXT NOT NULL,
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            postal_code TEXT NOT NULL,
            city TEXT NOT NULL,
            phone TEXT NOT NULL,
            search_text TEXT NOT NULL,
            import_run BIGINT NOT NULL,
            PRIMARY KEY (national_id, place_key)
        )
        """
}
