import CreneauDomain
import Foundation
import SQLKit

/// The site-level facts availability needs: each department's site (time zone),
/// the sites' holidays, and the rooms' capacities.
struct AgendaCalendar: Sendable {
    var siteOfDepartment: [UUID: Site] = [:]
    /// Closures entered by administrators, per site (public holidays are computed from the site's calendar).
    var closures: [UUID: Set<LocalDate>] = [:]
    var capacities: [UUID: Int] = [:]

    /// Puts together the snapshots of `requests` from loaded parts.
    func snapshots(
        _ requests: [(practitionerID: UUID, motive: Motive)], practitioners: [UUID: ResourceAgenda], resources: [UUID: ResourceAgenda]
    ) throws -> [UUID: AgendaSnapshot] {
        var result: [UUID: AgendaSnapshot] = [:]
        for (practitionerID, motive) in requests {
            guard let site = siteOfDepartment[motive.departmentID] else { continue }
            guard let timeZone = TimeZone(identifier: site.timeZone) else { throw CorruptRow(column: "sites.time_zone", value: site.timeZone) }
            var needed: [UUID: ResourceAgenda] = [:]
            for id in motive.requiredResourceIDs {
                guard let capacity = capacities[id] else { continue }
                var agenda = resources[id] ?? ResourceAgenda(templates: [])
                agenda.capacity = capacity
                needed[id] = agenda
            }
            result[practitionerID] = AgendaSnapshot(
                timeZone: timeZone, holidays: ClosedDays(calendar: site.holidayCalendar, closures: closures[site.id] ?? []),
                practitioner: practitioners[practitionerID] ?? ResourceAgenda(templates: []), resources: needed)
        }
        return result
    }
}

extension SQLStore: AvailabilityRepository {
    public func agendas(_ requests: [(practitionerID: UUID, motive: Motive)], from: Date, to: Date) async throws -> [UUID: AgendaSnapshot] {
        guard !requests.isEmpty else { return [:] }
        // Occupations that start the day before or end the day after still block through their buffers.
        let wideFrom = Column.instant(from.addingTimeInterval(-86_400)), wideTo = Column.instant(to.addingTimeInterval(86_400))
        let practitionerIDs = Set(requests.map(\.practitionerID))
        let resourceIDs = Set(requests.flatMap(\.motive.requiredResourceIDs))
        let departmentIDs = Set(requests.map(\.motive.departmentID))
        return try await database.withConnection { db in
            let calendar = try await agendaCalendar(departmentIDs: departmentIDs, resourceIDs: resourceIDs, on: db)
            let practitioners = try await agendaParts(owner: "practitioner_id", ids: practitionerIDs, wideFrom: wideFrom, wideTo: wideTo, on: db)
            let resources = try await agendaParts(owner: "resource_id", ids: resourceIDs, wideFrom: wideFrom, wideTo: wideTo, on: db)
            return try calendar.snapshots(requests, practitioners: practitioners, resources: resources)
        }
    }

    /// The calendar of the given departments and resources; nil sets mean all of them.
    func agendaCalendar(departmentIDs: Set<UUID>?, resourceIDs: Set<UUID>?, on db: any SQLDatabase) async throws -> AgendaCalendar {
        var calendar = AgendaCalendar()
        let departmentFilter: SQLQueryString = departmentIDs.map { "WHERE d.id IN \(idList($0))" } ?? ""
        if departmentIDs?.isEmpty != true {
            for row in try await db.raw("SELECT d.id AS department_id, s.* FROM departments d JOIN sites s ON s.id = d.site_id \(departmentFilter)").all() {
                calendar.siteOfDepartment[try row.uuid("department_id")] = try Site(row: row)
            }
        }
        let siteIDs = Set(calendar.siteOfDepartment.values.map(\.id))
        if !siteIDs.isEmpty {
            for row in try await db.raw("SELECT site_id, day FROM public_holidays WHERE site_id IN \(idList(siteIDs))").all() {
                calendar.closures[try row.uuid("site_id"), default: []].insert(try row.day("day"))
            }
        }
        if resourceIDs?.isEmpty != true {
            // A room out of service is absent: the engine then offers nothing that needs it.
            let resourceFilter: SQLQueryString = resourceIDs.map { "AND id IN \(idList($0))" } ?? ""
            for row in try await db.raw("SELECT id, capacity FROM resources WHERE is_active = \(bind: true) \(resourceFilter)").all() {
                calendar.capacities[try row.uuid("id")] = try row.int("capacity")
            }
        }
        return calendar
    }

    /// Templates, exceptions and occupations of practitioners (`owner` = "practitioner_id") or resources ("resource_id").
    func agendaParts(owner: String, ids: Set<UUID>, wideFrom: Int64, wideTo: Int64, on db: any SQLDatabase) async throws -> [UUID: ResourceAgenda] {
        guard !ids.isEmpty else { return [:] }
        var agendas: [UUID: ResourceAgenda] = [:]
        func key(_ row: any SQLRow) throws -> UUID { try row.uuid(owner) }

        let templates = try await db.select().column("*").from(ScheduleTemplate.table)
            .where(SQLIdentifier(owner), .in, idList(ids)).all()
            .map { (try key($0), try ScheduleTemplate(row: $0)) }
        let ranges = templates.isEmpty ? [] : try await db.select().column("*").from(OpeningRangeRow.table)
            .where("template_id", .in, idList(templates.map(\.1.id))).orderBy("start_minute").all()
            .map { try OpeningRangeRow(row: $0) }
        let rangeMotives = try await links(.rangeMotives, parents: ranges.map(\.range.id), on: db)
        var rangesByTemplate: [UUID: [OpeningRange]] = [:]
        for row in ranges {
            var range = row.range
            range.motiveIDs = rangeMotives[range.id] ?? []
            rangesByTemplate[row.templateID, default: []].append(range)
        }
        for (ownerID, template) in templates {
            var template = template
            template.ranges = rangesByTemplate[template.id] ?? []
            agendas[ownerID, default: ResourceAgenda(templates: [])].templates.append(template)
        }

        let exceptions = try await db.select().column("*").from(ScheduleException.table)
            .where(SQLIdentifier(owner), .in, idList(ids))
            .where("starts_at", .lessThan, SQLBind(wideTo)).where("ends_at", .greaterThan, SQLBind(wideFrom))
            .all().map { (try key($0), try ScheduleException(row: $0)) }
        let exceptionMotives = try await links(.exceptionMotives, parents: exceptions.map(\.1.id), on: db)
        for (ownerID, exception) in exceptions {
            var exception = exception
            exception.motiveIDs = exceptionMotives[exception.id] ?? []
            agendas[ownerID, default: ResourceAgenda(templates: [])].exceptions.append(exception)
        }

        for (ownerID, occupations) in try await occupations(owner: owner, ids: ids, wideFrom: wideFrom, wideTo: wideTo, on: db) {
            agendas[ownerID, default: ResourceAgenda(templates: [])].occupations = occupations
        }
        return agendas
    }

    /// Live appointments and holds of practitioners or resources, widened by their motive's buffers.
    func occupations(owner: String, ids: Set<UUID>, wideFrom: Int64, wideTo: Int64, on db: any SQLDatabase) async throws -> [UUID: [Occupation]] {
        guard !ids.isEmpty else { return [:] }
        var result: [UUID: [Occupation]] = [:]
        let occupations: SQLQueryString = owner == "practitioner_id"
            ? """
              SELECT a.id AS holder, a.practitioner_id AS owner, a.motive_id, a.starts_at, a.ends_at, NULL AS expires_at,
                  m.buffer_before_minutes, m.buffer_after_minutes
              FROM appointments a JOIN motives m ON m.id = a.motive_id
              WHERE a.practitioner_id IN \(idList(ids)) AND a.status <> 'cancelled' AND a.starts_at < \(bind: wideTo) AND a.ends_at > \(bind: wideFrom)
              UNION ALL
              SELECT h.id AS holder, h.practitioner_id AS owner, h.motive_id, h.starts_at, h.ends_at, h.expires_at,
                  m.buffer_before_minutes, m.buffer_after_minutes
              FROM holds h JOIN motives m ON m.id = h.motive_id
              WHERE h.practitioner_id IN \(idList(ids)) AND h.starts_at < \(bind: wideTo) AND h.ends_at > \(bind: wideFrom)
              """
            : """
              SELECT a.id AS holder, ar.resource_id AS owner, a.motive_id, a.starts_at, a.ends_at, NULL AS expires_at,
                  m.buffer_before_minutes, m.buffer_after_minutes
              FROM appointment_resources ar JOIN appointments a ON a.id = ar.appointment_id JOIN motives m ON m.id = a.motive_id
              WHERE ar.resource_id IN \(idList(ids)) AND a.status <> 'cancelled' AND a.starts_at < \(bind: wideTo) AND a.ends_at > \(bind: wideFrom)
              UNION ALL
              SELECT h.id AS holder, mr.resource_id AS owner, h.motive_id, h.starts_at, h.ends_at, h.expires_at,
                  m.buffer_before_minutes, m.buffer_after_minutes
              FROM holds h JOIN motive_resources mr ON mr.motive_id = h.motive_id JOIN motives m ON m.id = h.motive_id
              WHERE mr.resource_id IN \(idList(ids)) AND h.starts_at < \(bind: wideTo) AND h.ends_at > \(bind: wideFrom)
              """
        // One owner (a booking's check, one agenda): no need to read whose each row is.
        let only = ids.count == 1 ? ids.first : nil
        for row in try await db.raw(occupations).all() {
            let start = try row.instant("starts_at"), end = try row.instant("ends_at")
            let before = TimeInterval(try row.int("buffer_before_minutes") * 60), after = TimeInterval(try row.int("buffer_after_minutes") * 60)
            result[try only ?? row.uuid("owner"), default: []].append(Occupation(
                interval: Interval(start: start.addingTimeInterval(-before), end: end.addingTimeInterval(after)),
                motiveID: try row.uuid("motive_id"), start: start, holderID: try row.uuid("holder"),
                expiresAt: try row.optionalInstant("expires_at")))
        }
        return result
    }
}
