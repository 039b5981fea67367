extension Migration {
    /// Cancellation reasons ("hospitalised", "the treatment failed") are health data like visit
    /// reasons: sealed by the field cipher from now on. Rows written before keep their plain
    /// text until `SQLStore.sealCancellationReasons()` (run after migrating) seals them: the
    /// migration itself has no key.
    static let sealCancellationReasons = Migration("0015_seal_cancellation_reasons", [
        .both("ALTER TABLE appointments ADD COLUMN cancellation_reason_sealed TEXT"),
        .both("ALTER TABLE appointments ADD COLUMN cancellation_key_id TEXT"),
        // The seal runs at every start: finding the (few, then no) plain-text rows must not scan millions.
        .both("CREATE INDEX ix_appointments_plain_cancellation ON appointments(id) WHERE cancellation_reason IS NOT NULL"),
    ])
}
