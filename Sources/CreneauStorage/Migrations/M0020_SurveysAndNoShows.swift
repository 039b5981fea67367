extension Migration {
    /// The satisfaction survey: one answer per fulfilled visit (the primary key says so, on every
    /// instance), the comment sealed like reasons. The practitioner and department are copied so
    /// results group without joining appointments that may later be purged.
    ///
    /// The repeat no-show policy: per site, after `noshow_limit` no-shows within
    /// `noshow_window_days`, online booking refuses (NULL: no policy). Staff lift it for one patient
    /// at one site: no-shows before the lift stop counting.
    static let surveysAndNoShows = Migration("0020_surveys_and_no_shows", [
        .both("""
            CREATE TABLE survey_answers (
                appointment_id TEXT PRIMARY KEY CONSTRAINT fk_survey_answers_appointment REFERENCES appointments(id),
                practitioner_id TEXT NOT NULL,
                department_id TEXT NOT NULL,
                score INTEGER NOT NULL CONSTRAINT ck_survey_answers_score CHECK (score BETWEEN 0 AND 10),
                comment_sealed TEXT,
                comment_key_id TEXT,
                answered_at BIGINT NOT NULL
            )
            """),
        .both("CREATE INDEX ix_survey_answers_department ON survey_answers(department_id, answered_at)"),
        .both("ALTER TABLE sites ADD COLUMN noshow_limit INTEGER CONSTRAINT ck_sites_noshow_limit CHECK (noshow_limit IS NULL OR noshow_limit BETWEEN 1 AND 20)"),
        .both("ALTER TABLE sites ADD COLUMN noshow_window_days INTEGER NOT NULL DEFAULT 365 CONSTRAINT ck_sites_noshow_window CHECK (noshow_window_days BETWEEN 30 AND 730)"),
        .both("""
            CREATE TABLE noshow_lifts (
                site_id TEXT NOT NULL CONSTRAINT fk_noshow_lifts_site REFERENCES sites(id),
                patient_id TEXT NOT NULL CONSTRAINT fk_noshow_lifts_patient REFERENCES patients(id),
                lifted_at BIGINT NOT NULL,
                lifted_by TEXT NOT NULL,
                PRIMARY KEY (site_id, patient_id)
            )
            """),
    ])
}
