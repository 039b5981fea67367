import Foundation

/// Booking, holds, moves, cancellations and status changes: the booking rules (ARCHITECTURE.md, Booking)
/// applied to what the repositories hold, written through a `BookingWriter`.
///
/// The service checks everything it can before writing (rules, the slot in
/// the current agenda) so that refusals are explained; the database has the
/// last word on the slot itself, so a booking that loses a race to another
/// request or instance is a `slotTaken`, never a double booking.
public struct BookingService: Sendable {
    public struct Dependencies: Sendable {
        public var directory: any DirectoryRepository
        public var motives: any SchedulingRepository
        public var availability: any AvailabilityRepository
        public var patients: any PatientRepository
        public var referringDoctors: any ReferringDoctorRepository
        public var appointments: any AppointmentRepository
        public var bookings: any BookingRepository
        public var writer: any BookingWriter
        /// Where staff reads of an appointment, and every refused access, are recorded.
        public var audit: any AuditRepository
        public var clock: Clock
        public var ids: IDGenerator
        public var tokens: TokenGenerator

        public init(
            directory: any DirectoryRepository, motives: any SchedulingRepository, availability: any AvailabilityRepository, patients: any PatientRepository,
            referringDoctors: any ReferringDoctorRepository, appointments: any AppointmentRepository,
            bookings: any BookingRepository, writer: any BookingWriter, audit: any AuditRepository, clock: Clock, ids: IDGenerator,
            tokens: TokenGenerator
        ) {
            self.audit = audit
            self.directory = directory
            self.motives = motives
            self.availability = availability
            self.patients = patients
            self.referringDoctors = referringDoctors
            self.appointments = appointments
            self.bookings = bookings
            self.writer = writer
            self.clock = clock
            self.ids = ids
            self.tokens = tokens
        }
    }

    let deps: Dependencies
    /// How long a hold keeps a slot while the form is filled in.
    public let holdDuration: TimeInterval
    /// How many free slots a refusal offers instead.
    public static let alternativesShown = 5

    public init(_ dependencies: Dependencies, holdDuration: TimeInterval = 10 * 60) {
        self.deps = dependencies
        self.holdDuration = holdDuration
    }

    /// A booking checked and ready to write; the caller may render the response first.
    public struct Prepared: Sendable {
        public var write: BookingWrite
        public var motive: Motive
        public var timeZone: TimeZone
        public var appointment: Appointment { write.appointment }
        public var manageToken: String { write.manageToken }
    }

    /// Where a motive is offered: the practitioner's profile, the motive, its department.
    struct Offer {
        var profile: PractitionerProfile
        var motive: Motive
        var department: Department
        var timeZone: TimeZone
    }

    // MARK: Booking

    public func book(_ request: BookingRequest, by booker: Booker) async throws -> (appointment: Appointment, manageToken: String) {
        let prepared = try await prepare(request, by: booker)
        let appointment = try await commit(prepared, idempotency: nil)
        return (appointment, prepared.manageToken)
    }

    /// Checks the request against every rule and the current agenda, and builds what to write.
    public func prepare(_ request: BookingRequest, by booker: Booker) async throws -> Prepared {
        let now = deps.clock.now()
        guard booker.channels.contains(request.channel) else {
            throw BookingError.forbidden(booker.isStaff || booker.kind != .visitor
                ? "You cannot book \(request.channel.phrase)."
                : "Booking \(request.channel.phrase) is for the hospital's staff and referring doctors, who sign in first.")
        }
        let offer = try await offer(practitionerID: request.practitionerID, motiveID: request.motiveID, now: now)
        let motive = offer.motive
        guard booker.serves(motive.departmentID) else { throw BookingError.notFound("This practitioner offers no motive with this id in the departments you serve.") }
        for (text, field) in [(request.reason, "reason for the visit"), (request.notes, "note")] {
            if let violation = BookingRules.checkText(text, field: field) { throw BookingError.refused(violation) }
        }

        // The patient: a new record, or one this booker may book for.
        let patientID: UUID, newPatient: Patient?, kind: PatientKind
        switch request.patient {
        case .new(let details):
            if let violation = PatientRules.check(details, today: LocalDate(now, in: offer.timeZone), channel: request.channel) {
                throw BookingError.refused(violation)
            }
            if case .referringDoctor = booker.kind, let found = try await samePerson(details) {
                // A city doctor finds the patient by identity: the hospital's record when the name and birth date match exactly one.
                (patientID, newPatient) = (found, nil)
                kind = try await deps.patients.isKnown(patientID: found, departmentID: motive.departmentID) ? .known : .new
            } else {
                let patient = Patient(
                    id: deps.ids.next(), firstName: details.firstName.trimmed, lastName: details.lastName.trimmed,
                    birthDate: details.birthDate, email: details.email?.trimmed.nilIfEmpty, phone: details.phone?.trimmed.nilIfEmpty, createdAt: now)
                (patientID, newPatient, kind) = (patient.id, patient, .new)
            }
        case .existing(let id):
            try await requireAccess(toPatient: id, by: booker)
            (patientID, newPatient) = (id, nil)
            kind = try await deps.patients.isKnown(patientID: id, departmentID: motive.departmentID) ? .known : .new
        }

        // A city doctor booking through the portal is the referring doctor.
        var referringDoctorID = request.referringDoctorID
        if case .referringDoctor(_, let doctorID) = booker.kind, referringDoctorID == nil { referringDoctorID = doctorID }
        if let id = referringDoctorID, !(try await deps.referringDoctors.referringDoctorExists(id: id)) {
            throw BookingError.refused(RuleViolation(.unknownReferringDoctor, "The referring doctor was not found in the directory. Search the directory again and choose them from the list."))
        }

        let upcoming = newPatient == nil ? try await deps.bookings.upcomingVisits(patientID: patientID, after: now) : []
        let facts = BookingFacts(
            motive: motive, department: offer.department, channel: request.channel, patientKind: kind,
            referringDoctorID: referringDoctorID, start: request.start, now: now, timeZone: offer.timeZone,
            upcoming: upcoming, bookerIsStaff: booker.isStaff)
        if let violation = BookingRules.check(facts) { throw BookingError.refused(violation) }

        var ignoring: Set<UUID> = []
        if let holdID = request.holdID {
            try await requireHold(holdID, matches: request, by: booker, now: now)
            ignoring.insert(holdID)
        }
        let slot = try await requireSlot(offer: offer, start: request.start, channel: request.channel, kind: kind, now: now, ignoring: ignoring)

        let appointment = Appointment(
            id: deps.ids.next(), departmentID: motive.departmentID, motiveID: motive.id, practitionerID: request.practitionerID,
            patientID: patientID, resourceIDs: motive.requiredResourceIDs, startsAt: slot.start, endsAt: slot.end,
            channel: request.channel, createdByAccountID: booker.accountID, referringDoctorID: referringDoctorID,
            reason: request.reason?.trimmed.nilIfEmpty, notes: request.notes?.trimmed.nilIfEmpty, createdAt: now)
        let event = AppointmentEvent(
            id: deps.ids.next(), appointmentID: appointment.id, at: now, actorAccountID: booker.accountID,
            channel: request.channel, action: .created, before: nil, after: EventSnapshot(appointment).json)
        return Prepared(
            write: BookingWrite(appointment: appointment, newPatient: newPatient, manageToken: deps.tokens.next(),
                                holdID: request.holdID, event: event, idempotency: nil),
            motive: motive, timeZone: offer.timeZone)
    }

    /// Writes a prepared booking. A slot lost to a concurrent booking throws
    /// `slotTaken` with the next free ones; a reused idempotency key throws `IdempotencyKeyUsed`.
    public func commit(_ prepared: Prepared, idempotency: IdempotencyRecord?) async throws -> Appointment {
        var write = prepared.write
        write.idempotency = idempotency
        switch try await deps.writer.write(write) {
        case .booked:
            return prepared.appointment
        case .slotTaken:
            throw try await slotTaken(practitionerID: prepared.appointment.practitionerID, motive: prepared.motive,
                                      channel: prepared.appointment.channel, after: prepared.appointment.startsAt)
        case .holdGone:
            throw BookingError.refused(RuleViolation(.holdExpired, "The time kept for you has run out and the slot was released. Choose a slot again."))
        case .idempotencyKeyUsed:
            throw IdempotencyKeyUsed()
        }
    }

    // MARK: Holds

    /// Keeps a slot for `holdDuration` while the patient fills in the form.
    /// A hold and the token that proves it is yours (needed when you are not signed in).
    public struct PlacedHold: Sendable {
        public let hold: Hold
        public let token: String
    }

    public func placeHold(practitionerID: UUID, motiveID: UUID, start: Date, channel: Channel, by booker: Booker) async throws -> PlacedHold {
        let now = deps.clock.now()
        guard booker.channels.contains(channel) else {
            throw BookingError.forbidden("Holding a slot \(channel.phrase) is for the hospital's staff and referring doctors, who sign in first.")
        }
        let offer = try await offer(practitionerID: practitionerID, motiveID: motiveID, now: now)
        guard booker.serves(offer.motive.departmentID) else { throw BookingError.notFound("This practitioner offers no motive with this id in the departments you serve.") }
        if !offer.motive.channels.contains(channel) {
            throw BookingError.refused(RuleViolation(.channelNotAllowed, "“\(offer.motive.name)” cannot be booked \(channel.phrase). \(offer.motive.channels.howToBook)"))
        }
        let slot = try await requireSlot(offer: offer, start: start, channel: channel, kind: nil, now: now, ignoring: [])
        let hold = Hold(
            id: deps.ids.next(), practitionerID: practitionerID, motiveID: motiveID, startsAt: slot.start, endsAt: slot.end,
            channel: channel, expiresAt: now.addingTimeInterval(holdDuration), createdAt: now, holderAccountID: booker.accountID)
        let token = deps.tokens.next()
        guard try await deps.bookings.place(hold, token: token, now: now) else {
            throw try await slotTaken(practitionerID: practitionerID, motive: offer.motive, channel: channel, after: start)
        }
        return PlacedHold(hold: hold, token: token)
    }

    static let noSuchHold = "There is no hold with this id, or it has expired."

    /// The hold, if it is this booker's: placed by their account, or its token given.
    /// Anyone else's hold does not exist for them (404), whether or not they guessed its id.
    public func ownedHold(id: UUID, by booker: Booker, token: String?) async throws -> Hold? {
        guard let hold = try await deps.bookings.hold(id: id) else { return nil }
        if let holder = hold.holderAccountID, holder == booker.accountID { return hold }
        if let token, !token.isEmpty, token.utf8.count <= 200, try await deps.bookings.holdTokenMatches(holdID: id, token: token) { return hold }
        return nil
    }

    public func releaseHold(id: UUID, by booker: Booker, token: String?) async throws {
        guard try await ownedHold(id: id, by: booker, token: token) != nil, try await deps.bookings.releaseHold(id: id, now: deps.clock.now()) else {
            throw BookingError.notFound(Self.noSuchHold)
        }
    }

    func requireHold(_ id: UUID, matches request: BookingRequest, by booker: Booker, now: Date) async throws {
        guard let hold = try await ownedHold(id: id, by: booker, token: request.holdToken), hold.expiresAt > now else {
            throw BookingError.refused(RuleViolation(.holdExpired, "The time kept for you has run out and the slot was released. Choose a slot again."))
        }
        guard hold.practitionerID == request.practitionerID, hold.motiveID == request.motiveID, hold.startsAt == request.start else {
            throw BookingError.refused(RuleViolation(.holdMismatch, "The slot kept for you is not the one in this booking. Book the slot you chose, or choose again."))
        }
    }

    // MARK: Seeing and changing an appointment

    /// The appointment, if this booker may see it: a visitor needs its manage token.
    /// Staff reads and every refusal are written to the access audit.
    public func appointment(id: UUID, by booker: Booker, manageToken: String?) async throws -> Appointment {
        guard let appointment = try await deps.appointments.appointment(id: id) else { throw BookingError.notFound(Self.noSuchAppointment) }
        do {
            try await requireAccess(to: appointment, by: booker, manageToken: manageToken)
        } catch {
            try await audit("read_appointment", appointment, by: booker, outcome: .denied)
            throw error
        }
        if booker.isStaff { try await audit("read_appointment", appointment, by: booker, outcome: .allowed) }
        return appointment.seen(by: booker)
    }

    func audit(_ action: String, _ appointment: Appointment, by booker: Booker, outcome: AuditOutcome) async throws {
        try await deps.audit.append(AccessAuditEntry(
            id: deps.ids.next(), at: deps.clock.now(), actorAccountID: booker.accountID, action: action,
            patientID: appointment.patientID, target: "appointment:\(appointment.id.uuidString.lowercased())", outcome: outcome))
    }

    /// Applies a lifecycle action; a move secures the new slot in the same transaction that releases the old one.
    public func perform(_ action: AppointmentAction, appointmentID: UUID, by booker: Booker, manageToken: String?) async throws -> Appointment {
        let now = deps.clock.now()
        let current = try await appointment(id: appointmentID, by: booker, manageToken: manageToken)
        guard let motive = try await motive(current.motiveID) else { throw BookingError.notFound("The motive of this appointment no longer exists.") }

        var action = action
        if case .move(let start, _, let reason) = action {
            if start == current.startsAt { throw BookingError.refused(RuleViolation(.notAnOpening, "The appointment is already at this time.")) }
            let offer = try await offer(practitionerID: current.practitionerID, motiveID: current.motiveID, now: now, requireOffered: false)
            let facts = BookingFacts(
                motive: motive, department: offer.department, channel: current.channel, patientKind: .known,
                referringDoctorID: current.referringDoctorID, start: start, now: now, timeZone: offer.timeZone, upcoming: [], bookerIsStaff: booker.isStaff)
            // Who the patient is was settled at booking; notice and horizon still apply to the new time.
            if let violation = BookingRules.check(facts), [.tooSoon, .tooFarAhead, .inThePast].contains(violation.code) {
                throw BookingError.refused(violation)
            }
            let channel = booker.isStaff ? (booker.channels.contains(current.channel) ? current.channel : .phone) : current.channel
            let slot = try await requireSlot(offer: offer, start: start, channel: channel, kind: nil, now: now, ignoring: [current.id])
            action = .move(start: slot.start, end: slot.end, reason: reason)
        }

        let (next, eventAction) = try AppointmentLifecycle.apply(action, to: current, motive: motive, by: booker, now: now)
        let event = AppointmentEvent(
            id: deps.ids.next(), appointmentID: current.id, at: now, actorAccountID: booker.accountID,
            channel: booker.channels.contains(current.channel) ? current.channel : booker.channels.channels.first,
            action: eventAction, before: EventSnapshot(current).json, after: EventSnapshot(next).json)
        let known = next.status == .fulfilled
            ? KnownPatient(departmentID: next.departmentID, patientID: next.patientID, source: .fulfilledAppointment, since: now) : nil
        switch try await deps.bookings.apply(AppointmentChange(before: current, after: next, event: event, makesKnown: known)) {
        case .applied:
            return next
        case .changedMeanwhile:
            throw BookingError.changedMeanwhile
        case .slotTaken:
            throw try await slotTaken(practitionerID: current.practitionerID, motive: motive, channel: current.channel, after: next.startsAt)
        }
    }

    // MARK: Shared checks

    static let noSuchAppointment = "No appointment has this id, or this link is not valid for it."

    func motive(_ id: UUID) async throws -> Motive? {
        try await deps.motives.motive(id: id)
    }

    func offer(practitionerID: UUID, motiveID: UUID, now: Date, requireOffered: Bool = true) async throws -> Offer {
        guard let found = try await deps.directory.practitionerWithMotives(id: practitionerID, now: now) else {
            throw BookingError.notFound("No practitioner has this id.")
        }
        let motive: Motive
        if let offered = found.motives.first(where: { $0.id == motiveID }) {
            motive = offered
        } else if !requireOffered, let existing = try await deps.motives.motive(id: motiveID) {
            motive = existing
        } else {
            throw BookingError.notFound("This practitioner offers no motive with this id.")
        }
        guard let department = found.profile.departments.first(where: { $0.id == motive.departmentID }) else {
            throw BookingError.notFound("This practitioner does not work in the department of this motive.")
        }
        let site = found.profile.sites.first { $0.id == department.siteID }
        let timeZone = site.flatMap { TimeZone(identifier: $0.timeZone) } ?? found.profile.timeZone
        return Offer(profile: found.profile, motive: motive, department: department, timeZone: timeZone)
    }

    /// The slot starting at `start` if the agenda offers it now; otherwise says why not.
    func requireSlot(offer: Offer, start: Date, channel: Channel, kind: PatientKind?, now: Date, ignoring: Set<UUID>) async throws -> Slot {
        let day = LocalDate(start, in: offer.timeZone)
        let snapshot = try await agenda(practitionerID: offer.profile.practitioner.id, motive: offer.motive, day: day, timeZone: offer.timeZone)
        guard let snapshot else {
            throw BookingError.refused(RuleViolation(.notAnOpening, "There is no opening for “\(offer.motive.name)” at this time. Choose one of the proposed slots."))
        }
        func slots(_ agenda: AgendaSnapshot, _ channel: Channel) -> [Slot] {
            AvailabilityEngine.slots(AvailabilityRequest(motive: offer.motive, channel: channel, patientKind: kind, from: day, days: 1, now: now, ignoring: ignoring), in: agenda)
        }
        if let slot = slots(snapshot, channel).first(where: { $0.start == start }) { return slot }
        // Would it be a slot had nobody booked around it? Then it is taken, not wrong.
        let motive = offer.motive
        let window = Interval(
            start: start.addingTimeInterval(-TimeInterval(motive.bufferBeforeMinutes * 60)),
            end: start.addingTimeInterval(TimeInterval((motive.durationMinutes + motive.bufferAfterMinutes) * 60)))
        let freed = snapshot.freed(window)
        if slots(freed, channel).contains(where: { $0.start == start }) {
            throw try await slotTaken(practitionerID: offer.profile.practitioner.id, motive: offer.motive, channel: channel, after: start)
        }
        if offer.motive.channels.channels.contains(where: { other in other != channel && slots(freed, other).contains { $0.start == start } }) {
            throw BookingError.refused(RuleViolation(.notOpenToChannel, "This time is not open to booking \(channel.phrase) (it may be kept for urgent care or open later). Choose one of the proposed slots."))
        }
        throw BookingError.refused(RuleViolation(.notAnOpening, "There is no opening for “\(offer.motive.name)” at this time. Choose one of the proposed slots."))
    }

    func agenda(practitionerID: UUID, motive: Motive, day: LocalDate, timeZone: TimeZone) async throws -> AgendaSnapshot? {
        let start = day.adding(days: -1).instant(atMinute: 0, in: timeZone)
        let end = day.adding(days: 2).instant(atMinute: 0, in: timeZone)
        return try await deps.availability.agendas([(practitionerID, motive)], from: start, to: end)[practitionerID]
    }

    /// The refusal for a taken slot, with the next free ones from the same day on.
    func slotTaken(practitionerID: UUID, motive: Motive, channel: Channel, after start: Date) async throws -> BookingError {
        let now = deps.clock.now()
        let guess = Site.defaultZone
        let days = min(14, motive.horizonDays)
        let from = LocalDate(start, in: guess)
        let window = from.adding(days: -1).instant(atMinute: 0, in: guess)
        let agendas = try await deps.availability.agendas([(practitionerID, motive)], from: window, to: window.addingTimeInterval(TimeInterval((days + 2) * 86_400)))
        guard let agenda = agendas[practitionerID] else { return .slotTaken(next: [], timeZone: guess) }
        let next = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: channel, from: LocalDate(start, in: agenda.timeZone), days: days, now: now), in: agenda)
            .filter { $0.start >= now }
            .prefix(Self.alternativesShown)
        return .slotTaken(next: Array(next), timeZone: agenda.timeZone)
    }

    func requireAccess(toPatient patientID: UUID, by booker: Booker) async throws {
        switch booker.kind {
        case .visitor:
            throw BookingError.forbidden("Sign in to book for a patient saved in an account.")
        case .patient(let accountID):
            let managed = try await deps.patients.managedPatients(accountID: accountID)
            guard managed.contains(where: { $0.patientID == patientID }) else { throw BookingError.notFound("No patient has this id in your account.") }
        case .staff:
            guard try await deps.patients.patient(id: patientID) != nil else { throw BookingError.notFound("No patient has this id.") }
        case .referringDoctor:
            // A bare id would let a city doctor put a booking in any patient's account.
            throw BookingError.refused(RuleViolation(.invalidPatient,
                "A referring doctor gives the patient's identity (first name, last name, birth date), not a record id."))
        }
    }

    /// The one patient whose folded name and birth date are exactly these, if there is exactly one.
    func samePerson(_ details: PatientDetails) async throws -> UUID? {
        let name = SearchText.fold("\(details.firstName.trimmed) \(details.lastName.trimmed)")
        let found = try await deps.patients.searchPatients(name, birthDate: details.birthDate, limit: 3)
            .filter { $0.searchText == name }
        return found.count == 1 ? found[0].id : nil
    }

    func requireAccess(to appointment: Appointment, by booker: Booker, manageToken: String?) async throws {
        if let manageToken, try await deps.bookings.manageTokenMatches(appointmentID: appointment.id, token: manageToken) { return }
        switch booker.kind {
        case .visitor:
            throw BookingError.notFound(Self.noSuchAppointment)
        case .patient(let accountID):
            let managed = try await deps.patients.managedPatients(accountID: accountID)
            guard managed.contains(where: { $0.patientID == appointment.patientID }) else { throw BookingError.notFound(Self.noSuchAppointment) }
        case .referringDoctor(_, let doctorID):
            guard appointment.referringDoctorID == doctorID else { throw BookingError.notFound(Self.noSuchAppointment) }
        case .staff:
            guard booker.serves(appointment.departmentID) else { throw BookingError.notFound(Self.noSuchAppointment) }
        }
    }
}

/// The same `Idempotency-Key` was used by a request that already succeeded or is still running.
public struct IdempotencyKeyUsed: Error, Hashable, Sendable {
    public init() {}
}

/// What the history keeps of an appointment before and after a change (never the health texts).
struct EventSnapshot: Codable {
    var status: String
    var start: Int64
    var end: Int64
    var practitioner: String
    var moves: Int
    var cancelledBy: String?

    init(_ appointment: Appointment) {
        status = appointment.status.rawValue
        start = Int64(appointment.startsAt.timeIntervalSince1970)
        end = Int64(appointment.endsAt.timeIntervalSince1970)
        practitioner = appointment.practitionerID.uuidString.lowercased()
        moves = appointment.moveCount
        cancelledBy = appointment.cancelledBy?.rawValue
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

extension String {
    /// Without surrounding spaces and line breaks (what people type around a value).
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension BookingService {
    /// The motive and the site's time zone of an appointment, to show it.
    public func context(of appointment: Appointment) async throws -> (motive: Motive, timeZone: TimeZone) {
        guard let motive = try await motive(appointment.motiveID) else { throw BookingError.notFound("The motive of this appointment no longer exists.") }
        let profile = try await deps.directory.practitionerProfile(id: appointment.practitionerID)
        let department = profile?.departments.first { $0.id == appointment.departmentID }
        let site = profile?.sites.first { $0.id == department?.siteID }
        let timeZone = site.flatMap { TimeZone(identifier: $0.timeZone) } ?? profile?.timeZone ?? Site.defaultZone
        return (motive, timeZone)
    }

    /// The site time zone of a practitioner (for showing a hold).
    public func timeZone(ofPractitioner id: UUID) async throws -> TimeZone {
        try await deps.directory.practitionerProfile(id: id)?.timeZone ?? Site.defaultZone
    }
}

extension BookingService {
    /// The referring-doctor directory, searched as a new patient types ("dupont pontoise").
    public func searchReferringDoctors(_ query: String, limit: Int) async throws -> [ReferringDoctor] {
        try await deps.referringDoctors.searchReferringDoctors(query, limit: limit)
    }
}

extension BookingService {
    /// The appointment as a calendar event: the motive and practitioner, the site, the
    /// instructions to follow. Never the reason the patient typed (a calendar is shared
    /// more than one thinks).
    public func calendarEvent(of appointment: Appointment) async throws -> CalendarEvent {
        calendarEvent(of: appointment, summary: try await summary(of: appointment))
    }

    public func calendarEvent(of appointment: Appointment, summary: AppointmentSummary) -> CalendarEvent {
        var description = summary.motive.instructionsAfter.trimmed
        if description.isEmpty { description = "Rendez-vous \(summary.motive.name)" }
        return CalendarEvent(
            uid: "\(appointment.id.uuidString.lowercased())@creneau", start: appointment.startsAt, end: appointment.endsAt,
            summary: summary.practitionerName.isEmpty ? summary.motive.name : "\(summary.motive.name) — \(summary.practitionerName)",
            location: summary.place, description: description,
            status: appointment.status == .cancelled ? .cancelled : .confirmed, sequence: appointment.moveCount, stamp: deps.clock.now())
    }

    /// What a patient is told of an appointment: the motive, the site's time zone, who, where.
    public func summary(of appointment: Appointment) async throws -> AppointmentSummary {
        guard let motive = try await motive(appointment.motiveID) else { throw BookingError.notFound("The motive of this appointment no longer exists.") }
        let profile = try await deps.directory.practitionerProfile(id: appointment.practitionerID)
        let department = profile?.departments.first { $0.id == appointment.departmentID }
        let site = profile?.sites.first { $0.id == department?.siteID }
        let timeZone = site.flatMap { TimeZone(identifier: $0.timeZone) } ?? profile?.timeZone ?? Site.defaultZone
        let who = profile?.practitioner.displayName ?? ""
        let place = [department?.name, site?.name, site?.city].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        return AppointmentSummary(motive: motive, timeZone: timeZone, practitionerName: who, place: place)
    }
}

public struct AppointmentSummary: Sendable {
    public let motive: Motive
    public let timeZone: TimeZone
    /// "Dr Agnès Fournier".
    public let practitionerName: String
    /// "Cardiologie, MSP d'Avoine, Avoine".
    public let place: String
}
