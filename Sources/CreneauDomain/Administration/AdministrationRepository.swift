import Foundation

/// What is taken out of service, to find the appointments still booked in it.
public enum ServiceScope: Hashable, Sendable {
    case site(UUID)
    case department(UUID)
    case practitioner(UUID)
    case resource(UUID)
    case motive(UUID)
}

/// The administrators' reads and writes that the booking side never needs.
public protocol AdministrationRepository: Sendable {
    func resources(siteID: UUID) async throws -> [Resource]
    /// Everyone who works in a department of the site, out of service included, with those departments.
    func practitioners(siteID: UUID) async throws -> [(practitioner: Practitioner, departmentIDs: [UUID])]
    /// Inserts or updates the practitioner and sets the departments of `siteID` they work in
    /// (their departments at other sites stay), in one transaction.
    func save(_ practitioner: Practitioner, isNew: Bool, departments: [UUID], siteID: UUID) async throws
    /// The weekly hours of a room or machine (its current template), if it has any.
    func hours(resourceID: UUID) async throws -> ScheduleTemplate?
    /// Replaces the room's hours with `template` (nil: none, open whenever its practitioners are).
    func setHours(resourceID: UUID, _ template: ScheduleTemplate?) async throws
    /// False when there was no such closure.
    func removeClosure(siteID: UUID, date: LocalDate) async throws -> Bool
    /// Appointments still booked (or arrived) from `after` on, in what `scope` names, soonest first.
    func upcomingAppointments(_ scope: ServiceScope, after: Date, limit: Int) async throws -> [Appointment]
}

/// Why an administrator's change is refused, mapped to a response in one place.
public enum AdminError: Error, Hashable, Sendable {
    /// 422: a value breaks a rule; the problem names the field.
    case refused(OrganisationRules.Problem)
    /// 404: nothing of theirs has this id.
    case notFound(String)
    /// 403: not theirs to change.
    case forbidden(String)
}
