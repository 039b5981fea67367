extension Migration {
    /// The hospital's patient index and duplicates: a patient's INS (the national health
    /// identifier, unique when present), and the record a duplicate was merged into (kept, so
    /// that its history and audit trail stay readable). Staff may mark a patient known to a
    /// department themselves ('marked_by_staff'), which the CHECK of 0005 did not allow:
    /// SQLite rebuilds the table to change it, PostgreSQL replaces the constraint.
    static let patientIdentity = Migration("0016_patient_identity", [
        .both("ALTER TABLE patients ADD COLUMN ins TEXT"),
        .both("CREATE UNIQUE INDEX uq_patients_ins ON patients(ins) WHERE ins IS NOT NULL"),
        .both("ALTER TABLE patients ADD COLUMN merged_into TEXT REFERENCES patients(id)"),
        .both("ALTER TABLE patients ADD COLUMN merged_at BIGINT"),
        // Likely duplicates are found by folded name and birth date.
        .both("CREATE INDEX ix_patients_identity ON patients(search_text, birth_date)"),
        .sqlite("""
            CREATE TABLE known_patients_0016 (
                department_id TEXT NOT NULL REFERENCES departments(id),
                patient_id TEXT NOT NULL REFERENCES patients(id),
                source TEXT NOT NULL CONSTRAINT ck_known_patients_source
                    CHECK (source IN ('fulfilled_appointment', 'imported_index', 'marked_by_staff')),
                since BIGINT NOT NULL,
                PRIMARY KEY (department_id, patient_id)
            )
            """),
        .sqlite("INSERT INTO known_patients_0016 (department_id, patient_id, source, since) SELECT department_id, patient_id, source, since FROM known_patients"),
        .sqlite("DROP TABLE known_patients"),
        .sqlite("ALTER TABLE known_patients_0016 RENAME TO known_patients"),
        .postgres("ALTER TABLE known_patients DROP CONSTRAINT ck_known_patients_source"),
        .postgres("ALTER TABLE known_patients ADD CONSTRAINT ck_known_patients_source CHECK (source IN ('fulfilled_appointment', 'imported_index', 'marked_by_staff'))"),
        .both("CREATE INDEX ix_known_patients_patient ON known_patients(patient_id)"),
    ])
}
