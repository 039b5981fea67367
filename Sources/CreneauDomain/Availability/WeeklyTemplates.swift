import Foundation

/// Site administrators keep their practitioners' weekly templates: which ranges open on
/// which weekday, to which motives and channels, and when held-back ranges open to more
/// channels. Before saving they preview the week it gives (`TemplatePreview`). A saved
/// template moves the agenda versions (database triggers), so every instance offers the
/// new slots at once; booked appointments stay where they are (the preview lists those
/// that would start outside every opening, for the secretaries to call).
public struct WeeklyTemplates: Sendable {
    let organisation: any OrganisationRepository
    let directory: any DirectoryRepository
    let scheduling: any SchedulingRepository
    let availability: any AvailabilityRepository
    public let clock: Clock
    let ids: IDGenerator

    public init(
        organisation: any OrganisationRepository, directory: any DirectoryRepository, scheduling: any SchedulingRepository,
        availability: any AvailabilityRepository, clock: Clock, ids: IDGenerator
    ) {
        self.organisation = organisation
        self.directory = directory
        self.scheduling = scheduling
        self.availability = availability
        self.clock = clock
        self.ids = ids
    }

    /// A template being edited, with what the form needs around it.
    public struct Draft: Sendable {
        public var template: ScheduleTemplate
        public let practitioner: Practitioner
        public let department: Department
        public let timeZone: TimeZone
        /// The department's motives, by name: those a range may accept.
        public let motives: [Motive]
        /// Not stored yet.
        public let isNew: Bool
    }

    /// One practitioner of a department and their templates there.
    public struct Row: Sendable {
        public let practitioner: Practitioner
        public let templates: [ScheduleTemplate]
    }

    public enum Failure: Error, Equatable, Sendable {
        case invalid(TemplateRules.Finding)
    }

    /// The department, when this booker serves it.
    public func department(_ id: UUID, by booker: Booker) async throws -> (Department, TimeZone) {
        guard booker.isStaff, booker.serves(id), let found = try await organisation.departmentAndZone(id: id) else {
            throw BookingError.notFound("No department of yours has this id.")
        }
        return found
    }

    /// Every practitioner of the department (by last name), each with their templates there.
    public func list(departmentID: UUID, by booker: Booker) async throws -> (Department, [Row]) {
        let (department, _) = try await department(departmentID, by: booker)
        let members = try await directory.members(of: department).map(\.practitioner)
        let templates = Dictionary(grouping: try await scheduling.templates(departmentID: departmentID)) { template -> UUID? in
            if case .practitioner(let id) = template.owner { return id }
            return nil
        }
        return (department, members.map { Row(practitioner: $0, templates: templates[$0.id] ?? []) })
    }

    /// A stored template of a practitioner in one of this booker's departments.
    public func draft(templateID: UUID, by booker: Booker) async throws -> Draft {
        guard let template = try await scheduling.template(id: templateID), case .practitioner(let practitionerID) = template.owner,
              booker.isStaff, booker.serves(template.departmentID) else {
            throw BookingError.notFound("No weekly template of your departments has this id.")
        }
        return try await draft(template, practitionerID: practitionerID, isNew: false, by: booker)
    }

    /// A new, empty template for a practitioner of the department, valid from today.
    public func newDraft(practitionerID: UUID, departmentID: UUID, by booker: Booker) async throws -> Draft {
        let (_, zone) = try await department(departmentID, by: booker)
        let template = ScheduleTemplate(
            id: ids.next(), owner: .practitioner(practitionerID), departmentID: departmentID, validFrom: LocalDate(clock.now(), in: zone), ranges: [])
        return try await draft(template, practitionerID: practitionerID, isNew: true, by: booker)
    }

    func draft(_ template: ScheduleTemplate, practitionerID: UUID, isNew: Bool, by booker: Booker) async throws -> Draft {
        let (department, zone) = try await department(template.departmentID, by: booker)
        guard let profile = try await directory.practitionerProfile(id: practitionerID), profile.departments.contains(where: { $0.id == department.id }) else {
            throw BookingError.notFound("No practitioner of this department has this id.")
        }
        let motives = try await scheduling.motives(departmentID: department.id).sorted { SearchText.fold($0.name) < SearchText.fold($1.name) }
        return Draft(template: template, practitioner: profile.practitioner, department: department, timeZone: zone, motives: motives, isNew: isNew)
    }

    /// The Monday of the week holding `day`, or of next week when nil.
    public func week(holding day: LocalDate?, in zone: TimeZone) -> LocalDate {
        let day = day ?? LocalDate(clock.now(), in: zone).adding(days: 7)
        return day.adding(days: 1 - day.isoWeekday)
    }

    /// The week the draft's template would give, on the practitioner's real agenda, as of now.
    public func preview(_ draft: Draft, week monday: LocalDate) async throws -> TemplatePreview {
        let from = monday.instant(atMinute: 0, in: draft.timeZone), to = monday.adding(days: 7).instant(atMinute: 0, in: draft.timeZone)
        var snapshots: [UUID: AgendaSnapshot] = [:]
        for motive in draft.motives where motive.isActive {
            snapshots[motive.id] = try await availability.agendas([(practitionerID: draft.practitioner.id, motive: motive)], from: from, to: to)[draft.practitioner.id]
        }
        return TemplatePreview(template: draft.template, week: monday, motives: draft.motives, snapshots: snapshots, now: clock.now())
    }

    /// Checks the draft's template against `TemplateRules`, then stores it (ranges replaced atomically).
    public func save(_ draft: Draft) async throws {
        if let finding = TemplateRules.finding(in: draft.template, departmentMotives: draft.motives) { throw Failure.invalid(finding) }
        if draft.isNew {
            try await scheduling.insert(draft.template)
        } else {
            try await scheduling.update(draft.template)
        }
    }
}
