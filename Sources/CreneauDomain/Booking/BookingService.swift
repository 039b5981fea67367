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
        /// The messages each booking and change sends (written in the same transaction).
        public var notices: NoticePlanner
        /// The links in those messages, which also open an appointment without an account.
        public var links: AppointmentLinks?
        /// Repeat no-shows (a site's rule refuses online booking); nil: no rule is checked.
        public var noShows: (any NoShowRepository)?
        /// The account holder told for a patient with no address of their own (a child); nil: nobody.
        public var guardians: (any GuardianContactRepository)?

        public init(
            directory: any DirectoryRepository, motives: any SchedulingRepository, availability: any AvailabilityRepository, patients: any PatientRepository,
            referringDoctors: any ReferringDoctorRepository, appointments: any AppointmentRepository,
            bookings: any BookingRepository, writer: any BookingWriter, audit: any AuditRepository, clock: Clock, ids: IDGenerator,
            tokens: TokenGenerator, links: AppointmentLinks? = nil, noShows: (any NoShowRepository)? = nil,
            guardians: (any GuardianContactRepository)? = nil
        ) {
            self.guardians = guardians
            self.noShows = noShows
            self.notices = NoticePlanner(ids: ids)
            self.links = links
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
    /// What it was built with (a test swaps one piece and builds another).
    public var dependencies: Dependencies { deps }
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
        var site: Site?
        /// Reminders as the motive, else the site, says.
        var reminders: ReminderSchedule { .effective(motive: motive.reminders, site: site?.reminders) }
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
            let isDoctor = if case .referringDoctor = booker.kind { true } else { false }
            // The hospital's record when it exists, not a twin: a city doctor finds the patient by identity alone
            // (name and birth date match exactly one); anyone else also by the same email or phone.
            if let found = try await samePerson(details, byIdentityAlone: isDoctor) {
                (patientID, newPatient) = (found, nil)
                kind = try await deps.patients.isKnown(patientID: found, departmentID: motive.departmentID) ? .known : .new
            } else {
                let patient = Patient(
                    id: deps.ids.next(), firstName: details.firstName.trimmed, lastName: details.lastName.trimmed,
                    birthDate: details.birthDate, email: details.email?.trimmed.nilIfEmpty, phone: details.phone?.trimmed.nilIfEmpty, createdAt: now,
                    language: request.language)
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
        if request.channel == .online, !booker.isStaff, newPatient == nil, let site = offer.site, let policy = site.noShowPolicy, let noShows = deps.noShows {
            let record = try await noShows.noShows(patientID: patientID, siteID: site.id, since: now.addingTimeInterval(-Double(policy.windowDays) * 86_400))
            if let violation = policy.violation(count: record.count, sitePhone: site.phone) { throw BookingError.refused(violation) }
        }

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
            reason: request.reason?.trimmed.nilIfEmpty, notes: request.notes?.trimmed.nilIfEmpty, createdAt: now, patientKind: kind)
        let event = AppointmentEvent(
            id: deps.ids.next(), appointmentID: appointment.id, at: now, actorAccountID: booker.accountID,
            channel: request.channel, action: .created, before: nil, after: EventSnapshot(appointment).json)
        var recipient: NoticeRecipient?
        if let newPatient {
            recipient = NoticeRecipient(newPatient)
        } else if let existing = try await deps.patients.patient(id: patientID) {
            recipient = try await self.recipient(for: existing)
        }
        let messages = recipient.map { deps.notices.booked(appointment, to: $0, schedule: offer.reminders, zone: offer.timeZone, now: now) } ?? []
        return Prepared(
            write: BookingWrite(appointment: appointment, newPatient: newPatient, manageToken: deps.tokens.next(),
                                holdID: request.holdID, event: event, idempotency: nil, messages: messages),
            motive: motive, timeZone: offer.timeZone)
    }

    /// Where a patient's messages go: their own addresses as they chose, or, when they have none at
    /// all (Hugo, 6), the account holder who books for them.
    func recipient(for patient: Patient) async throws -> NoticeRecipient {
        let own = NoticeRecipient(patient)
        guard patient.email?.trimmed.nilIfEmpty == nil, patient.phone?.trimmed.nilIfEmpty == nil, let guardians = deps.guardians,
              let guardian = try await guardians.guardianContact(patientID: patient.id) else { return own }
        return guardian
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
