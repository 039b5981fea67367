extension Migration {
    /// Patients, the accounts that manage them, staff roles, and the
    /// referring-doctor directory.
    static let createPeopleAndAccounts = Migration("0005_create_people_and_accounts", [
        .both("""
            CREATE TABLE referring_doctors (
                id TEXT PRIMARY KEY,
                national_id TEXT NOT NULL CONSTRAINT uq_referring_doctors_national_id UNIQUE,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL CONSTRAINT ck_referring_doctors_last_name CHECK (last_name <> ''),
                profession TEXT NOT NULL,
                specialty TEXT NOT NULL DEFAULT '',
                city TEXT NOT NULL DEFAULT '',
                postal_code TEXT NOT NULL DEFAULT '',
                search_text TEXT NOT NULL
            )
            """),
        .both("""
            CREATE TABLE patients (
                id TEXT PRIMARY KEY,
                first_name TEXT NOT NULL CONSTRAINT ck_patients_first_name CHECK (first_name <> ''),
                last_name TEXT NOT NULL CONSTRAINT ck_patients_last_name CHECK (last_name <> ''),
                birth_date TEXT NOT NULL CONSTRAINT ck_patients_birth_date CHECK (length(birth_date) = 10),
                email TEXT,
                phone TEXT,
                ipp TEXT CONSTRAINT uq_patients_ipp UNIQUE,
                created_at BIGINT NOT NULL
            )
            """),
        .both("""
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL CONSTRAINT uq_accounts_email UNIQUE
                    CONSTRAINT ck_accounts_email CHECK (email LIKE '%_@_%'),
                display_name TEXT NOT NULL,
                password_hash TEXT,
                email_verified_at BIGINT,
                practitioner_id TEXT REFERENCES practitioners(id),
                referring_doctor_id TEXT REFERENCES referring_doctors(id),
                created_at BIGINT NOT NULL,
                disabled_at BIGINT
            )
            """),
        .both("""
            CREATE TABLE managed_patients (
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                patient_id TEXT NOT NULL REFERENCES patients(id),
                relationship TEXT NOT NULL
                    CONSTRAINT ck_managed_patients_relationship CHECK (relationship IN ('self', 'child', 'parent', 'spouse', 'other')),
                PRIMARY KEY (account_id, patient_id)
            )
            """),
        // An account holds at most one "self", and a person is "self" in one account only.
        .both("CREATE UNIQUE INDEX uq_managed_patients_self_account ON managed_patients(account_id) WHERE relationship = 'self'"),
        .both("CREATE UNIQUE INDEX uq_managed_patients_self_patient ON managed_patients(patient_id) WHERE relationship = 'self'"),
        .both("CREATE INDEX ix_managed_patients_patient ON managed_patients(patient_id)"),
        .both("""
            CREATE TABLE known_patients (
                department_id TEXT NOT NULL REFERENCES departments(id),
                patient_id TEXT NOT NULL REFERENCES patients(id),
                source TEXT NOT NULL CONSTRAINT ck_known_patients_source CHECK (source IN ('fulfilled_appointment', 'imported_index')),
                since BIGINT NOT NULL,
                PRIMARY KEY (department_id, patient_id)
            )
            """),
        .both("""
            CREATE TABLE role_grants (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                role TEXT NOT NULL CONSTRAINT ck_role_grants_role
                    CHECK (role IN ('patient', 'practitioner', 'secretary', 'referring_doctor', 'site_admin', 'group_admin')),
                group_id TEXT REFERENCES hospital_groups(id),
                site_id TEXT REFERENCES sites(id),
                department_id TEXT REFERENCES departments(id),
                CONSTRAINT ck_role_grants_scope CHECK (
                    (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END)
                    + (CASE WHEN site_id IS NULL THEN 0 ELSE 1 END)
                    + (CASE WHEN department_id IS NULL THEN 0 ELSE 1 END) <= 1)
            )
            """),
        .both("CREATE INDEX ix_role_grants_account ON role_grants(account_id)"),
    ])
}
