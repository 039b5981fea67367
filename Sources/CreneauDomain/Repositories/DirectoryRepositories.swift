import Foundation

/// A practitioner with where they work, as search results show them.
public struct PractitionerProfile: Hashable, Sendable {
    public var practitioner: Practitioner
    public var departments: [Department]
    public var sites: [Site]

    public init(practitioner: Practitioner, departments: [Department], sites: [Site]) {
        self.practitioner = practitioner
        self.departments = departments
        self.sites = sites
    }
}

/// The read side patients and staff search.
public protocol DirectoryRepository: Sendable {
    /// Practitioners whose name matches every word of `query` (accents and case
    /// ignored), of `specialty`, working at `siteID`; any filter may be nil.
    func searchPractitioners(query: String?, specialty: String?, siteID: UUID?, limit: Int) async throws -> [PractitionerProfile]
    func practitionerProfile(id: UUID) async throws -> PractitionerProfile?
    /// Every practitioner in service, in name order, whatever their number (searches stop at 500):
    /// the slot publication and the FHIR directory's complete lists.
    func practitionersInService() async throws -> [PractitionerProfile]
    /// Active motives each practitioner's current templates accept, by name.
    func bookableMotives(practitionerIDs: [UUID], on day: LocalDate) async throws -> [UUID: [Motive]]
    /// A site by id or by slug.
    func site(reference: String) async throws -> Site?
    /// A practitioner with the motives they offer today in their site's zone, in one read.
    func practitionerWithMotives(id: UUID, now: Date) async throws -> (profile: PractitionerProfile, motives: [Motive])?
    /// Every site by name, each with its departments by name (the home page's list), in one read.
    func siteDepartments() async throws -> [SiteDepartments]
    /// What the directory is at (configuration version and day), as a text that changes whenever
    /// anything this repository answers could; nil when it cannot tell (nothing may be remembered).
    func configurationStamp() async throws -> String?
}

/// A site and its departments, by name.
public struct SiteDepartments: Sendable, Equatable {
    public let site: Site
    public let departments: [Department]

    public init(site: Site, departments: [Department]) {
        self.site = site
        self.departments = departments
    }
}

extension DirectoryRepository {
    public func configurationStamp() async throws -> String? { nil }

    public func practitionerWithMotives(id: UUID, now: Date) async throws -> (profile: PractitionerProfile, motives: [Motive])? {
        guard let profile = try await practitionerProfile(id: id) else { return nil }
        let today = LocalDate(now, in: profile.timeZone)
        return (profile, try await bookableMotives(practitionerIDs: [id], on: today)[id] ?? [])
    }

    /// The practitioners who work in the department, by last then first name.
    public func members(of department: Department) async throws -> [PractitionerProfile] {
        try await searchPractitioners(query: nil, specialty: department.specialty, siteID: department.siteID, limit: 1_000)
            .filter { $0.departments.contains { $0.id == department.id } }
            .sorted { (SearchText.fold($0.practitioner.lastName), SearchText.fold($0.practitioner.firstName))
                < (SearchText.fold($1.practitioner.lastName), SearchText.fold($1.practitioner.firstName)) }
    }
}

extension OrganisationRepository {
    /// The department and its site's time zone (Paris when the site names none it knows).
    public func departmentAndZone(id: UUID) async throws -> (Department, TimeZone)? {
        guard let department = try await department(id: id) else { return nil }
        let site = try await site(id: department.siteID)
        return (department, site.flatMap { TimeZone(identifier: $0.timeZone) } ?? Site.defaultZone)
    }
}

extension PractitionerProfile {
    /// The time zone of the first site the practitioner works at.
    public var timeZone: TimeZone {
        sites.first.flatMap { TimeZone(identifier: $0.timeZone) } ?? Site.defaultZone
    }
}

/// Loads what the availability engine needs.
public protocol AvailabilityRepository: Sendable {
    /// The agendas of several practitioners for `motive`s, between two instants:
    /// templates, exceptions, occupations (with their motives' buffers), the
    /// site's calendar and the rooms and equipment each motive needs. Keyed by
    /// practitioner id; practitioners without a site for the motive are absent.
    func agendas(_ requests: [(practitionerID: UUID, motive: Motive)], from: Date, to: Date) async throws -> [UUID: AgendaSnapshot]

    /// What the agendas of `owners` (practitioners, rooms) and the configuration are at, as one
    /// text that changes whenever an answer computed from them could (no owners: anything at
    /// all); read before the agendas, so an answer filed under it is at least that new. Nil when
    /// this repository cannot tell: then nothing may be remembered.
    func versionStamp(owners: [UUID]) async throws -> String?
}

extension AvailabilityRepository {
    public func versionStamp(owners: [UUID]) async throws -> String? { nil }
}
