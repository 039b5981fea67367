extension Migration {
    /// Group → site → department, and the days a site is closed.
    /// Identifiers are UUID text; instants are Unix seconds (UTC) in BIGINT;
    /// calendar days are ISO text ("2026-03-29"), whose order is date order.
    static let createOrganisation = Migration("0001_create_organisation", [
        .both("""
            CREATE TABLE hospital_groups (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL CONSTRAINT ck_hospital_groups_name CHECK (name <> ''),
                slug TEXT NOT NULL CONSTRAINT uq_hospital_groups_slug UNIQUE
            )
            """),
        .both("""
            CREATE TABLE sites (
                id TEXT PRIMARY KEY,
                group_id TEXT NOT NULL REFERENCES hospital_groups(id),
                name TEXT NOT NULL CONSTRAINT ck_sites_name CHECK (name <> ''),
                slug TEXT NOT NULL CONSTRAINT uq_sites_slug UNIQUE,
                city TEXT NOT NULL,
                time_zone TEXT NOT NULL DEFAULT 'Europe/Paris' CONSTRAINT ck_sites_time_zone CHECK (time_zone <> '')
            )
            """),
        .both("CREATE INDEX ix_sites_group ON sites(group_id)"),
        .both("""
            CREATE TABLE departments (
                id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL REFERENCES sites(id),
                name TEXT NOT NULL CONSTRAINT ck_departments_name CHECK (name <> ''),
                specialty TEXT NOT NULL CONSTRAINT ck_departments_specialty CHECK (specialty <> ''),
                max_future_per_patient INTEGER NOT NULL DEFAULT 3
                    CONSTRAINT ck_departments_max_future CHECK (max_future_per_patient >= 1),
                same_specialty_gap_days INTEGER NOT NULL DEFAULT 0
                    CONSTRAINT ck_departments_gap CHECK (same_specialty_gap_days >= 0),
                CONSTRAINT uq_departments_name UNIQUE (site_id, name)
            )
            """),
        .both("CREATE INDEX ix_departments_specialty ON departments(specialty)"),
        .both("""
            CREATE TABLE public_holidays (
                site_id TEXT NOT NULL REFERENCES sites(id),
                day TEXT NOT NULL CONSTRAINT ck_public_holidays_day CHECK (length(day) = 10),
                name TEXT NOT NULL,
                PRIMARY KEY (site_id, day)
            )
            """),
    ])
}
