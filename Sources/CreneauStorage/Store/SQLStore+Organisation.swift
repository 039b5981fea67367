import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: OrganisationRepository {
    public func insert(_ group: HospitalGroup) async throws { try await insertRow(group) }
    public func update(_ group: HospitalGroup) async throws { try await updateRow(group) }
    public func group(id: UUID) async throws -> HospitalGroup? { try await findRow(HospitalGroup.self, id: id) }

    public func insert(_ site: Site) async throws { try await insertRow(site) }
    public func update(_ site: Site) async throws { try await updateRow(site) }
    public func site(id: UUID) async throws -> Site? { try await findRow(Site.self, id: id) }
    /// Every hospital group, by name (an installation has one, or a few).
    public func groups() async throws -> [HospitalGroup] {
        try await database.withConnection { db in
            try await db.select().column("*").from(HospitalGroup.table).orderBy("name").all().map { try HospitalGroup(row: $0) }
        }
    }

    public func sites() async throws -> [Site] {
        try await database.withConnection { db in
            try await db.select().column("*").from(Site.table).orderBy("name").all().map { try Site(row: $0) }
        }
    }

    public func insert(_ department: Department) async throws { try await insertRow(department) }
    public func update(_ department: Department) async throws { try await updateRow(department) }
    public func department(id: UUID) async throws -> Department? { try await findRow(Department.self, id: id) }
    public func departments(siteID: UUID) async throws -> [Department] {
        try await listRows(Department.self, where: "site_id", equals: Column.id(siteID), orderBy: ["name"])
    }

    /// Every site by name with its departments by name: two queries, whatever the number of sites.
    public func siteDepartments() async throws -> [SiteDepartments] {
        let sites = try await sites()
        let departments = try await database.withConnection { db in
            try await db.select().column("*").from(Department.table).orderBy("name").all().map { try Department(row: $0) }
        }
        let bySite = Dictionary(grouping: departments, by: \.siteID)
        return sites.map { SiteDepartments(site: $0, departments: bySite[$0.id] ?? []) }
    }

    public func insert(_ holiday: PublicHoliday) async throws { try await insertRow(holiday) }
    public func holidays(siteID: UUID) async throws -> [PublicHoliday] {
        try await listRows(PublicHoliday.self, where: "site_id", equals: Column.id(siteID), orderBy: ["day"])
    }
}
