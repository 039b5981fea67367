import Foundation

/// One line of a statistics table: a period, a site, a department, a practitioner or a motive.
public struct StatisticsLine: Hashable, Sendable {
    public var label: String
    /// Where clicking the line leads (a narrower view), when it does.
    public var scope: StatisticsScope?
    public var period: LocalDate?
    public var counts: StatisticsCounts
    /// Bookings made online (the online share's numerator).
    public var online: Int
    /// Open minutes, when known at this level (the fill rate's whole).
    public var openMinutes: Int?
    public var access: AccessDelay

    public init(label: String, scope: StatisticsScope? = nil, period: LocalDate? = nil, counts: StatisticsCounts = .init(), online: Int = 0,
                openMinutes: Int? = nil, access: AccessDelay = .init()) {
        self.label = label
        self.scope = scope
        self.period = period
        self.counts = counts
        self.online = online
        self.openMinutes = openMinutes
        self.access = access
    }

    public var onlineShare: Double? { counts.booked > 0 ? Double(online) / Double(counts.booked) : nil }
    /// Booked visit time over open time (can pass 100% when visits are added outside the openings).
    public var fillRate: Double? { openMinutes.flatMap { $0 > 0 ? Double(counts.bookedMinutes) / Double($0) : nil } }
}

/// The delay to the third next available slot for one specialty: over the span and per period.
public struct SpecialtyAccess: Hashable, Sendable {
    public var specialty: String
    public var label: String
    public var access: AccessDelay
    public var trend: [LocalDate: AccessDelay]
}

/// Everything a statistics page shows for one request.
public struct StatisticsDashboard: Sendable {
    public var request: StatisticsRequest
    /// The view's name and the way back up ("AP-HP › Bichat › Cardiologie").
    public var title: String
    public var breadcrumbs: [(label: String, scope: StatisticsScope)]
    public var total: StatisticsLine
    public var byChannel: [(channel: Channel, counts: StatisticsCounts)]
    public var byKind: [(kind: PatientKind, counts: StatisticsCounts)]
    public var trend: [StatisticsLine]
    /// The next level down: sites, departments or practitioners.
    public var children: [StatisticsLine]
    public var childrenKind: StatisticsLevelName
    /// A department's motives.
    public var motives: [StatisticsLine]
    public var specialties: [SpecialtyAccess]
    /// False while the history is being counted (after an upgrade, during `creneau stats rebuild`): the figures are partial.
    public var counted = true

    public var isEmpty: Bool { total.counts == StatisticsCounts() && total.access.recorded == 0 && total.access.beyond == 0 }
}

public enum StatisticsLevelName: String, Sendable {
    case sites, departments, practitioners, none
}

/// Builds statistics views from the summaries, for a viewer, and audits each read like other staff
/// reads. Counts never name a patient; small counts are shown as "< 5" by the surfaces
/// (`StatisticsPrivacy`).
public struct StatisticsReport: Sendable {
    let repository: any StatisticsRepository
    let organisation: any OrganisationRepository
    let practitioners: any PractitionerRepository
    let motives: any SchedulingRepository
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator

    public init(repository: any StatisticsRepository, organisation: any OrganisationRepository, practitioners: any PractitionerRepository,
                motives: any SchedulingRepository, audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
        self.repository = repository
        self.organisation = organisation
        self.practitioners = practitioners
        self.motives = motives
        self.audit = audit
        self.clock = clock
        self.ids = ids
    }

    public var today: LocalDate { LocalDate(clock.now(), in: Site.defaultZone) }

    /// The sites and departments the viewer sees, with names.
    struct Visible {
        var sites: [Site] = []
        var departments: [UUID: (department: Department, site: Site)] = [:]
        /// Sites the viewer sees whole.
        var wholeSites: Set<UUID> = []
    }

    func visible(to viewer: StatisticsViewer) async throws -> Visible {
        var visible = Visible()
        for site in try await organisation.sites().sorted(by: { SearchText.fold($0.name) < SearchText.fold($1.name) }) {
            let whole = viewer.sees(site)
            if !whole && viewer.departments.isEmpty { continue }
            var any = false
            for department in try await organisation.departments(siteID: site.id) where viewer.sees(department, in: site) {
                visible.departments[department.id] = (department, site)
                any = true
            }
            if whole { visible.wholeSites.insert(site.id) }
            if whole || any { visible.sites.append(site) }
        }
        return visible
    }

    public func dashboard(for viewer: StatisticsViewer, _ request: StatisticsRequest) async throws -> StatisticsDashboard {
        let visible = try await visible(to: viewer)
        var selection = StatisticsSelection(grain: request.grain, from: request.from, to: request.to, channel: request.channel, kind: request.kind)
        var breadcrumbs: [(label: String, scope: StatisticsScope)] = [(try await allLabel(visible), .all)]
        let childLevel: StatisticsLevel, childDimension: StatisticsDimension, childrenKind: StatisticsLevelName
        var childScopes: [UUID: (label: String, scope: StatisticsScope?)] = [:]

        switch request.scope {
        case .all:
            // Whole sites are selected by site (a few ids), departments only for the rest (department heads).
            let partial = visible.departments.filter { !visible.wholeSites.contains($0.value.site.id) }
            if partial.isEmpty {
                selection.siteIDs = visible.wholeSites
            } else {
                selection.departmentIDs = Set(visible.departments.keys)
            }
            if visible.wholeSites.isEmpty {
                (childLevel, childDimension, childrenKind) = (.department, .department, .departments)
                for (id, place) in visible.departments { childScopes[id] = ("\(place.department.name) — \(place.site.name)", .department(id)) }
            } else {
                (childLevel, childDimension, childrenKind) = (.department, .site, .sites)
                for site in visible.sites { childScopes[site.id] = (site.name, .site(site.id)) }
            }
        case .site(let id):
            guard let site = try await organisation.site(id: id) else { throw StatisticsError.notFound("No site has this id.") }
            guard visible.wholeSites.contains(id) else { throw StatisticsError.forbidden("Your role does not cover the statistics of \(site.name) as a whole.") }
            selection.siteIDs = [id]
            breadcrumbs.append((site.name, .site(id)))
            (childLevel, childDimension, childrenKind) = (.department, .department, .departments)
            for (departmentID, place) in visible.departments where place.site.id == id { childScopes[departmentID] = (place.department.name, .department(departmentID)) }
        case .department(let id), .practitioner(_, let id):
            guard let department = try await organisation.department(id: id) else { throw StatisticsError.notFound("No department has this id.") }
            guard let place = visible.departments[id] else { throw StatisticsError.forbidden("Your role does not cover the statistics of \(department.name).") }
            selection.departmentIDs = [id]
            if visible.wholeSites.contains(place.site.id) { breadcrumbs.append((place.site.name, .site(place.site.id))) }
            breadcrumbs.append((department.name, .department(id)))
            if case .practitioner(let practitionerID, _) = request.scope {
                guard let practitioner = try await practitioners.practitioner(id: practitionerID),
                      try await practitioners.memberships(practitionerID: practitionerID).contains(where: { $0.departmentID == id }) else {
                    throw StatisticsError.notFound("No practitioner of \(department.name) has this id.")
                }
                selection.itemID = practitionerID
                breadcrumbs.append((practitioner.displayName, request.scope))
                (childLevel, childDimension, childrenKind) = (.practitioner, .item, .none)
            } else {
                (childLevel, childDimension, childrenKind) = (.practitioner, .item, .practitioners)
            }
        }

        // Counts: one read grouped by period, child, channel and kind; everything else is summed from it.
        // The four reads are independent: they run together (a pool of readers on either engine).
        let level: StatisticsLevel = childLevel
        let openLevel: StatisticsLevel = level == .practitioner ? .practitioner : .department
        var accessSelection = selection
        accessSelection.itemID = nil
        let repository = self.repository, fixedSelection = selection, fixedAccess = accessSelection, dimension = childDimension
        async let counted = repository.counts(level: level, selection: fixedSelection, by: [.period, dimension, .channel, .kind])
        async let opened = repository.openMinutes(level: openLevel, selection: fixedSelection, by: [.period, dimension])
        async let delays = dimension == .item ? [:] : repository.accessDelays(selection: fixedAccess, by: [.period, dimension])
        async let delaysBySpecialty = repository.accessDelays(selection: fixedAccess, by: [.period, .specialty])
        async let complete = repository.statisticsCounted()
        let (rows, open, accessByChild, accessBySpecialty) = try await (counted, opened, delays, delaysBySpecialty)

        var total = StatisticsLine(label: breadcrumbs.last?.label ?? "", scope: request.scope)
        var byChannel: [Channel: StatisticsCounts] = [:], byKind: [PatientKind: StatisticsCounts] = [:]
        var trend: [LocalDate: StatisticsLine] = [:]
        var children: [UUID: StatisticsLine] = [:]
        func child(_ key: StatisticsKey) -> UUID? {
            switch childDimension {
            case .site: key.siteID
            case .department: key.departmentID
            default: key.itemID
            }
        }
        for (key, counts) in rows {
            let online = key.channel == .online ? counts.booked : 0
            total.counts.add(counts)
            total.online += online
            if let channel = key.channel { byChannel[channel, default: .init()].add(counts) }
            if let kind = key.kind { byKind[kind, default: .init()].add(counts) }
            if let period = key.period {
                trend[period, default: StatisticsLine(label: period.description, period: period)].counts.add(counts)
                trend[period]?.online += online
            }
            if let id = child(key), childrenKind != .none {
                children[id, default: StatisticsLine(label: "")].counts.add(counts)
                children[id]?.online += online
            }
        }
        for (key, minutes) in open {
            total.openMinutes = (total.openMinutes ?? 0) + minutes
            if let period = key.period { trend[period, default: StatisticsLine(label: period.description, period: period)].openMinutes = (trend[period]?.openMinutes ?? 0) + minutes }
            if let id = child(key), childrenKind != .none { children[id, default: StatisticsLine(label: "")].openMinutes = (children[id]?.openMinutes ?? 0) + minutes }
        }
        for (key, delay) in accessByChild { if let id = child(key), childrenKind != .none { children[id, default: StatisticsLine(label: "")].access.add(delay) } }
        var specialties: [String: SpecialtyAccess] = [:]
        for (key, delay) in accessBySpecialty {
            total.access.add(delay)
            if let period = key.period { trend[period, default: StatisticsLine(label: period.description, period: period)].access.add(delay) }
            guard let code = key.specialty else { continue }
            specialties[code, default: SpecialtyAccess(specialty: code, label: Self.specialtyLabel(code, visible), access: .init(), trend: [:])].access.add(delay)
            if let period = key.period { specialties[code]?.trend[period, default: .init()].add(delay) }
        }

        // Names of the lines: every child the viewer may open is listed, even without numbers (an empty line says so).
        if childrenKind == .practitioners, case .department(let id) = request.scope {
            for practitionerID in children.keys where childScopes[practitionerID] == nil {
                let name = try await practitioners.practitioner(id: practitionerID)?.displayName ?? "—"
                childScopes[practitionerID] = (name, .practitioner(practitionerID, department: id))
            }
        }
        var childLines: [StatisticsLine] = []
        if childrenKind != .none {
            for (id, named) in childScopes {
                var line = children[id] ?? StatisticsLine(label: "")
                line.label = named.label
                line.scope = named.scope
                childLines.append(line)
            }
        }
        childLines.sort { SearchText.fold($0.label) < SearchText.fold($1.label) }

        var motiveLines: [StatisticsLine] = []
        if case .department(let id) = request.scope {
            let motiveCounts = try await repository.counts(level: .motive, selection: selection, by: [.item, .channel])
            let motiveAccess = try await repository.accessDelays(selection: selection, by: [.item])
            var lines: [UUID: StatisticsLine] = [:]
            for (key, counts) in motiveCounts {
                guard let motiveID = key.itemID else { continue }
                lines[motiveID, default: StatisticsLine(label: "")].counts.add(counts)
                if key.channel == .online { lines[motiveID]?.online += counts.booked }
            }
            for (key, delay) in motiveAccess { if let motiveID = key.itemID { lines[motiveID, default: StatisticsLine(label: "")].access.add(delay) } }
            let names = Dictionary(try await motives.motives(departmentID: id).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            motiveLines = lines.map { id, line in
                var named = line
                named.label = names[id] ?? "—"
                return named
            }.sorted { SearchText.fold($0.label) < SearchText.fold($1.label) }
        }

        try await audit.append(AccessAuditEntry(
            id: ids.next(), at: clock.now(), actorAccountID: viewer.accountID, action: "stats:read", patientID: nil,
            target: "statistics:\(Self.describe(request.scope)):\(request.grain.rawValue):\(request.from)..\(request.to)", outcome: .allowed))

        let periods = request.periods
        var dashboard = StatisticsDashboard(
            request: request, title: breadcrumbs.map(\.label).joined(separator: " › "), breadcrumbs: breadcrumbs, total: total,
            byChannel: Channel.allCases.map { ($0, byChannel[$0] ?? .init()) },
            byKind: [PatientKind.new, .known].map { ($0, byKind[$0] ?? .init()) },
            trend: periods.map { trend[$0] ?? StatisticsLine(label: $0.description, period: $0) },
            children: childLines, childrenKind: childrenKind, motives: motiveLines,
            specialties: specialties.values.sorted { SearchText.fold($0.label) < SearchText.fold($1.label) })
        dashboard.counted = try await complete
        return dashboard
    }

    /// A refused read is audited too (who tried to see what).
    public func refused(_ viewer: StatisticsViewer?, accountID: UUID, scope: StatisticsScope) async {
        try? await audit.append(AccessAuditEntry(
            id: ids.next(), at: clock.now(), actorAccountID: viewer?.accountID ?? accountID, action: "stats:read", patientID: nil,
            target: "statistics:\(Self.describe(scope))", outcome: .denied))
    }

    static func describe(_ scope: StatisticsScope) -> String {
        switch scope {
        case .all: "all"
        case .site(let id): "site:\(id.uuidString.lowercased())"
        case .department(let id): "department:\(id.uuidString.lowercased())"
        case .practitioner(let id, let department): "practitioner:\(id.uuidString.lowercased())@\(department.uuidString.lowercased())"
        }
    }

    /// The top of the view: the hospital group's name when every site seen is in one group.
    func allLabel(_ visible: Visible) async throws -> String {
        let groups = Set(visible.sites.map(\.groupID))
        if groups.count == 1, let id = groups.first, let group = try await organisation.group(id: id) { return group.name }
        return visible.sites.map(\.name).joined(separator: ", ")
    }

    /// A specialty's name: the name its departments carry most often (they are named after it).
    static func specialtyLabel(_ code: String, _ visible: Visible) -> String {
        let names = visible.departments.values.filter { $0.department.specialty == code }.map(\.department.name)
        let counted = Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +)
        return counted.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? code
    }
}

/// Small counts are not shown: a number from 1 to 4 could point at a person in a small department.
public enum StatisticsPrivacy {
    public static let threshold = 5
    /// Nil when the count must be hidden.
    public static func shown(_ count: Int) -> Int? { count > 0 && count < threshold ? nil : count }
    /// A rate is shown only over at least `threshold` cases.
    public static func rate(_ value: Double?, over whole: Int) -> Double? { whole >= threshold ? value : nil }
}
