import Foundation

/// Setting up a hospital without a developer: sites and departments (group administrators),
/// practitioners, rooms and equipment, motives and closures (site administrators). Every change is
/// checked by `OrganisationRules`, audited, and moves the agenda versions (database triggers), so
/// every instance offers what it now says at once. Nothing is deleted: taking something out of
/// service keeps its history and its booked appointments, and the answer lists those appointments
/// so that the desk can call the patients.
public struct OrganisationAdmin: Sendable {
    public struct Dependencies: Sendable {
        public var organisation: any OrganisationRepository
        public var practitioners: any PractitionerRepository
        public var scheduling: any SchedulingRepository
        public var administration: any AdministrationRepository
        public var audit: any AuditRepository
        public var clock: Clock
        public var ids: IDGenerator

        public init(organisation: any OrganisationRepository, practitioners: any PractitionerRepository, scheduling: any SchedulingRepository,
                    administration: any AdministrationRepository, audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
            self.organisation = organisation
            self.practitioners = practitioners
            self.scheduling = scheduling
            self.administration = administration
            self.audit = audit
            self.clock = clock
            self.ids = ids
        }
    }

    /// What was saved, and the appointments still booked in what was just taken out of service.
    public struct Saved<Value: Sendable>: Sendable {
        public var value: Value
        public var affected: [Appointment]
    }

    let deps: Dependencies

    public init(_ dependencies: Dependencies) { self.deps = dependencies }

    /// How many affected appointments an answer lists.
    public static let affectedLimit = 200

    // MARK: Reading

    public func sites(for admin: Administrator) async throws -> [Site] {
        try await deps.organisation.sites().filter(admin.administers)
    }

    public func site(_ id: UUID, for admin: Administrator) async throws -> Site {
        guard let site = try await deps.organisation.site(id: id), admin.administers(site) else { throw AdminError.notFound("No site of yours has this id.") }
        return site
    }

    public func department(_ id: UUID, for admin: Administrator) async throws -> (Department, Site) {
        guard let department = try await deps.organisation.department(id: id) else { throw AdminError.notFound("No department of yours has this id.") }
        return (department, try await site(department.siteID, for: admin))
    }

    // MARK: Sites and departments

    public func save(_ site: Site, isNew: Bool, by admin: Administrator) async throws -> Saved<Site> {
        guard admin.administersGroup(site.groupID) || (!isNew && admin.administers(site)) else {
            throw AdminError.forbidden("Sites are created by the group's administrators.")
        }
        if let problem = OrganisationRules.problem(with: site) { throw AdminError.refused(problem) }
        let before = isNew ? nil : try await self.site(site.id, for: admin)
        if let before, before.groupID != site.groupID { throw AdminError.forbidden("A site stays in its group.") }
        try await write(isNew, slugField: "slug") { isNew ? try await deps.organisation.insert(site) : try await deps.organisation.update(site) }
        try await audit("save_site", "site", site.id, by: admin)
        return Saved(value: site, affected: try await affected(.site(site.id), wasActive: before?.isActive, isActive: site.isActive))
    }

    public func save(_ department: Department, isNew: Bool, by admin: Administrator) async throws -> Saved<Department> {
        let site = try await self.site(department.siteID, for: admin)
        if isNew && !admin.administersGroup(site.groupID) { throw AdminError.forbidden("Departments are created by the group's administrators.") }
        if let problem = OrganisationRules.problem(with: department) { throw AdminError.refused(problem) }
        var before: Department?
        if !isNew {
            let (found, _) = try await self.department(department.id, for: admin)
            guard found.siteID == department.siteID else { throw AdminError.forbidden("A department stays in its site.") }
            before = found
        }
        try await write(isNew, slugField: "name") { isNew ? try await deps.organisation.insert(department) : try await deps.organisation.update(department) }
        try await audit("save_department", "department", department.id, by: admin)
        return Saved(value: department, affected: try await affected(.department(department.id), wasActive: before?.isActive, isActive: department.isActive))
    }

    // MARK: Practitioners, rooms, motives, closures

    public func practitioners(of siteID: UUID, for admin: Administrator) async throws -> [(practitioner: Practitioner, departmentIDs: [UUID])] {
        _ = try await site(siteID, for: admin)
        return try await deps.administration.practitioners(siteID: siteID)
    }

    public func resources(of siteID: UUID, for admin: Administrator) async throws -> [Resource] {
        _ = try await site(siteID, for: admin)
        return try await deps.administration.resources(siteID: siteID)
    }

    /// `departments`: the departments of `siteID` they work in.
    public func save(_ practitioner: Practitioner, isNew: Bool, departments: [UUID], siteID: UUID, by admin: Administrator) async throws -> Saved<Practitioner> {
        let site = try await self.site(siteID, for: admin)
        let own = Set(try await deps.organisation.departments(siteID: site.id).map(\.id))
        guard departments.allSatisfy(own.contains) else { throw AdminError.refused(.init("departments", "departments", "Choose departments of this site.")) }
        if let problem = OrganisationRules.problem(with: practitioner, departments: departments) { throw AdminError.refused(problem) }
        var before: Practitioner?
        if !isNew {
            before = try await deps.practitioners.practitioner(id: practitioner.id)
            let works = try await deps.administration.practitioners(siteID: siteID).contains { $0.practitioner.id == practitioner.id }
            guard before != nil, works else { throw AdminError.notFound("No practitioner of this site has this id.") }
        }
        // No form edits skills (they come from the seed or a future directory import): an edit keeps them.
        var practitioner = practitioner
        if let before { practitioner.skills = before.skills }
        try await write(isNew, slugField: "rpps") { [practitioner] in
            try await deps.administration.save(practitioner, isNew: isNew, departments: departments, siteID: siteID)
        }
        try await audit("save_practitioner", "practitioner", practitioner.id, by: admin)
        return Saved(value: practitioner, affected: try await affected(.practitioner(practitioner.id), wasActive: before?.isActive, isActive: practitioner.isActive))
    }

    public func save(_ resource: Resource, isNew: Bool, by admin: Administrator) async throws -> Saved<Resource> {
        _ = try await site(resource.siteID, for: admin)
        if let departmentID = resource.departmentID {
            let (department, _) = try await self.department(departmentID, for: admin)
            guard department.siteID == resource.siteID else { throw AdminError.refused(.init("department", "departments", "Choose a department of this site.")) }
        }
        if let problem = OrganisationRules.problem(with: resource) { throw AdminError.refused(problem) }
        var before: Resource?
        if !isNew {
            before = try await deps.practitioners.resource(id: resource.id)
            guard let before, before.siteID == resource.siteID else { throw AdminError.notFound("No room or equipment of this site has this id.") }
        }
        try await write(isNew, slugField: "name") { isNew ? try await deps.practitioners.insert(resource) : try await deps.practitioners.update(resource) }
        try await audit("save_resource", "resource", resource.id, by: admin)
        return Saved(value: resource, affected: try await affected(.resource(resource.id), wasActive: before?.isActive, isActive: resource.isActive))
    }

    /// A room or machine of the administrator's sites.
    public func resource(_ id: UUID, for admin: Administrator) async throws -> Resource {
        guard let resource = try await deps.practitioners.resource(id: id), let site = try await deps.organisation.site(id: resource.siteID),
              admin.administers(site) else { throw AdminError.notFound("No room or equipment of yours has this id.") }
        return resource
    }

    public func hours(of resourceID: UUID, for admin: Administrator) async throws -> ScheduleTemplate? {
        _ = try await resource(resourceID, for: admin)
        return try await deps.administration.hours(resourceID: resourceID)
    }

    /// A room's or machine's own weekly hours: ranges (weekday, start, end) in which it can be
    /// booked, on the 5-minute grid and not overlapping; none means it follows its practitioners.
    /// Appointments already booked outside the new hours stay.
    public func setHours(_ ranges: [(weekday: Int, start: Int, end: Int)], resourceID: UUID, by admin: Administrator) async throws -> ScheduleTemplate? {
        let resource = try await self.resource(resourceID, for: admin)
        let site = try await self.site(resource.siteID, for: admin)
        guard !ranges.isEmpty else {
            try await deps.administration.setHours(resourceID: resource.id, nil)
            try await audit("set_resource_hours", "resource", resource.id, by: admin)
            return nil
        }
        guard let departmentID = resource.departmentID else {
            throw AdminError.refused(.init("hours", "hours_department", "Attach the room to a department before giving it hours."))
        }
        let today = LocalDate(deps.clock.now(), in: TimeZone(identifier: site.timeZone) ?? Site.defaultZone)
        let template = ScheduleTemplate(
            id: try await deps.administration.hours(resourceID: resource.id)?.id ?? deps.ids.next(), owner: .resource(resource.id),
            departmentID: departmentID, validFrom: today.adding(days: -1),
            ranges: ranges.map { OpeningRange(id: deps.ids.next(), weekday: $0.weekday, startMinute: $0.start, endMinute: $0.end, motiveIDs: [], channels: .all) })
        if let finding = TemplateRules.finding(in: template, departmentMotives: []) {
            throw AdminError.refused(.init("hours", "hours", finding.problem.message))
        }
        try await deps.administration.setHours(resourceID: resource.id, template)
        try await audit("set_resource_hours", "resource", resource.id, by: admin)
        return template
    }

    /// A new motive of the department, checked like an edited one.
    public func create(_ motive: Motive, by admin: Administrator) async throws -> Motive {
        _ = try await department(motive.departmentID, for: admin)
        if let problem = MotiveRules.problem(with: motive) {
            throw AdminError.refused(.init("motive", problem.rawValue, problem.message))
        }
        try await write(true, slugField: "name") { try await deps.scheduling.insert(motive) }
        try await audit("create_motive", "motive", motive.id, by: admin)
        return motive
    }

    /// Out of the offer (or back in it); booked appointments stay, and are listed.
    public func setMotive(_ id: UUID, active: Bool, by admin: Administrator) async throws -> Saved<Motive> {
        guard var motive = try await deps.scheduling.motive(id: id) else { throw AdminError.notFound("No motive of yours has this id.") }
        _ = try await department(motive.departmentID, for: admin)
        let wasActive = motive.isActive
        motive.isActive = active
        try await deps.scheduling.update(motive)
        try await audit(active ? "restore_motive" : "archive_motive", "motive", motive.id, by: admin)
        return Saved(value: motive, affected: try await affected(.motive(id), wasActive: wasActive, isActive: active))
    }

    public func addClosure(_ closure: PublicHoliday, by admin: Administrator) async throws {
        let site = try await self.site(closure.siteID, for: admin)
        let today = LocalDate(deps.clock.now(), in: TimeZone(identifier: site.timeZone) ?? Site.defaultZone)
        if let problem = OrganisationRules.problem(with: closure, today: today) { throw AdminError.refused(problem) }
        do {
            try await deps.organisation.insert(closure)
        } catch RepositoryError.duplicate {
            throw AdminError.refused(.init("date", "closure_exists", "The site is already closed that day."))
        }
        try await audit("add_closure", "site", site.id, by: admin)
    }

    public func removeClosure(siteID: UUID, date: LocalDate, by admin: Administrator) async throws {
        _ = try await site(siteID, for: admin)
        guard try await deps.administration.removeClosure(siteID: siteID, date: date) else { throw AdminError.notFound("The site is not closed that day.") }
        try await audit("remove_closure", "site", siteID, by: admin)
    }

    // MARK: Helpers

    /// The booked appointments a change from active to inactive leaves behind.
    func affected(_ scope: ServiceScope, wasActive: Bool?, isActive: Bool) async throws -> [Appointment] {
        guard wasActive == true, !isActive else { return [] }
        return try await deps.administration.upcomingAppointments(scope, after: deps.clock.now(), limit: Self.affectedLimit)
    }

    /// Runs a write, turning a unique-key clash into a refusal naming the field.
    func write(_ isNew: Bool, slugField: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch RepositoryError.duplicate {
            throw AdminError.refused(.init(slugField, "taken", "Another record already uses this \(slugField)."))
        } catch RepositoryError.notFound {
            throw AdminError.notFound("This record does not exist.")
        }
    }

    func audit(_ action: String, _ kind: String, _ id: UUID, by admin: Administrator) async throws {
        try await deps.audit.append(AccessAuditEntry(
            id: deps.ids.next(), at: deps.clock.now(), actorAccountID: admin.accountID, action: "admin:" + action, patientID: nil,
            target: "\(kind):\(id.uuidString.lowercased())", outcome: .allowed))
    }
}
