extension Migration {
    /// Statistics for management, answered from summaries instead of scanning appointments.
    ///
    /// - `appointments.patient_kind`: new or known to the department *when booked* (NULL for rows
    ///   written before: derived from `known_patients.since` by the statistics).
    /// - `stats_facts`: one row per appointment, what the summaries last counted for it (its
    ///   periods in the site's zone, status, channel, kind, notice of a cancellation, survey
    ///   score). No foreign key: a purged appointment's numbers stay.
    /// - `stats_counts`: the summaries, per level (department, motive, practitioner), grain (month,
    ///   week) and period, channel and kind. Kept by `StatisticsService` from the change feed
    ///   (`stats_cursor`): for each changed appointment it subtracts the old fact's contribution,
    ///   replaces the fact and adds the new one, in one transaction with the cursor.
    /// - `stats_open_days` / `stats_open`: each practitioner's open minutes per department and day
    ///   (the fill rate's denominator), and their rollups.
    /// - `stats_access` / `stats_access_periods`: the delay to the third next available slot per
    ///   motive, recorded once a day (the day's primary key: one recording, whatever the number of
    ///   instances), and its rollups.
    /// - Role `department_head`: a department's own statistics (the role CHECK is rewritten; SQLite
    ///   cannot alter a CHECK, so its table is rebuilt).
    static let statistics = Migration("0026_statistics", [
        .both("ALTER TABLE appointments ADD COLUMN patient_kind TEXT CONSTRAINT ck_appointments_patient_kind CHECK (patient_kind IN ('new', 'known'))"),
        .both("""
            CREATE TABLE stats_facts (
                appointment_id TEXT PRIMARY KEY,
                site_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                practitioner_id TEXT NOT NULL,
                motive_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                patient_kind TEXT NOT NULL,
                booked_month TEXT NOT NULL,
                booked_week TEXT NOT NULL,
                visit_month TEXT NOT NULL,
                visit_week TEXT NOT NULL,
                status TEXT NOT NULL,
                cancelled_by TEXT,
                notice_hours BIGINT,
                moved INTEGER NOT NULL,
                minutes INTEGER NOT NULL,
                refilled INTEGER NOT NULL,
                survey_score INTEGER
            )
            """),
        .both("""
            CREATE TABLE stats_counts (
                level TEXT NOT NULL CONSTRAINT ck_stats_counts_level CHECK (level IN ('department', 'motive', 'practitioner')),
                grain TEXT NOT NULL CONSTRAINT ck_stats_counts_grain CHECK (grain IN ('month', 'week')),
                period TEXT NOT NULL,
                site_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                item_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                patient_kind TEXT NOT NULL,
                booked BIGINT NOT NULL,
                visits BIGINT NOT NULL,
                attended BIGINT NOT NULL,
                noshow BIGINT NOT NULL,
                cancelled BIGINT NOT NULL,
                cancelled_by_patient BIGINT NOT NULL,
                cancelled_by_hospital BIGINT NOT NULL,
                cancelled_late BIGINT NOT NULL,
                cancelled_week BIGINT NOT NULL,
                freed BIGINT NOT NULL,
                moved BIGINT NOT NULL,
                refilled BIGINT NOT NULL,
                booked_minutes BIGINT NOT NULL,
                survey_answers BIGINT NOT NULL,
                survey_score_sum BIGINT NOT NULL,
                survey_promoters BIGINT NOT NULL,
                survey_detractors BIGINT NOT NULL,
                PRIMARY KEY (level, grain, period, department_id, item_id, channel, patient_kind)
            )
            """),
        .both("CREATE TABLE stats_cursor (id INTEGER PRIMARY KEY CONSTRAINT ck_stats_cursor_one CHECK (id = 1), seq BIGINT NOT NULL, rebuild_started BIGINT)"),
        // Nothing counted yet: `creneau stats rebuild` (or the service's first pass) counts the history.
        .both("INSERT INTO stats_cursor (id, seq) VALUES (1, -1)"),
        .both("""
            CREATE TABLE stats_open_days (
                practitioner_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                day TEXT NOT NULL,
                site_id TEXT NOT NULL,
                month TEXT NOT NULL,
                week TEXT NOT NULL,
                minutes INTEGER NOT NULL CONSTRAINT ck_stats_open_days_minutes CHECK (minutes BETWEEN 0 AND 1440),
                PRIMARY KEY (practitioner_id, department_id, day)
            )
            """),
        .both("""
            CREATE TABLE stats_open (
                level TEXT NOT NULL CONSTRAINT ck_stats_open_level CHECK (level IN ('department', 'practitioner')),
                grain TEXT NOT NULL CONSTRAINT ck_stats_open_grain CHECK (grain IN ('month', 'week')),
                period TEXT NOT NULL,
                site_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                item_id TEXT NOT NULL,
                open_minutes BIGINT NOT NULL,
                PRIMARY KEY (level, grain, period, department_id, item_id)
            )
            """),
        .both("""
            CREATE TABLE stats_access (
                day TEXT NOT NULL,
                motive_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                site_id TEXT NOT NULL,
                specialty TEXT NOT NULL,
                days_to_third INTEGER CONSTRAINT ck_stats_access_days CHECK (days_to_third IS NULL OR days_to_third >= 0),
                horizon_days INTEGER NOT NULL,
                recorded_at BIGINT NOT NULL,
                PRIMARY KEY (day, motive_id)
            )
            """),
        .both("CREATE TABLE stats_access_runs (day TEXT PRIMARY KEY, recorded_at BIGINT NOT NULL, motives INTEGER NOT NULL)"),
        .both("""
            CREATE TABLE stats_access_periods (
                grain TEXT NOT NULL CONSTRAINT ck_stats_access_periods_grain CHECK (grain IN ('month', 'week')),
                period TEXT NOT NULL,
                site_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                motive_id TEXT NOT NULL,
                specialty TEXT NOT NULL,
                days_sum BIGINT NOT NULL,
                days_count BIGINT NOT NULL,
                beyond BIGINT NOT NULL,
                PRIMARY KEY (grain, period, department_id, motive_id)
            )
            """),
        .both("""
            CREATE TABLE role_grants_0026 (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                role TEXT NOT NULL CONSTRAINT ck_role_grants_role_0026
                    CHECK (role IN ('patient', 'practitioner', 'secretary', 'referring_doctor', 'site_admin', 'group_admin', 'department_head')),
                group_id TEXT REFERENCES hospital_groups(id),
                site_id TEXT REFERENCES sites(id),
                department_id TEXT REFERENCES departments(id),
                CONSTRAINT ck_role_grants_scope_0026 CHECK (
                    (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END)
                    + (CASE WHEN site_id IS NULL THEN 0 ELSE 1 END)
                    + (CASE WHEN department_id IS NULL THEN 0 ELSE 1 END) <= 1),
                CONSTRAINT ck_role_grants_department_head CHECK (role <> 'department_head' OR department_id IS NOT NULL)
            )
            """),
        .both("INSERT INTO role_grants_0026 (id, account_id, role, group_id, site_id, department_id) SELECT id, account_id, role, group_id, site_id, department_id FROM role_grants"),
        .both("DROP TABLE role_grants"),
        .both("ALTER TABLE role_grants_0026 RENAME TO role_grants"),
        .both("CREATE INDEX ix_role_grants_account ON role_grants(account_id)"),
    ])
}
