extension Migration {
    /// Visit reasons with their durations, channels and booking rules.
    /// `channels` is a bit mask (online 1, phone 2, desk 4, referral 8,
    /// practitioner 16) so one integer CHECK validates it on both engines.
    static let createMotives = Migration("0003_create_motives", [
        .both("""
            CREATE TABLE motives (
                id TEXT PRIMARY KEY,
                department_id TEXT NOT NULL REFERENCES departments(id),
                name TEXT NOT NULL CONSTRAINT ck_motives_name CHECK (name <> ''),
                duration_minutes INTEGER NOT NULL CONSTRAINT ck_motives_duration CHECK (duration_minutes BETWEEN 5 AND 480),
                buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_motives_buffer_before CHECK (buffer_before_minutes BETWEEN 0 AND 240),
                buffer_after_minutes INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_motives_buffer_after CHECK (buffer_after_minutes BETWEEN 0 AND 240),
                capacity INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_motives_capacity CHECK (capacity >= 1),
                patients TEXT NOT NULL CONSTRAINT ck_motives_patients CHECK (patients IN ('new', 'known', 'both')),
                channels INTEGER NOT NULL CONSTRAINT ck_motives_channels CHECK (channels BETWEEN 1 AND 31),
                instructions_before TEXT NOT NULL DEFAULT '',
                instructions_after TEXT NOT NULL DEFAULT '',
                horizon_days INTEGER NOT NULL CONSTRAINT ck_motives_horizon CHECK (horizon_days BETWEEN 1 AND 730),
                minimum_notice_minutes INTEGER NOT NULL CONSTRAINT ck_motives_notice CHECK (minimum_notice_minutes >= 0),
                cancellation_cutoff_minutes INTEGER NOT NULL CONSTRAINT ck_motives_cutoff CHECK (cancellation_cutoff_minutes >= 0),
                maximum_moves INTEGER NOT NULL CONSTRAINT ck_motives_moves CHECK (maximum_moves >= 0),
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                CONSTRAINT uq_motives_name UNIQUE (department_id, name)
            )
            """),
        .both("""
            CREATE TABLE motive_resources (
                motive_id TEXT NOT NULL REFERENCES motives(id) ON DELETE CASCADE,
                resource_id TEXT NOT NULL REFERENCES resources(id),
                PRIMARY KEY (motive_id, resource_id)
            )
            """),
    ])
}
