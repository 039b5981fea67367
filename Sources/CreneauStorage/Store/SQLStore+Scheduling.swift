import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: SchedulingRepository {
    public func insert(_ motive: Motive) async throws {
        try await write(motive, isUpdate: false, links: .motiveResources, parent: motive.id, children: motive.requiredResourceIDs)
    }

    public func update(_ motive: Motive) async throws {
        try await write(motive, isUpdate: true, links: .motiveResources, parent: motive.id, children: motive.requiredResourceIDs)
    }

    public func motive(id: UUID) async throws -> Motive? {
        try await motives(whereColumn: "id", equals: Column.id(id)).first
    }

    public func motives(departmentID: UUID) async throws -> [Motive] {
        try await motives(whereColumn: "department_id", equals: Column.id(departmentID))
    }

    private func motives(whereColumn column: String, equals value: String) async throws -> [Motive] {
        try await database.withConnection { db in
            var motives = try await db.select().column("*").from(Motive.table)
                .where(SQLIdentifier(column), .equal, SQLBind(value)).orderBy("name")
                .all().map { try Motive(row: $0) }
            let resources = try await links(.motiveResources, parents: motives.map(\.id), on: db)
            for index in motives.indices { motives[index].requiredResourceIDs = resources[motives[index].id] ?? [] }
            return motives
        }
    }

    public func insert(_ template: ScheduleTemplate) async throws {
        try await database.transaction { db in
            try await insertRow(template, on: db)
            try await insertRanges(of: template, on: db)
            try await addChanges([Self.freed(by: template)], on: db)
        }
    }

    public func update(_ template: ScheduleTemplate) async throws {
        try await database.transaction { db in
            try await updateRow(template, on: db)
            // Ranges have no history of their own: the template's set replaces them.
            try await db.delete(from: OpeningRangeRow.table).where("template_id", .equal, SQLBind(template.key)).run()
            try await insertRanges(of: template, on: db)
            try await addChanges([Self.freed(by: template)], on: db)
        }
    }

    /// A template written may open time anywhere in its validity (five years when open-ended).
    /// The event's `at` is the write's wall-clock time: configuration writes take no clock.
    static func freed(by template: ScheduleTemplate) -> ChangeEvent {
        let owner: UUID
        switch template.owner {
        case .practitioner(let id), .resource(let id): owner = id
        }
        let until = template.validUntil?.adding(days: 1) ?? template.validFrom.adding(days: InputBounds.agendaYears * 366)
        return .freed(owner, from: template.validFrom.instant(atMinute: 0, in: .gmt), to: until.instant(atMinute: 0, in: .gmt), at: Date())
    }

    func insertRanges(of template: ScheduleTemplate, on db: any SQLDatabase) async throws {
        for range in template.ranges {
            try await insertRow(OpeningRangeRow(templateID: template.id, range: range), on: db)
            try await replaceLinks(.rangeMotives, parent: range.id, children: range.motiveIDs, on: db)
        }
    }

    public func template(id: UUID) async throws -> ScheduleTemplate? {
        try await database.withConnection { db in
            guard let template = try await findRow(ScheduleTemplate.self, id: id, on: db) else { return nil }
            return try await withRanges([template], on: db).first
        }
    }

    public func templates(departmentID: UUID) async throws -> [ScheduleTemplate] {
        try await database.withConnection { db in
            let templates = try await db.select().column("*").from(ScheduleTemplate.table)
                .where("department_id", .equal, SQLBind(Column.id(departmentID)))
                .where("practitioner_id", .isNot, SQLLiteral.null)
                .orderBy("practitioner_id").orderBy("valid_from")
                .all().map { try ScheduleTemplate(row: $0) }
            return try await withRanges(templates, on: db)
        }
    }

    /// The templates with their ranges (by weekday and start) and each range's motives, in two queries.
    private func withRanges(_ templates: [ScheduleTemplate], on db: any SQLDatabase) async throws -> [ScheduleTemplate] {
        guard !templates.isEmpty else { return [] }
        let rows = try await db.select().column("*").from(OpeningRangeRow.table)
            .where("template_id", .in, SQLGroupExpression(templates.map { SQLBind($0.key) }))
            .orderBy("weekday").orderBy("start_minute")
            .all().map { try OpeningRangeRow(row: $0) }
        let motives = try await links(.rangeMotives, parents: rows.map(\.range.id), on: db)
        var ranges: [UUID: [OpeningRange]] = [:]
        for row in rows {
            var range = row.range
            range.motiveIDs = motives[range.id] ?? []
            ranges[row.templateID, default: []].append(range)
        }
        return templates.map { template in
            var template = template
            template.ranges = ranges[template.id] ?? []
            return template
        }
    }

    public func insert(_ exception: ScheduleException) async throws {
        try await write(exception, isUpdate: false)
    }

    public func update(_ exception: ScheduleException) async throws {
        try await write(exception, isUpdate: true)
    }

    /// An extra opening gives time; an absence changed may give some back (an absence added
    /// takes time away: no event). `at` is the write's wall-clock time, as for templates.
    private func write(_ exception: ScheduleException, isUpdate: Bool) async throws {
        try await database.transaction { db in
            if isUpdate { try await updateRow(exception, on: db) } else { try await insertRow(exception, on: db) }
            try await replaceLinks(.exceptionMotives, parent: exception.id, children: exception.motiveIDs, on: db)
            guard exception.kind == .extraOpening || isUpdate else { return }
            let owner: UUID
            switch exception.owner {
            case .practitioner(let id), .resource(let id): owner = id
            }
            try await addChanges([.freed(owner, from: exception.startsAt, to: exception.endsAt, at: Date())], on: db)
        }
    }

    public func absences(ownerID: UUID, endingAfter from: Date, limit: Int) async throws -> [ScheduleException] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM schedule_exceptions
                WHERE (practitioner_id = \(bind: Column.id(ownerID)) OR resource_id = \(bind: Column.id(ownerID))) AND kind = 'absence' AND ends_at > \(bind: Column.instant(from))
                ORDER BY starts_at LIMIT \(bind: max(1, min(limit, 500)))
                """).all().map { try ScheduleException(row: $0) }
        }
    }

    public func deleteException(id: UUID) async throws -> Bool {
        try await database.transaction { db in
            guard let exception = try await findRow(ScheduleException.self, id: id, on: db) else { return false }
            try await replaceLinks(.exceptionMotives, parent: id, children: [], on: db)
            try await db.raw("DELETE FROM schedule_exceptions WHERE id = \(bind: Column.id(id))").run()
            // An absence lifted gives its time back; an extra opening removed takes it away (no event).
            if exception.kind == .absence {
                let owner: UUID
                switch exception.owner {
                case .practitioner(let id), .resource(let id): owner = id
                }
                try await addChanges([.freed(owner, from: exception.startsAt, to: exception.endsAt, at: Date())], on: db)
            }
            return true
        }
    }

    public func exception(id: UUID) async throws -> ScheduleException? {
        try await database.withConnection { db in
            guard var exception = try await findRow(ScheduleException.self, id: id, on: db) else { return nil }
            exception.motiveIDs = try await links(.exceptionMotives, parents: [id], on: db)[id] ?? []
            return exception
        }
    }
}
