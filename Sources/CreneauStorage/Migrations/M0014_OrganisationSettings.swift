extension Migration {
    /// What a hospital sets for itself: a site's address, phone, public-holiday calendar and
    /// whether it is in service; whether a department takes online bookings and whether its
    /// new patients need a referring doctor; per motive, an override of that rule and a
    /// shorter horizon online than by phone; practitioners in or out of service.
    /// Every column has a default that keeps what the earlier schema meant.
    static let organisationSettings = Migration("0014_organisation_settings", [
        .both("ALTER TABLE sites ADD COLUMN address TEXT NOT NULL DEFAULT ''"),
        .both("ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT ''"),
        .both("ALTER TABLE sites ADD COLUMN holiday_calendar TEXT NOT NULL DEFAULT 'metropolitan'"),
        .both("ALTER TABLE sites ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE"),
        .both("ALTER TABLE departments ADD COLUMN online_booking BOOLEAN NOT NULL DEFAULT TRUE"),
        .both("ALTER TABLE departments ADD COLUMN new_patients_need_referral BOOLEAN NOT NULL DEFAULT TRUE"),
        .both("ALTER TABLE departments ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE"),
        .both("ALTER TABLE motives ADD COLUMN referral TEXT NOT NULL DEFAULT 'department' CONSTRAINT ck_motives_referral CHECK (referral IN ('department', 'required', 'not_required'))"),
        .both("ALTER TABLE motives ADD COLUMN online_horizon_days INTEGER CONSTRAINT ck_motives_online_horizon CHECK (online_horizon_days >= 1)"),
        .both("ALTER TABLE practitioners ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE"),
    ])
}
