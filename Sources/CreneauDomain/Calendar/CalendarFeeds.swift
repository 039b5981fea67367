import Foundation

/// A private calendar address: a practitioner's agenda, or a department's for its secretaries.
public struct CalendarFeed: Identifiable, Hashable, Sendable {
    public enum Owner: Hashable, Sendable {
        case practitioner(UUID)
        case department(UUID)
    }

    public var id: UUID
    public var owner: Owner
    /// Events name the patient in full (the practitioner's choice); otherwise their initials.
    public var fullNames: Bool
    public var createdBy: UUID?
    public var createdAt: Date

    public init(id: UUID, owner: Owner, fullNames: Bool, createdBy: UUID?, createdAt: Date) {
        self.id = id
        self.owner = owner
        self.fullNames = fullNames
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

public protocol CalendarFeedRepository: Sendable {
    /// The owner's live feed, if any.
    func liveFeed(_ owner: CalendarFeed.Owner) async throws -> CalendarFeed?
    /// Revokes the owner's live feed and writes `feed` with `token` (stored hashed), in one transaction.
    func renewFeed(_ feed: CalendarFeed, token: String) async throws
    /// Revokes the owner's live feed; false when there was none.
    func revokeFeed(_ owner: CalendarFeed.Owner, at: Date) async throws -> Bool
    /// The live feed this token opens, if any.
    func feed(token: String) async throws -> CalendarFeed?
}

/// Calendar feeds (RFC 5545 over HTTP) that practitioners' and secretaries' calendar apps
/// subscribe to. Privacy first: an event shows the motive and the patient's initials unless the
/// practitioner opted in to full names; never the reason or notes. Each fetch is audited.
public struct CalendarFeeds: Sendable {
    let feeds: any CalendarFeedRepository
    let agenda: StaffAgenda
    let appointments: any AppointmentRepository
    let patients: any PatientRepository
    let motives: any SchedulingRepository
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator
    let tokens: TokenGenerator
    /// "https://rdv.hopital.fr": feed addresses start with it.
    let publicURL: String

    /// What a feed holds: the last 30 days and the next 180.
    public static let daysBack = 30
    public static let daysAhead = 180

    public init(feeds: any CalendarFeedRepository, agenda: StaffAgenda, appointments: any AppointmentRepository, patients: any PatientRepository,
                motives: any SchedulingRepository, audit: any AuditRepository, clock: Clock, ids: IDGenerator, tokens: TokenGenerator, publicURL: String) {
        self.publicURL = publicURL
        self.feeds = feeds
        self.agenda = agenda
        self.appointments = appointments
        self.patients = patients
        self.motives = motives
        self.audit = audit
        self.clock = clock
        self.ids = ids
        self.tokens = tokens
    }

    /// Who may manage a feed: a practitioner their own (`practitionerID`, their account's), staff
    /// the departments they serve.
    func requireManage(_ owner: CalendarFeed.Owner, by booker: Booker, practitionerID: UUID?) async throws {
        guard booker.isStaff else { throw BookingError.forbidden("Calendar feeds are for the hospital's staff.") }
        switch owner {
        case .practitioner(let id):
            guard id == practitionerID else { throw BookingError.notFound("You can only manage your own calendar feed.") }
        case .department(let id):
            guard booker.serves(id), try await agenda.departments(for: booker).contains(where: { $0.id == id }) else {
                throw BookingError.notFound("No department has this id among those you serve.")
            }
        }
    }

    public func liveFeed(_ owner: CalendarFeed.Owner, by booker: Booker, practitionerID: UUID?) async throws -> CalendarFeed? {
        try await requireManage(owner, by: booker, practitionerID: practitionerID)
        return try await feeds.liveFeed(owner)
    }

    /// A new address (the old one stops working at once); its token is shown this once.
    public func renew(_ owner: CalendarFeed.Owner, fullNames: Bool, by booker: Booker, practitionerID: UUID?) async throws -> (CalendarFeed, token: String) {
        try await requireManage(owner, by: booker, practitionerID: practitionerID)
        // Full names are a practitioner's own choice for their own agenda.
        let names: Bool = if case .practitioner = owner { fullNames } else { false }
        let feed = CalendarFeed(id: ids.next(), owner: owner, fullNames: names, createdBy: booker.accountID, createdAt: clock.now())
        let token = tokens.next()
        try await feeds.renewFeed(feed, token: token)
        return (feed, token)
    }

    /// The address calendar apps subscribe to.
    public func url(token: String) -> String { "\(publicURL)/calendar/\(token).ics" }

    public func revoke(_ owner: CalendarFeed.Owner, by booker: Booker, practitionerID: UUID?) async throws {
        try await requireManage(owner, by: booker, practitionerID: practitionerID)
        guard try await feeds.revokeFeed(owner, at: clock.now()) else { throw BookingError.notFound("There is no calendar feed to revoke.") }
    }

    /// The calendar behind a token: its appointments as events, times in the site's zone with its
    /// VTIMEZONE. Not found for an unknown or revoked token.
    public func calendar(token: String) async throws -> String {
        guard !token.isEmpty, token.utf8.count <= 200, let feed = try await feeds.feed(token: token) else {
            throw BookingError.notFound("There is no calendar at this address (it may have been renewed or revoked).")
        }
        let now = clock.now()
        let from = now.addingTimeInterval(-Double(Self.daysBack) * 86_400), to = now.addingTimeInterval(Double(Self.daysAhead) * 86_400)
        let system = Booker(.staff(accountID: feed.createdBy ?? UUID(), role: .secretary))
        var shown: [Appointment] = [], zone = Site.defaultZone, place = ""
        switch feed.owner {
        case .practitioner(let id):
            let profile = try await agenda.practitioner(id, by: system)
            zone = profile.timeZone
            place = profile.sites.first?.name ?? ""
            shown = try await appointments.appointments(practitionerID: id, from: from, to: to)
        case .department(let id):
            guard let department = try await agenda.departments(for: system).first(where: { $0.id == id }) else { throw BookingError.notFound("This department no longer exists.") }
            for member in try await agenda.directory.members(of: department) {
                zone = member.timeZone
                place = member.sites.first { $0.id == department.siteID }?.name ?? place
                shown += try await appointments.appointments(practitionerID: member.practitioner.id, from: from, to: to).filter { $0.departmentID == id }
            }
        }
        var motiveNames: [UUID: String] = [:], events: [CalendarEvent] = [], audited: [AccessAuditEntry] = []
        for appointment in shown.sorted(by: { $0.startsAt < $1.startsAt }) {
            if motiveNames[appointment.motiveID] == nil { motiveNames[appointment.motiveID] = try await motives.motive(id: appointment.motiveID)?.name ?? "" }
            let patient = try await patients.patient(id: appointment.patientID)
            let who = patient.map { feed.fullNames ? $0.displayName : Self.initials($0) } ?? ""
            if feed.fullNames, patient != nil {
                audited.append(AccessAuditEntry(id: ids.next(), at: now, actorAccountID: feed.createdBy, action: "calendar_feed_patient", patientID: appointment.patientID,
                                                target: "appointment:\(appointment.id.uuidString.lowercased())", outcome: .allowed))
            }
            let cancelled = appointment.status == .cancelled
            events.append(CalendarEvent(
                uid: "\(appointment.id.uuidString.lowercased())@creneau", start: appointment.startsAt, end: appointment.endsAt,
                summary: [motiveNames[appointment.motiveID] ?? "", who].filter { !$0.isEmpty }.joined(separator: " — "), location: place,
                description: appointment.status == .booked ? "" : appointment.status.rawValue,
                status: cancelled ? .cancelled : .confirmed, sequence: appointment.moveCount + (cancelled ? 1 : 0), stamp: appointment.updatedAt))
        }
        audited.insert(AccessAuditEntry(id: ids.next(), at: now, actorAccountID: feed.createdBy, action: "calendar_feed", patientID: nil,
                                        target: "calendar_feed:\(feed.id.uuidString.lowercased())", outcome: .allowed), at: 0)
        try await audit.append(contentsOf: audited)
        return ICalendar.document(events, method: .publish, timeZone: zone)
    }

    /// "L. M." for Léa Martin.
    public static func initials(_ patient: Patient) -> String {
        [patient.firstName, patient.lastName].compactMap { $0.trimmingCharacters(in: .whitespaces).first.map { "\($0.uppercased())." } }.joined(separator: " ")
    }
}
