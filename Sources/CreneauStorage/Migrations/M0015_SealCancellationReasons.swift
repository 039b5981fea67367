extension Migration {
    /// Cancellation reasons ("hospitalised", "the treatment failed") are health data like visit
    /// reasons: sealed by the field cipher from now on. Rows written before keep their plain
    /// text until `SQLStore.sealCancellationReasons()` (run after migrating) seals them: the
    /// migration itself has no key.
    static let sealCancellationReasons = Migration("0015_seal_cancellation_reasons", [
        .both("ALTER TABLE appointments ADD COLUMN cancellation_reason_sealed TEXT"),
        .both("ALTER TABLE appointments ADD COLUMN cancellation_key_id TEXT"),
    ])
}
