extension Migration {
    /// People and things that are booked.
    static let createPractitionersAndResources = Migration("0002_create_practitioners_and_resources", [
        .both("""
            CREATE TABLE practitioners (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL DEFAULT '',
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL CONSTRAINT ck_practitioners_last_name CHECK (last_name <> ''),
                search_name TEXT NOT NULL,
                profession TEXT NOT NULL CONSTRAINT ck_practitioners_profession CHECK (profession <> ''),
                specialty TEXT NOT NULL,
                rpps TEXT CONSTRAINT uq_practitioners_rpps UNIQUE,
                languages TEXT NOT NULL DEFAULT 'fr',
                skills TEXT NOT NULL DEFAULT ''
            )
            """),
        .both("CREATE INDEX ix_practitioners_specialty ON practitioners(specialty)"),
        .both("CREATE INDEX ix_practitioners_search_name ON practitioners(search_name)"),
        .both("""
            CREATE TABLE memberships (
                practitioner_id TEXT NOT NULL REFERENCES practitioners(id),
                department_id TEXT NOT NULL REFERENCES departments(id),
                PRIMARY KEY (practitioner_id, department_id)
            )
            """),
        .both("CREATE INDEX ix_memberships_department ON memberships(department_id)"),
        .both("""
            CREATE TABLE resources (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id),
                department_id TEXT REFERENCES departments(id),
                kind TEXT NOT NULL CONSTRAINT ck_resources_kind CHECK (kind IN ('room', 'equipment')),
                name TEXT NOT NULL CONSTRAINT ck_resources_name CHECK (name <> ''),
                capacity INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_resources_capacity CHECK (capacity >= 1),
                CONSTRAINT uq_resources_name UNIQUE (site_id, name)
            )
            """),
    ])
}
