import Foundation
import Synchronization

/// The waiting list: patients (and the secretariat for callers) join it; freed slots are
/// offered to them in turn (`Waitlist+Offers.swift`). Joining applies the booking rules that do
/// not depend on the agenda (channel, new or known patient, the referring doctor a first visit
/// needs), so that an offer can be accepted.
public struct Waitlist: Sendable {
    public struct Dependencies: Sendable {
        public var repository: any WaitlistRepository
        /// The same booking path as every booking: offers are checked and accepted through it.
        public var booking: BookingService
        public var organisation: any OrganisationRepository
        public var availability: any AvailabilityRepository
        public var feed: any ChangeFeed
        public var renderer: any OfferMessageRenderer
        /// Signs offer links and the hold tokens they carry.
        public var signer: any LinkSigner
        /// "https://rdv.hopital.fr": offer links start with it.
        public var publicURL: String
        public var clock: Clock
        public var ids: IDGenerator
        /// How long an offer holds its slot (shorter when the visit is soon).
        public var offerWindow: TimeInterval
        /// When this process last looked for held-back ranges released to more channels.
        public var releases = ReleaseWatch()

        public init(repository: any WaitlistRepository, booking: BookingService, organisation: any OrganisationRepository,
                    availability: any AvailabilityRepository, feed: any ChangeFeed, renderer: any OfferMessageRenderer, signer: any LinkSigner,
                    publicURL: String, clock: Clock, ids: IDGenerator, offerWindow: TimeInterval = WaitlistRules.standardOfferWindow) {
            self.offerWindow = offerWindow
            self.repository = repository
            self.booking = booking
            self.organisation = organisation
            self.availability = availability
            self.feed = feed
            self.renderer = renderer
            self.signer = signer
            self.publicURL = publicURL
            self.clock = clock
            self.ids = ids
        }
    }

    let deps: Dependencies

    public init(_ dependencies: Dependencies) {
        self.deps = dependencies
    }

    /// The service's clock, for the surfaces that check dates before asking.
    public var now: Date { deps.clock.now() }

    /// What a patient or a secretary asks for.
    public struct Request: Sendable {
        public var patientID: UUID
        public var motiveID: UUID
        /// Nil: any practitioner of the department who offers the motive.
        public var practitionerID: UUID?
        public var referringDoctorID: UUID?
        public var preferences: WaitlistPreferences

        public init(patientID: UUID, motiveID: UUID, practitionerID: UUID?, referringDoctorID: UUID? = nil, preferences: WaitlistPreferences) {
            self.patientID = patientID
            self.motiveID = motiveID
            self.practitionerID = practitionerID
            self.referringDoctorID = referringDoctorID
            self.preferences = preferences
        }
    }

    /// Where a motive is booked: its department and the site's zone.
    struct Place {
        var motive: Motive
        var department: Department
        var site: Site?
        var zone: TimeZone
    }

    func place(motiveID: UUID) async throws -> Place {
        guard let motive = try await deps.booking.deps.motives.motive(id: motiveID), motive.isActive,
              let department = try await deps.organisation.department(id: motive.departmentID) else {
            throw BookingError.notFound("No motive has this id.")
        }
        let site = try await deps.organisation.site(id: department.siteID)
        return Place(motive: motive, department: department, site: site, zone: site.flatMap { TimeZone(identifier: $0.timeZone) } ?? Site.defaultZone)
    }

    /// Adds the patient to the waiting list. A patient account joins for itself or a relative it
    /// manages (online); staff add a caller (by phone) in the departments they serve.
    public func join(_ request: Request, by booker: Booker) async throws -> WaitlistEntry {
        let now = deps.clock.now()
        switch booker.kind {
        case .patient, .staff: break
        case .visitor: throw BookingError.forbidden("Sign in to join a waiting list: the offer is sent to the account's patient.")
        case .referringDoctor, .waitlist: throw BookingError.forbidden("The waiting list is joined by the patient or by the hospital's secretariat.")
        }
        try await deps.booking.requireAccess(toPatient: request.patientID, by: booker)
        let place = try await place(motiveID: request.motiveID)
        let motive = place.motive
        guard booker.serves(motive.departmentID) else { throw BookingError.notFound("No motive has this id in the departments you serve.") }
        if let practitionerID = request.practitionerID {
            _ = try await deps.booking.offer(practitionerID: practitionerID, motiveID: motive.id, now: now)
        }
        let channel: Channel = booker.isStaff ? .phone : .online
        if !motive.channels.contains(channel) {
            throw BookingError.refused(RuleViolation(.channelNotAllowed, "“\(motive.name)” cannot be booked \(channel.phrase). \(motive.channels.howToBook)"))
        }
        let kind: PatientKind = try await deps.booking.deps.patients.isKnown(patientID: request.patientID, departmentID: motive.departmentID) ? .known : .new
        switch (motive.patients, kind) {
        case (.known, .new):
            throw BookingError.refused(RuleViolation(.knownPatientsOnly, "“\(motive.name)” is for patients already followed by this department. For a first visit, choose a motive for new patients."))
        case (.new, .known):
            throw BookingError.refused(RuleViolation(.newPatientsOnly, "“\(motive.name)” is for a first visit. As a patient already followed by this department, choose a follow-up motive."))
        default: break
        }
        if kind == .new && request.referringDoctorID == nil && motive.needsReferral(in: place.department) {
            throw BookingError.refused(RuleViolation(.referringDoctorRequired, "A first visit in this department needs the doctor who referred you. Name them when joining the waiting list."))
        }
        if let doctor = request.referringDoctorID, !(try await deps.booking.deps.referringDoctors.referringDoctorExists(id: doctor)) {
            throw BookingError.refused(RuleViolation(.unknownReferringDoctor, "The referring doctor was not found in the directory. Search the directory again and choose them from the list."))
        }
        let today = LocalDate(now, in: place.zone)
        if let violation = WaitlistRules.check(request.preferences, motive: motive, channel: channel, today: today) { throw BookingError.refused(violation) }
        var preferences = request.preferences
        preferences.lastDay = WaitlistRules.lastDay(preferences, motive: motive, channel: channel, today: today)
        let entry = WaitlistEntry(
            id: deps.ids.next(), patientID: request.patientID, accountID: booker.isStaff ? nil : booker.accountID, addedBy: booker.isStaff ? booker.accountID : nil,
            departmentID: motive.departmentID, motiveID: motive.id, practitionerID: request.practitionerID, referringDoctorID: request.referringDoctorID,
            preferences: preferences, endsAt: preferences.lastDay.adding(days: 1).instant(atMinute: 0, in: place.zone), channel: channel, createdAt: now)
        switch try await deps.repository.join(entry, limit: WaitlistRules.maximumWaiting) {
        case .joined:
            return entry
        case .alreadyWaiting:
            throw BookingError.refused(RuleViolation(.waitlistLimit, "This patient is already on the waiting list for “\(motive.name)”. Change the days by leaving the list and joining again."))
        case .limitReached:
            throw BookingError.refused(RuleViolation(.waitlistLimit, "A patient waits for at most \(WaitlistRules.maximumWaiting) things at once. Leave one of the waiting lists first."))
        }
    }

    /// The entries of the patients this account manages, with their offers.
    public func items(accountID: UUID) async throws -> [WaitlistItem] {
        let patients = try await deps.booking.deps.patients.managedPatients(accountID: accountID).map(\.patientID)
        return try await deps.repository.waitlistItems(patientIDs: patients, limit: 100)
    }

    /// A department's list, for its staff.
    public func department(_ departmentID: UUID, by booker: Booker) async throws -> [WaitlistItem] {
        guard booker.isStaff, booker.serves(departmentID) else { throw BookingError.notFound("No department has this id among those you serve.") }
        return try await deps.repository.departmentWaitlist(departmentID: departmentID, limit: 500)
    }

    /// A department's list with who waits (their names), for the desk's page.
    public func departmentWithPatients(_ departmentID: UUID, by booker: Booker) async throws -> [(item: WaitlistItem, patient: Patient?)] {
        var result: [(item: WaitlistItem, patient: Patient?)] = []
        for item in try await department(departmentID, by: booker) {
            result.append((item, try await deps.booking.deps.patients.patient(id: item.entry.patientID)))
        }
        return result
    }

    /// Referring doctors to name when joining for a first visit (the directory's search).
    public func searchReferringDoctors(_ query: String) async throws -> [ReferringDoctor] {
        SearchText.fold(query).count >= 2 ? try await deps.booking.searchReferringDoctors(query, limit: 20) : []
    }

    /// Which of these appointments were refilled from the list.
    public func refilled(_ appointmentIDs: [UUID]) async throws -> Set<UUID> {
        try await deps.repository.refilled(appointmentIDs: appointmentIDs)
    }

    /// The entry, if this booker may change it: its patient's account, or staff of its department.
    func entry(_ id: UUID, by booker: Booker) async throws -> WaitlistEntry {
        let missing = BookingError.notFound("No waiting-list entry has this id.")
        guard let entry = try await deps.repository.waitlistEntry(id: id) else { throw missing }
        switch booker.kind {
        case .patient(let accountID):
            let managed = try await deps.booking.deps.patients.managedPatients(accountID: accountID)
            guard managed.contains(where: { $0.patientID == entry.patientID }) else { throw missing }
        case .staff:
            guard booker.serves(entry.departmentID) else { throw missing }
        case .visitor, .referringDoctor, .waitlist:
            throw missing
        }
        return entry
    }

    /// Leaves the list (the patient) or removes the entry (staff). A live offer ends with it.
    public func cancel(entryID: UUID, by booker: Booker) async throws {
        let entry = try await entry(entryID, by: booker)
        guard entry.state == .waiting, try await deps.repository.closeEntry(id: entry.id, state: .cancelled, at: deps.clock.now()) else {
            throw BookingError.invalidTransition("This entry is no longer waiting.")
        }
    }

    /// Staff put an entry first (or back in its turn).
    public func setUrgent(entryID: UUID, urgent: Bool, by booker: Booker) async throws {
        guard booker.isStaff else { throw BookingError.notFound("No waiting-list entry has this id.") }
        let entry = try await entry(entryID, by: booker)
        guard entry.state == .waiting, try await deps.repository.setUrgent(id: entry.id, urgent: urgent) else {
            throw BookingError.invalidTransition("This entry is no longer waiting.")
        }
    }
}

/// The last moment held-back releases were looked for (a release is the clock passing a moment,
/// not a write: nothing in the change feed says so). Per process; two instances finding the same
/// release offer it once, the database keeping one live offer per slot.
public final class ReleaseWatch: Sendable {
    private let last = Mutex<Date?>(nil)

    public init() {}

    /// The previous look when it is at least `every` old (`now` then becomes the next one's
    /// start); nil on the first call and between looks. Templates are read per department at each
    /// look: once a half-minute, not at every pass.
    func swap(_ now: Date, every: TimeInterval = 30) -> Date? {
        last.withLock { previous in
            guard let before = previous else {
                previous = now
                return nil
            }
            guard now.timeIntervalSince(before) >= every else { return nil }
            previous = now
            return before
        }
    }
}
