import CreneauDomain
import Foundation
import SQLKit

/// `IN (…)` over ids.
func idList(_ ids: some Collection<UUID>) -> SQLGroupExpression {
    SQLGroupExpression(ids.map { SQLBind(Column.id($0)) })
}

extension SQLStore: DirectoryRepository {
    public func practitionersInService() async throws -> [PractitionerProfile] {
        try await searchPractitioners(query: nil, specialty: nil, siteID: nil, limit: Int(Int32.max))
    }

    public func searchPractitioners(query: String?, specialty: String?, siteID: UUID?, limit: Int) async throws -> [PractitionerProfile] {
        let words = DirectorySearch.words(query)
        let practitioners = try await database.withConnection { db in
            var select = db.select().distinct().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("p")))
                .from(SQLAlias(SQLIdentifier(Practitioner.table), as: SQLIdentifier("p")))
                .join(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")), on: SQLColumn("practitioner_id", table: "m"), .equal, SQLColumn("id", table: "p"))
                .join(SQLAlias(SQLIdentifier("departments"), as: SQLIdentifier("d")), on: SQLColumn("id", table: "d"), .equal, SQLColumn("department_id", table: "m"))
            // Out of service practitioners and departments are not offered (their history stays).
            select = select.where(SQLColumn("is_active", table: "p"), .equal, SQLBind(true)).where(SQLColumn("is_active", table: "d"), .equal, SQLBind(true))
            if let specialty { select = select.where(SQLColumn("specialty", table: "d"), .equal, SQLBind(specialty)) }
            if let siteID { select = select.where(SQLColumn("site_id", table: "d"), .equal, SQLBind(Column.id(siteID))) }
            select = select.orderBy(SQLColumn("last_name", table: "p")).orderBy(SQLColumn("first_name", table: "p")).orderBy(SQLColumn("id", table: "p"))
            // Words may match departments, sites and motives as well as names: ranked below, in Swift, as the cache does.
            if words.isEmpty { select = select.limit(max(1, limit)) }
            return try await select.all().map { try Practitioner(row: $0) }
        }
        let profiles = try await profiles(practitioners)
        guard !words.isEmpty else { return profiles }
        let motiveNames = try await motiveNamesByDepartment()
        return DirectorySearch.rank(
            profiles, words: words, name: { $0.practitioner.searchName },
            text: { DirectorySearch.text(of: $0, motiveNames: $0.departments.flatMap { motiveNames[$0.id] ?? [] }) }, limit: limit)
    }

    /// The names of each department's active motives, for the search box.
    func motiveNamesByDepartment() async throws -> [UUID: [String]] {
        try await database.withConnection { db in
            var names: [UUID: [String]] = [:]
            for row in try await db.raw("SELECT department_id, name FROM motives WHERE is_active = \(bind: true) ORDER BY name").all() {
                names[try row.uuid("department_id"), default: []].append(try row.string("name"))
            }
            return names
        }
    }

    public func practitionerProfile(id: UUID) async throws -> PractitionerProfile? {
        guard let practitioner = try await findRow(Practitioner.self, id: id) else { return nil }
        return try await profiles([practitioner]).first
    }

    private func profiles(_ practitioners: [Practitioner]) async throws -> [PractitionerProfile] {
        guard !practitioners.isEmpty else { return [] }
        return try await database.withConnection { db in
            let rows = try await db.select()
                .column(SQLColumn("practitioner_id", table: "m"), as: "pid")
                .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("d")))
                .from(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")))
                .join(SQLAlias(SQLIdentifier("departments"), as: SQLIdentifier("d")), on: SQLColumn("id", table: "d"), .equal, SQLColumn("department_id", table: "m"))
                .where(SQLColumn("practitioner_id", table: "m"), .in, idList(practitioners.map(\.id)))
                .orderBy(SQLColumn("name", table: "d"))
                .all()
            var departments: [UUID: [Department]] = [:]
            for row in rows { departments[try row.uuid("pid"), default: []].append(try Department(row: row)) }
            let siteIDs = Set(departments.values.flatMap { $0.map(\.siteID) })
            let sites = siteIDs.isEmpty ? [] : try await db.select().column("*").from(Site.table).where("id", .in, idList(siteIDs))
                .all().map { try Site(row: $0) }
            let sitesByID = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, $0) })
            return practitioners.map { practitioner in
                let own = departments[practitioner.id] ?? []
                var seen = Set<UUID>()
                let ownSites = own.compactMap { seen.insert($0.siteID).inserted ? sitesByID[$0.siteID] : nil }
                return PractitionerProfile(practitioner: practitioner, departments: own, sites: ownSites)
            }
        }
    }

    public func bookableMotives(practitionerIDs: [UUID], on day: LocalDate) async throws -> [UUID: [Motive]] {
        guard !practitionerIDs.isEmpty else { return [:] }
        return try await database.withConnection { db in
            // Motives named by current opening ranges, and whole departments for ranges that name none.
            var named: [UUID: Set<UUID>] = [:], whole: [UUID: Set<UUID>] = [:]
            for row in try await db.raw("""
                SELECT DISTINCT t.practitioner_id AS pid, rm.motive_id AS id FROM schedule_templates t
                JOIN opening_ranges r ON r.template_id = t.id
                JOIN opening_range_motives rm ON rm.range_id = r.id
                WHERE t.practitioner_id IN \(idList(practitionerIDs)) AND (t.valid_until IS NULL OR t.valid_until >= \(bind: day.description))
                """).all() {
                named[try row.uuid("pid"), default: []].insert(try row.uuid("id"))
            }
            for row in try await db.raw("""
                SELECT DISTINCT t.practitioner_id AS pid, t.department_id AS id FROM schedule_templates t
                JOIN opening_ranges r ON r.template_id = t.id
                WHERE t.practitioner_id IN \(idList(practitionerIDs)) AND (t.valid_until IS NULL OR t.valid_until >= \(bind: day.description))
                  AND NOT EXISTS (SELECT 1 FROM opening_range_motives rm WHERE rm.range_id = r.id)
                """).all() {
                whole[try row.uuid("pid"), default: []].insert(try row.uuid("id"))
            }
            let motiveIDs = Set(named.values.joined()), departmentIDs = Set(whole.values.joined())
            guard !motiveIDs.isEmpty || !departmentIDs.isEmpty else { return [:] }
            var select = db.select().column("*").from(Motive.table).where("is_active", .equal, SQLBind(true))
            select = select.where { group in
                var group = group
                if !motiveIDs.isEmpty { group = group.orWhere("id", .in, idList(motiveIDs)) }
                if !departmentIDs.isEmpty { group = group.orWhere("department_id", .in, idList(departmentIDs)) }
                return group
            }
            var motives = try await select.orderBy("name").orderBy("id").all().map { try Motive(row: $0) }
            // As each department offers them: online off while the department's online booking is.
            let departments = motives.isEmpty ? [] : try await db.select().column("*").from(Department.table)
                .where("id", .in, idList(Set(motives.map(\.departmentID)))).all().map { try Department(row: $0) }
            let departmentsByID = Dictionary(uniqueKeysWithValues: departments.map { ($0.id, $0) })
            motives = motives.compactMap { motive in departmentsByID[motive.departmentID].map { motive.offered(in: $0) } }.filter(\.isActive)
            let resources = try await links(.motiveResources, parents: motives.map(\.id), on: db)
            for index in motives.indices { motives[index].requiredResourceIDs = resources[motives[index].id] ?? [] }
            var result: [UUID: [Motive]] = [:]
            for id in practitionerIDs {
                let own = motives.filter { named[id]?.contains($0.id) == true || whole[id]?.contains($0.departmentID) == true }
                if !own.isEmpty { result[id] = own }
            }
            return result
        }
    }

    public func site(reference: String) async throws -> Site? {
        if let id = UUID(uuidString: reference) { return try await findRow(Site.self, id: id) }
        return try await listRows(Site.self, where: "slug", equals: reference.lowercased()).first
    }
}
