import CreneauDomain
import Foundation
import SQLKit

/// Bulk loading for seeds and imports: many rows per INSERT, many INSERTs per
/// transaction, so that millions of rows load in minutes.
extension SQLStore {
    /// Stays under SQLite's 32,766 bound parameters per statement (PostgreSQL allows 65,535).
    static let maximumBindsPerStatement = 30_000

    /// A bulk writer bound to one open transaction.
    public struct BulkWriter: Sendable {
        let store: SQLStore
        let db: any SQLDatabase

        func insert<R: SQLRecord>(_ records: [R]) async throws {
            guard let first = records.first else { return }
            let names = first.columns.map(\.0)
            let rowsPerStatement = max(1, SQLStore.maximumBindsPerStatement / names.count)
            var start = records.startIndex
            while start < records.endIndex {
                let end = min(start + rowsPerStatement, records.endIndex)
                var insert = db.insert(into: R.table).columns(names)
                for record in records[start..<end] {
                    insert = insert.values(record.columns.map { SQLBind($0.1) })
                }
                try await insert.run()
                start = end
            }
        }

        func insertLinks(_ link: LinkRow, _ pairs: [(UUID, UUID)]) async throws {
            var start = 0
            let rowsPerStatement = SQLStore.maximumBindsPerStatement / 2
            while start < pairs.count {
                let end = min(start + rowsPerStatement, pairs.count)
                var insert = db.insert(into: link.table).columns(link.parentColumn, link.childColumn)
                for (parent, child) in pairs[start..<end] {
                    insert = insert.values(SQLBind(Column.id(parent)), SQLBind(Column.id(child)))
                }
                try await insert.run()
                start = end
            }
        }

        public func groups(_ values: [HospitalGroup]) async throws { try await insert(values) }
        public func sites(_ values: [Site]) async throws { try await insert(values) }
        public func departments(_ values: [Department]) async throws { try await insert(values) }
        public func holidays(_ values: [PublicHoliday]) async throws { try await insert(values) }
        public func practitioners(_ values: [Practitioner]) async throws { try await insert(values) }
        public func memberships(_ values: [Membership]) async throws { try await insert(values) }
        public func resources(_ values: [Resource]) async throws { try await insert(values) }
        public func patients(_ values: [Patient]) async throws { try await insert(values) }
        public func knownPatients(_ values: [KnownPatient]) async throws { try await insert(values) }
        public func accounts(_ values: [Account]) async throws { try await insert(values) }
        public func managedPatients(_ values: [ManagedPatient]) async throws { try await insert(values) }
        public func roleGrants(_ values: [RoleGrant]) async throws { try await insert(values) }
        public func referringDoctors(_ values: [ReferringDoctor]) async throws { try await insert(values) }
        /// Without comments (demo data).
        public func surveyAnswers(_ values: [SurveyAnswer]) async throws { try await insert(values.map { var answer = $0; answer.comment = nil; return answer }) }

        public func motives(_ values: [Motive]) async throws {
            try await insert(values)
            try await insertLinks(.motiveResources, values.flatMap { m in m.requiredResourceIDs.map { (m.id, $0) } })
        }

        public func templates(_ values: [ScheduleTemplate]) async throws {
            try await insert(values)
            try await insert(values.flatMap { t in t.ranges.map { OpeningRangeRow(templateID: t.id, range: $0) } })
            try await insertLinks(.rangeMotives, values.flatMap { t in t.ranges.flatMap { r in r.motiveIDs.map { (r.id, $0) } } })
        }

        public func exceptions(_ values: [ScheduleException]) async throws {
            try await insert(values)
            try await insertLinks(.exceptionMotives, values.flatMap { e in e.motiveIDs.map { (e.id, $0) } })
        }

        public func appointments(_ values: [Appointment]) async throws {
            try await insert(try values.map { try AppointmentRow($0, cipher: store.cipher) })
            try await insertLinks(.appointmentResources, values.flatMap { a in a.resourceIDs.map { (a.id, $0) } })
        }
    }

    /// Runs `body` with a bulk writer inside one transaction.
    public func bulk<R: Sendable>(_ body: @Sendable (BulkWriter) async throws -> R) async throws -> R {
        try await database.transaction { db in try await body(BulkWriter(store: self, db: db)) }
    }

    /// Whether the database holds no organisation yet (a fresh install).
    public func isEmpty() async throws -> Bool {
        try await database.withConnection { db in
            try await db.select().column("id").from(HospitalGroup.table).limit(1).first() == nil
        }
    }
}
