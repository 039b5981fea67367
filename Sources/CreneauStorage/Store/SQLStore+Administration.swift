import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: AdministrationRepository {
    public func resources(siteID: UUID) async throws -> [Resource] {
        try await listRows(Resource.self, where: "site_id", equals: Column.id(siteID), orderBy: ["name"])
    }

    public func practitioners(siteID: UUID) async throws -> [(practitioner: Practitioner, departmentIDs: [UUID])] {
        try await database.withConnection { db in
            let rows = try await db.raw("""
                SELECT p.*, m.department_id AS member_of FROM practitioners p
                JOIN memberships m ON m.practitioner_id = p.id JOIN departments d ON d.id = m.department_id
                WHERE d.site_id = \(bind: Column.id(siteID)) ORDER BY p.last_name, p.first_name, p.id
                """).all()
            var result: [(practitioner: Practitioner, departmentIDs: [UUID])] = []
            for row in rows {
                let practitioner = try Practitioner(row: row), department = try row.uuid("member_of")
                if result.last?.practitioner.id == practitioner.id {
                    result[result.count - 1].departmentIDs.append(department)
                } else {
                    result.append((practitioner, [department]))
                }
            }
            return result
        }
    }

    public func save(_ practitioner: Practitioner, isNew: Bool, departments: [UUID], siteID: UUID) async throws {
        try await database.transaction { db in
            if isNew { try await insertRow(practitioner, on: db) } else { try await updateRow(practitioner, on: db) }
            let id = Column.id(practitioner.id)
            try await db.raw("""
                DELETE FROM memberships WHERE practitioner_id = \(bind: id)
                  AND department_id IN (SELECT id FROM departments WHERE site_id = \(bind: Column.id(siteID)))
                """).run()
            for department in Set(departments) {
                try await insertRow(Membership(practitionerID: practitioner.id, departmentID: department), on: db)
            }
        }
    }

    public func hours(resourceID: UUID) async throws -> ScheduleTemplate? {
        let id = try await database.withConnection { db in
            try await db.raw("SELECT id FROM schedule_templates WHERE resource_id = \(bind: Column.id(resourceID)) ORDER BY valid_from DESC LIMIT 1")
                .first().map { try $0.uuid("id") }
        }
        guard let id else { return nil }
        return try await template(id: id)
    }

    /// A room keeps one set of hours: the old ones go, in the same transaction as the new ones come
    /// (an expired template would still count as "has hours" and close the room for good).
    public func setHours(resourceID: UUID, _ template: ScheduleTemplate?) async throws {
        try await database.transaction { db in
            let owner = Column.id(resourceID)
            try await db.raw("""
                DELETE FROM opening_range_motives WHERE range_id IN
                  (SELECT r.id FROM opening_ranges r JOIN schedule_templates t ON t.id = r.template_id WHERE t.resource_id = \(bind: owner))
                """).run()
            try await db.raw("DELETE FROM opening_ranges WHERE template_id IN (SELECT id FROM schedule_templates WHERE resource_id = \(bind: owner))").run()
            try await db.raw("DELETE FROM schedule_templates WHERE resource_id = \(bind: owner)").run()
            if let template {
                try await insertRow(template, on: db)
                try await insertRanges(of: template, on: db)
            }
            // Hours taken away or moved can give time back on the room's agenda.
            try await addChanges([ChangeEvent.freed(resourceID, from: Date(), to: Date().addingTimeInterval(TimeInterval(InputBounds.agendaYears * 366 * 86_400)), at: Date())], on: db)
        }
    }

    public func removeClosure(siteID: UUID, date: LocalDate) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM public_holidays WHERE site_id = \(bind: Column.id(siteID)) AND day = \(bind: date.description) RETURNING day")
                .all().isEmpty == false
        }
    }

    public func upcomingAppointments(_ scope: ServiceScope, after: Date, limit: Int) async throws -> [Appointment] {
        let live = [AppointmentStatus.booked.rawValue, AppointmentStatus.arrived.rawValue]
        let from = Column.instant(after), limit = max(1, min(limit, 1_000))
        return try await appointments { select in
            var select = select.where("starts_at", .greaterThanOrEqual, SQLBind(from)).where("status", .in, SQLBind.group(live))
            switch scope {
            case .practitioner(let id): select = select.where("practitioner_id", .equal, SQLBind(Column.id(id)))
            case .department(let id): select = select.where("department_id", .equal, SQLBind(Column.id(id)))
            case .motive(let id): select = select.where("motive_id", .equal, SQLBind(Column.id(id)))
            case .site(let id):
                select = select.where(SQLIdentifier("department_id"), .in, SQLRaw("(SELECT id FROM departments WHERE site_id = '\(Column.id(id))')"))
            case .resource(let id):
                select = select.where(SQLIdentifier("id"), .in, SQLRaw("(SELECT appointment_id FROM appointment_resources WHERE resource_id = '\(Column.id(id))')"))
            }
            return select.limit(limit)
        }
    }
}
