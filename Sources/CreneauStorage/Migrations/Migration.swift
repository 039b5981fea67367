/// One schema change. Migrations are append-only: once released, a migration
/// is never edited; a later one changes what it made. Most statements read the
/// same on both engines; the few that cannot (triggers) say which engine they
/// are for.
public struct Migration: Sendable {
    public enum Statement: Sendable {
        case both(String)
        case sqlite(String)
        case postgres(String)

        func sql(for engine: DatabaseEngine) -> String? {
            switch (self, engine) {
            case (.both(let sql), _), (.sqlite(let sql), .sqlite), (.postgres(let sql), .postgres): return sql
            default: return nil
            }
        }
    }

    /// Unique and ordered: "0001_create_organisation".
    public let name: String
    public let statements: [Statement]

    public init(_ name: String, _ statements: [Statement]) {
        self.name = name
        self.statements = statements
    }
}

extension Migration {
    /// Every migration, in the order they apply.
    public static let all: [Migration] = [
        .createOrganisation,
        .createPractitionersAndResources,
        .createMotives,
        .createSchedules,
        .createPeopleAndAccounts,
        .createAppointments,
        .createAuditTrails,
        .createAgendaVersions,
        .createOccupancy,
        .createSessions,
        .createPatientAccounts,
        .holdOwners,
        .createChangeEvents,
        .organisationSettings,
        .sealCancellationReasons,
        .patientIdentity,
        .resourcesInService,
        .createOutbox,
        .patientMessages,
        .surveysAndNoShows,
        .waitingList,
        .calendarFeeds,
        .professionalDirectory,
        .slotPublication,
        .directoryListed,
        .statistics,
        .limitCounters,
        .retention,
        .globalAgendaVersion,
        .publicationKeys,
    ]
}
