import CreneauDomain
import CreneauStorage
import Foundation

extension Commands {
    /// The retention purge on `store` with the configured policy.
    static func retentionPurge(_ store: SQLStore, _ configuration: Configuration) -> RetentionPurge {
        RetentionPurge(.init(retention: store, patients: store, audit: store, clock: configuration.clock, ids: .random), policy: configuration.retention)
    }

    /// `creneau purge`: applies the retention policy now (serve does it every six hours) and says what it did.
    public static func purge(_ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let report = try await retentionPurge(storage.store, configuration).run()
            let policy = configuration.retention
            return """
                Retention applied (typed texts \(policy.healthTextMonths) months after the visit, identities \(policy.dormantPatientMonths) months \
                after the last visit, access audit \(policy.accessAuditMonths) months): \(report.visitTexts) visits' texts and \(report.surveyComments) \
                survey comments cleared, \(report.messages) messages deleted, \(report.patients) patients anonymised, \(report.auditRows) audit rows deleted.
                """
        }
    }
}
