import Foundation

/// Applies the `RetentionPolicy`: clears what is past its time, anonymises people dormant past
/// theirs, deletes old access-audit rows. Run by `serve` once a day and by `creneau purge`; running
/// it again changes nothing. Each pass is audited (`retention:purge`, with the counts).
public struct RetentionPurge: Sendable {
    public struct Dependencies: Sendable {
        public var retention: any RetentionRepository
        public var patients: any PatientRepository
        public var audit: any AuditRepository
        public var clock: Clock
        public var ids: IDGenerator

        public init(retention: any RetentionRepository, patients: any PatientRepository, audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
            self.retention = retention
            self.patients = patients
            self.audit = audit
            self.clock = clock
            self.ids = ids
        }
    }

    public struct Report: Hashable, Sendable {
        public var visitTexts = 0
        public var surveyComments = 0
        public var messages = 0
        public var patients = 0
        public var auditRows = 0

        public init(visitTexts: Int = 0, surveyComments: Int = 0, messages: Int = 0, patients: Int = 0, auditRows: Int = 0) {
            self.visitTexts = visitTexts
            self.surveyComments = surveyComments
            self.messages = messages
            self.patients = patients
            self.auditRows = auditRows
        }

        public var total: Int { visitTexts + surveyComments + messages + patients + auditRows }
    }

    let deps: Dependencies
    let policy: RetentionPolicy
    /// Rows per transaction.
    let batch: Int

    public init(_ dependencies: Dependencies, policy: RetentionPolicy, batch: Int = 500) {
        self.deps = dependencies
        self.policy = policy
        self.batch = max(1, batch)
    }

    public func run() async throws -> Report {
        let now = deps.clock.now()
        let texts = RetentionPolicy.cutoff(months: policy.healthTextMonths, before: now)
        let dormant = RetentionPolicy.cutoff(months: policy.dormantPatientMonths, before: now)
        let audit = RetentionPolicy.cutoff(months: policy.accessAuditMonths, before: now)
        var report = Report()
        report.visitTexts = try await drain { try await deps.retention.clearVisitTexts(endedBefore: texts, limit: batch) }
        report.surveyComments = try await drain { try await deps.retention.clearSurveyComments(endedBefore: texts, limit: batch) }
        report.messages = try await drain { try await deps.retention.deleteSettledMessages(before: texts, limit: batch) }
        while true {
            let ids = try await deps.retention.dormantPatients(before: dormant, limit: batch)
            for id in ids {
                guard let patient = try await deps.patients.patient(id: id) else { continue }
                try await deps.patients.update(patient.anonymised())
            }
            report.patients += ids.count
            if ids.count < batch { break }
        }
        report.auditRows = try await drain { try await deps.retention.deleteAccessAudit(before: audit, limit: batch) }
        if report.total > 0 {
            try await deps.audit.append(AccessAuditEntry(
                id: deps.ids.next(), at: now, actorAccountID: nil, action: "retention:purge", patientID: nil,
                target: "texts:\(report.visitTexts):comments:\(report.surveyComments):messages:\(report.messages):patients:\(report.patients):audit:\(report.auditRows)",
                outcome: .allowed))
        }
        return report
    }

    /// Calls `step` until it handles fewer rows than a batch: the total.
    private func drain(_ step: () async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let done = try await step()
            total += done
            if done < batch { return total }
        }
    }
}
