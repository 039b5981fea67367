extension Migration {
    /// A room or machine out of service (sold, under repair for months): nothing needing it is
    /// offered; its history and booked appointments stay.
    static let resourcesInService = Migration("0017_resources_in_service", [
        .both("ALTER TABLE resources ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE"),
    ])
}
