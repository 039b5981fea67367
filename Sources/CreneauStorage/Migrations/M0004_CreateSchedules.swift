extension Migration {
    /// Weekly templates, their opening ranges (with held-back release rules),
    /// and exceptions (absences, extra openings).
    static let createSchedules = Migration("0004_create_schedules", [
        .both("""
            CREATE TABLE schedule_templates (
                id TEXT PRIMARY KEY,
                practitioner_id TEXT REFERENCES practitioners(id),
                resource_id TEXT REFERENCES resources(id),
                department_id TEXT NOT NULL REFERENCES departments(id),
                valid_from TEXT NOT NULL CONSTRAINT ck_schedule_templates_from CHECK (length(valid_from) = 10),
                valid_until TEXT,
                CONSTRAINT ck_schedule_templates_owner CHECK ((practitioner_id IS NULL) <> (resource_id IS NULL)),
                CONSTRAINT ck_schedule_templates_validity CHECK (valid_until IS NULL OR valid_until >= valid_from)
            )
            """),
        .both("CREATE INDEX ix_schedule_templates_practitioner ON schedule_templates(practitioner_id)"),
        .both("CREATE INDEX ix_schedule_templates_resource ON schedule_templates(resource_id)"),
        .both("""
            CREATE TABLE opening_ranges (
                id TEXT PRIMARY KEY,
                template_id TEXT NOT NULL REFERENCES schedule_templates(id) ON DELETE CASCADE,
                weekday INTEGER NOT NULL CONSTRAINT ck_opening_ranges_weekday CHECK (weekday BETWEEN 1 AND 7),
                start_minute INTEGER NOT NULL,
                end_minute INTEGER NOT NULL,
                channels INTEGER NOT NULL CONSTRAINT ck_opening_ranges_channels CHECK (channels BETWEEN 1 AND 31),
                release_channels INTEGER CONSTRAINT ck_opening_ranges_release_channels CHECK (release_channels BETWEEN 1 AND 31),
                release_days_before INTEGER CONSTRAINT ck_opening_ranges_release_days CHECK (release_days_before BETWEEN 0 AND 60),
                release_at_minute INTEGER CONSTRAINT ck_opening_ranges_release_minute CHECK (release_at_minute BETWEEN 0 AND 1439),
                CONSTRAINT ck_opening_ranges_period CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440),
                CONSTRAINT ck_opening_ranges_release CHECK (
                    (release_channels IS NULL AND release_days_before IS NULL AND release_at_minute IS NULL)
                    OR (release_channels IS NOT NULL AND release_days_before IS NOT NULL AND release_at_minute IS NOT NULL))
            )
            """),
        .both("CREATE INDEX ix_opening_ranges_template ON opening_ranges(template_id)"),
        .both("""
            CREATE TABLE opening_range_motives (
                range_id TEXT NOT NULL REFERENCES opening_ranges(id) ON DELETE CASCADE,
                motive_id TEXT NOT NULL REFERENCES motives(id),
                PRIMARY KEY (range_id, motive_id)
            )
            """),
        .both("""
            CREATE TABLE schedule_exceptions (
                id TEXT PRIMARY KEY,
                practitioner_id TEXT REFERENCES practitioners(id),
                resource_id TEXT REFERENCES resources(id),
                kind TEXT NOT NULL CONSTRAINT ck_schedule_exceptions_kind CHECK (kind IN ('absence', 'extra_opening')),
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                channels INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_schedule_exceptions_channels CHECK (channels BETWEEN 0 AND 31),
                CONSTRAINT ck_schedule_exceptions_owner CHECK ((practitioner_id IS NULL) <> (resource_id IS NULL)),
                CONSTRAINT ck_schedule_exceptions_period CHECK (ends_at > starts_at),
                CONSTRAINT ck_schedule_exceptions_opening CHECK (kind = 'absence' OR channels > 0)
            )
            """),
        .both("CREATE INDEX ix_schedule_exceptions_practitioner ON schedule_exceptions(practitioner_id, starts_at)"),
        .both("CREATE INDEX ix_schedule_exceptions_resource ON schedule_exceptions(resource_id, starts_at)"),
        .both("""
            CREATE TABLE schedule_exception_motives (
                exception_id TEXT NOT NULL REFERENCES schedule_exceptions(id) ON DELETE CASCADE,
                motive_id TEXT NOT NULL REFERENCES motives(id),
                PRIMARY KEY (exception_id, motive_id)
            )
            """),
    ])
}
