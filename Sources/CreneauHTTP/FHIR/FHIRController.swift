import CreneauDomain
import Foundation
import Hummingbird

/// FHIR R4 at `/fhir` (JSON), after the ANS "Gestion d'Agendas Partagés" guide 3.0.0: the
/// directory (Practitioner, PractitionerRole, HealthcareService, Location), agendas
/// (Schedule, Slot), and appointments (read, search, book, cancel) — the same data, ids,
/// rules and booking path as the JSON API, with OperationOutcome for every error
/// (`FHIRErrorRenderer`). What it supports is listed by `GET /fhir/metadata`.
struct FHIRController: Sendable {
    let directory: any DirectoryRepository
    let organisation: any OrganisationRepository
    let availability: any AvailabilityRepository
    let booking: BookingService
    let relatives: Relatives
    let agenda: StaffAgenda
    let clock: Clock
    let publicOrigin: String?
    let limits: RateLimits
    /// The published slots (`$bulk-publish`), and the public address their booking links point at.
    var publishedSlots: (any SlotPublicationRepository)?
    var publicURL: String?
    let limiter: RateLimiter

    func register(on router: Router<AppRequestContext>) {
        router.get("/fhir/metadata") { request, _ in FHIRResponse.resource(FHIRCapability.statement(base: base(request), now: clock.now())) }
        router.get("/fhir/Practitioner") { request, _ in try await practitioners(request) }
        router.get("/fhir/Practitioner/{id}") { _, context in try await practitioner(context) }
        router.get("/fhir/PractitionerRole") { request, _ in try await roles(request) }
        router.get("/fhir/PractitionerRole/{id}") { _, context in try await role(context) }
        router.get("/fhir/HealthcareService") { request, _ in try await services(request) }
        router.get("/fhir/HealthcareService/{id}") { _, context in try await service(context) }
        router.get("/fhir/Location") { request, _ in try await locations(request) }
        router.get("/fhir/Location/{id}") { _, context in try await location(context) }
        router.get("/fhir/Schedule") { request, _ in try await schedules(request) }
        router.get("/fhir/Schedule/{id}") { _, context in try await schedule(context) }
        router.get("/fhir/Slot") { request, context in try await slots(request, booker: context.booker) }
        router.get("/fhir/Slot/{id}") { _, context in try await slot(context) }
        router.get("/fhir/Appointment") { request, context in try await appointments(request, context: context) }
        router.get("/fhir/Appointment/{id}") { request, context in try await appointment(request, context: context) }
        router.post("/fhir/Appointment") { request, context in try await book(request, context: context) }
        router.put("/fhir/Appointment/{id}") { request, context in try await update(request, context: context) }
        router.get("/fhir/$bulk-publish") { request, _ in try await manifest(request) }
        router.get("/fhir/$bulk-publish/{file}") { request, context in try await bulkFile(request, context: context) }
    }

    /// The server's FHIR base, for absolute `fullUrl`s and links: the public address when
    /// configured, else the address the client used.
    func base(_ request: Request) -> String {
        if let publicOrigin { return publicOrigin + "/fhir" }
        let host = request.head.authority ?? "localhost"
        return "http://\(host)/fhir"
    }

    static func pathID(_ context: AppRequestContext, type: String) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw APIError.notFound("No \(type) has this id.")
        }
        return id
    }

    // MARK: Practitioner, PractitionerRole, Schedule

    func profile(_ context: AppRequestContext, type: String) async throws -> PractitionerProfile {
        guard let profile = try await directory.practitionerProfile(id: try Self.pathID(context, type: type)) else {
            throw APIError.notFound("No \(type) has this id.")
        }
        return profile
    }

    func practitioner(_ context: AppRequestContext) async throws -> Response {
        FHIRResponse.resource(FHIRMapping.practitioner(try await profile(context, type: "Practitioner").practitioner))
    }

    func role(_ context: AppRequestContext) async throws -> Response {
        FHIRResponse.resource(FHIRMapping.role(try await profile(context, type: "PractitionerRole")))
    }

    func schedule(_ context: AppRequestContext) async throws -> Response {
        FHIRResponse.resource(FHIRMapping.schedule(try await profile(context, type: "Schedule")))
    }

    /// Practitioners in service matching a search: by id, by practitioner reference, by the
    /// hospital's specialty code or a name.
    func profiles(_ query: FHIRQuery, idParameter: String, name: String?, specialty: String?, site: UUID?, department: UUID?) async throws -> [PractitionerProfile] {
        if let id = try query.reference(idParameter, type: "Practitioner") ?? query.reference("_id", type: "Practitioner") {
            guard let profile = try await directory.practitionerProfile(id: id) else { return [] }
            return [profile].filter { matches($0, specialty: specialty, site: site, department: department) }
        }
        // A name is a search (its best 500); without one, everyone in service, paged.
        let found: [PractitionerProfile]
        if let name {
            found = try await directory.searchPractitioners(query: name, specialty: nil, siteID: site, limit: 500)
        } else {
            found = try await directory.practitionersInService()
        }
        return found.filter { matches($0, specialty: specialty, site: site, department: department) }
    }

    func matches(_ profile: PractitionerProfile, specialty: String?, site: UUID?, department: UUID?) -> Bool {
        (specialty.map { code in profile.practitioner.specialty == code || FHIRMapping.specialiteOrdinale[profile.practitioner.specialty]?.code == code
            || profile.departments.contains { $0.specialty == code } } ?? true)
            && (site.map { id in profile.sites.contains { $0.id == id } } ?? true)
            && (department.map { id in profile.departments.contains { $0.id == id } } ?? true)
    }

    static let specialtySystems: Set<String> = [FHIRSystems.specialty, FHIRSystems.specialiteOrdinale]

    func practitioners(_ request: Request) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["name"])
        let found = try await profiles(query, idParameter: "_id", name: query.string("name"), specialty: nil, site: nil, department: nil)
        return try searchset(request, query: query, found.map { ($0.practitioner.id.fhir, "Practitioner", FHIRMapping.practitioner($0.practitioner)) })
    }

    func roles(_ request: Request) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["practitioner", "specialty", "location", "service"])
        let idParameter = query.string("practitioner") != nil ? "practitioner" : "_id"
        let found = try await profiles(
            query, idParameter: idParameter, name: nil, specialty: try query.token("specialty", systems: Self.specialtySystems),
            site: try query.reference("location", type: "Location"), department: try query.reference("service", type: "HealthcareService"))
        return try searchset(request, query: query, found.map { ($0.practitioner.id.fhir, "PractitionerRole", FHIRMapping.role($0)) })
    }

    func schedules(_ request: Request) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["actor", "specialty", "active"])
        var actor: UUID?
        if let text = query.string("actor") {
            let type = text.contains("PractitionerRole/") ? "PractitionerRole" : "Practitioner"
            actor = try FHIRQuery.id(in: text, type: type, field: "actor")
        }
        if let active = query.string("active"), active != "true", active != "false" {
            throw APIError.badRequest("active must be true or false.", code: "invalid_parameter")
        }
        var found: [PractitionerProfile]
        if let actor {
            found = try await directory.practitionerProfile(id: actor).map { [$0] } ?? []
            found = found.filter { matches($0, specialty: try? query.token("specialty", systems: Self.specialtySystems), site: nil, department: nil) }
        } else {
            found = try await profiles(query, idParameter: "_id", name: nil, specialty: try query.token("specialty", systems: Self.specialtySystems), site: nil, department: nil)
        }
        if let active = query.string("active") { found = found.filter { $0.practitioner.isActive == (active == "true") } }
        return try searchset(request, query: query, found.map { ($0.practitioner.id.fhir, "Schedule", FHIRMapping.schedule($0)) })
    }

    // MARK: Location, HealthcareService

    func location(_ context: AppRequestContext) async throws -> Response {
        guard let site = try await organisation.site(id: try Self.pathID(context, type: "Location")) else {
            throw APIError.notFound("No Location has this id.")
        }
        return FHIRResponse.resource(FHIRMapping.location(site))
    }

    func locations(_ request: Request) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["name", "address-city"])
        var sites = try await organisation.sites()
        if let id = try query.reference("_id", type: "Location") { sites = sites.filter { $0.id == id } }
        if let name = query.string("name").map(SearchText.fold) { sites = sites.filter { SearchText.fold($0.name).contains(name) } }
        if let city = query.string("address-city").map(SearchText.fold) { sites = sites.filter { SearchText.fold($0.city).hasPrefix(city) } }
        sites.sort { SearchText.fold($0.name) < SearchText.fold($1.name) }
        return try searchset(request, query: query, sites.map { ($0.id.fhir, "Location", FHIRMapping.location($0)) })
    }

    func service(_ context: AppRequestContext) async throws -> Response {
        guard let department = try await organisation.department(id: try Self.pathID(context, type: "HealthcareService")) else {
            throw APIError.notFound("No HealthcareService has this id.")
        }
        return FHIRResponse.resource(FHIRMapping.service(department, site: try await organisation.site(id: department.siteID)))
    }

    func services(_ request: Request) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["location", "specialty", "name", "active"])
        let site = try query.reference("location", type: "Location"), id = try query.reference("_id", type: "HealthcareService")
        let specialty = try query.token("specialty", systems: Self.specialtySystems)
        let name = query.string("name").map(SearchText.fold)
        var found: [(Department, Site)] = []
        for candidate in try await organisation.sites() where site == nil || candidate.id == site {
            for department in try await organisation.departments(siteID: candidate.id) {
                guard id == nil || department.id == id,
                      specialty == nil || department.specialty == specialty || FHIRMapping.specialiteOrdinale[department.specialty]?.code == specialty,
                      name.map({ SearchText.fold(department.name).contains($0) }) ?? true,
                      query.string("active").map({ ($0 == "true") == (department.isActive && candidate.isActive) }) ?? true else { continue }
                found.append((department, candidate))
            }
        }
        found.sort { (SearchText.fold($0.1.name), SearchText.fold($0.0.name)) < (SearchText.fold($1.1.name), SearchText.fold($1.0.name)) }
        return try searchset(request, query: query, found.map { ($0.0.id.fhir, "HealthcareService", FHIRMapping.service($0.0, site: $0.1)) })
    }

    // MARK: Bundles

    /// A search's answer: `_count` entries from `_offset`, the total, and paging links.
    typealias Entry = (id: String, type: String, resource: any Encodable & Sendable)

    func searchset(_ request: Request, query: FHIRQuery, _ all: [Entry]) throws -> Response {
        let count = try query.count, offset = try query.offset
        return try searchset(request, query: query, page: Array(all.dropFirst(offset).prefix(count)), total: all.count)
    }

    /// `page`: the entries from `_offset`, at most `_count`, of `total` found.
    func searchset(_ request: Request, query: FHIRQuery, page: [Entry], total: Int) throws -> Response {
        let count = try query.count, offset = try query.offset
        let base = base(request)
        var links = [FHIRBundle.Link(relation: "self", url: link(request, base: base, offset: offset))]
        if offset + count < total, count > 0 {
            links.append(FHIRBundle.Link(relation: "next", url: link(request, base: base, offset: offset + count)))
        }
        if offset > 0 {
            links.append(FHIRBundle.Link(relation: "previous", url: link(request, base: base, offset: max(0, offset - max(count, 1)))))
        }
        let bundle = FHIRBundle(
            meta: FHIRMeta(lastUpdated: RFC3339.format(clock.now(), in: FHIRMapping.utc)), type: "searchset", total: total, link: links,
            entry: page.isEmpty ? nil : page.map { FHIRBundle.Entry(fullUrl: "\(base)/\($0.type)/\($0.id)", resource: $0.resource, search: .init(mode: "match")) })
        return FHIRResponse.resource(bundle)
    }

    /// The request's own address with `_offset` set: the same search, another page.
    func link(_ request: Request, base: String, offset: Int) -> String {
        var parts: [String] = []
        for (name, value) in request.uri.queryParameters where name != "_offset" {
            parts.append(Self.escape(String(name)) + "=" + Self.escape(String(value)))
        }
        if offset > 0 { parts.append("_offset=\(offset)") }
        let path = request.uri.path.hasPrefix("/fhir") ? String(request.uri.path.dropFirst(5)) : request.uri.path
        return base + path + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
    }

    static let queryAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~:/|")
        return set
    }()

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
    }
}
