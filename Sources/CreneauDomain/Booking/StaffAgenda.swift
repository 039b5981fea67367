import Foundation

/// A department's day as the secretaries and practitioners see it: each practitioner's
/// appointments with who comes, why (the reason an online patient typed) and how they
/// booked. Listing patients is an access to health data: every patient listed writes an
/// access-audit row.
public struct StaffAgenda: Sendable {
    let organisation: any OrganisationRepository
    let directory: any DirectoryRepository
    let appointments: any AppointmentRepository
    let patients: any PatientRepository
    let motives: any SchedulingRepository
    let availability: any AvailabilityRepository
    let audit: any AuditRepository
    let outbox: (any OutboxRepository)?
    let clock: Clock
    let ids: IDGenerator

    public init(
        organisation: any OrganisationRepository, directory: any DirectoryRepository, appointments: any AppointmentRepository,
        patients: any PatientRepository, motives: any SchedulingRepository, availability: any AvailabilityRepository,
        audit: any AuditRepository, clock: Clock, ids: IDGenerator, outbox: (any OutboxRepository)? = nil
    ) {
        self.outbox = outbox
        self.availability = availability
        self.organisation = organisation
        self.directory = directory
        self.appointments = appointments
        self.patients = patients
        self.motives = motives
        self.audit = audit
        self.clock = clock
        self.ids = ids
    }

    public struct Entry: Sendable {
        public let appointment: Appointment
        public let patient: Patient?
        public let motive: Motive?
    }

    /// What the patient of each appointment was sent, for the day list: the desk sees at a glance
    /// whom the system could not reach (no email or mobile, or every message failed) and calls them.
    public struct MessageSummary: Hashable, Sendable {
        public var sent: Set<MessageChannel>
        public var failed: Set<MessageChannel>
        /// Booked, and nothing reached the patient (`OutboxMessage.nobodyReached`).
        public var unreached: Bool
        /// What went or waits (failed ones aside): a cancellation the patient is told of has `.cancelled`.
        public var kinds: Set<OutboxMessage.Kind>
    }

    public func messages(of entries: [Entry]) async throws -> [UUID: MessageSummary] {
        guard let outbox else { return [:] }
        let all = try await outbox.messages(appointmentIDs: entries.map(\.appointment.id))
        var result: [UUID: MessageSummary] = [:]
        for entry in entries {
            let messages = all[entry.appointment.id] ?? []
            result[entry.appointment.id] = MessageSummary(
                sent: Set(messages.filter { $0.state == .sent }.map(\.channel)), failed: Set(messages.filter { $0.state == .failed }.map(\.channel)),
                unreached: OutboxMessage.nobodyReached(messages, status: entry.appointment.status),
                kinds: Set(messages.filter { $0.state != .failed }.map(\.kind)))
        }
        return result
    }

    /// One practitioner on one day: the appointments, the free time left in the department's
    /// openings, and the absences.
    public struct Cell: Sendable {
        public let date: LocalDate
        public let entries: [Entry]
        public let free: [Interval]
        public let absences: [Interval]

        /// Appointments that still take time (cancelled ones are listed, struck through, but not counted).
        public var activeCount: Int { entries.filter { $0.appointment.status != .cancelled }.count }
        public var freeMinutes: Int { free.reduce(0) { $0 + Int($1.end.timeIntervalSince($1.start)) / 60 } }
    }

    public struct Row: Sendable {
        public let practitioner: Practitioner
        public let cells: [Cell]
    }

    /// A department's days, one row per practitioner (or only one practitioner's).
    public struct Span: Sendable {
        public let department: Department
        public let timeZone: TimeZone
        public let days: [LocalDate]
        public let rows: [Row]
        /// Today in the site's zone (the "today" link, this week).
        public let today: LocalDate
    }

    /// Where a span starts: a given day, or today in the department's site zone; `week` moves it
    /// back to that week's Monday.
    public struct Start: Sendable {
        let day: LocalDate?
        let week: Bool
        public static func day(_ day: LocalDate?) -> Start { Start(day: day, week: false) }
        public static func week(holding day: LocalDate?) -> Start { Start(day: day, week: true) }
    }

    /// The departments this booker works in (every department for group-wide grants).
    public func departments(for booker: Booker) async throws -> [Department] {
        guard booker.isStaff else { throw BookingError.forbidden("The agenda is for the hospital's staff.") }
        // The directory's list (one read, remembered while the configuration holds), not a query per site.
        let result = try await directory.siteDepartments().flatMap(\.departments).filter { booker.serves($0.id) }
        return result.sorted { SearchText.fold($0.name) < SearchText.fold($1.name) }
    }

    /// `days` days from `start` (a day, or a week); `practitionerID`: only that practitioner's row
    /// (a practitioner's own agenda). With `patients`, each appointment comes with its patient and
    /// every patient listed is audited; without, only times and motives are read (a week's
    /// overview of a whole department names nobody).
    public func span(
        from origin: Start, days: Int, departmentID: UUID, practitionerID: UUID? = nil, patients withPatients: Bool = true, by booker: Booker
    ) async throws -> Span {
        guard booker.isStaff, booker.serves(departmentID), let (department, zone) = try await organisation.departmentAndZone(id: departmentID) else {
            throw BookingError.notFound("No department of yours has this id.")
        }
        let today = LocalDate(clock.now(), in: zone)
        let day = origin.day ?? today
        let first = origin.week ? day.adding(days: 1 - day.isoWeekday) : day
        let dates = (0..<max(days, 1)).map { first.adding(days: $0) }
        let start = first.instant(atMinute: 0, in: zone), end = first.adding(days: dates.count).instant(atMinute: 0, in: zone)
        let profiles = try await directory.members(of: department).filter { practitionerID == nil || $0.practitioner.id == practitionerID }
        // Any motive of the department loads the practitioner's agenda (templates, absences, occupations).
        let departmentMotives = try await motives.motives(departmentID: departmentID)
        let agendas: [UUID: AgendaSnapshot]
        if let motive = departmentMotives.first {
            agendas = try await availability.agendas(profiles.map { (practitionerID: $0.practitioner.id, motive: motive) }, from: start, to: end)
        } else {
            agendas = [:]
        }
        let now = clock.now()
        var rows: [Row] = []
        // The department's appointments are for its motives: read once above, not once per motive.
        var motiveCache = Dictionary(uniqueKeysWithValues: departmentMotives.map { ($0.id, $0) })
        var listed: [Entry] = []
        // One read for the whole department (and one for its patients), whatever its size.
        let all = try await appointments.appointments(practitionerIDs: profiles.map(\.practitioner.id), from: start, to: end)
            .filter { $0.departmentID == departmentID }
        let byPractitioner = Dictionary(grouping: try await self.entries(all, motives: &motiveCache, patients: withPatients)) { $0.appointment.practitionerID }
        for profile in profiles {
            let entries = byPractitioner[profile.practitioner.id] ?? []
            if withPatients { listed += entries }
            let agenda = agendas[profile.practitioner.id]
            rows.append(Row(practitioner: profile.practitioner, cells: dates.map { date in
                Cell(date: date, entries: entries.filter { LocalDate($0.appointment.startsAt, in: zone) == date },
                     free: agenda?.freeTime(on: date, departmentID: departmentID, now: now) ?? [], absences: agenda?.absences(on: date) ?? [])
            }))
        }
        try await recordListing(listed, by: booker)
        return Span(department: department, timeZone: zone, days: dates, rows: rows, today: today)
    }

    /// Each appointment with its patient and motive (motives read once each), by start time.
    func entries(_ listed: [Appointment], motives cache: inout [UUID: Motive], patients withPatients: Bool = true) async throws -> [Entry] {
        var entries: [Entry] = []
        let people = withPatients ? try await patients.patients(ids: listed.map(\.patientID)) : [:]
        for appointment in listed {
            if cache[appointment.motiveID] == nil { cache[appointment.motiveID] = try await motives.motive(id: appointment.motiveID) }
            entries.append(Entry(appointment: appointment, patient: people[appointment.patientID], motive: cache[appointment.motiveID]))
        }
        return entries.sorted { $0.appointment.startsAt < $1.appointment.startsAt }
    }

    /// One audit row per patient listed, written together.
    func recordListing(_ entries: [Entry], by booker: Booker) async throws {
        let now = clock.now()
        try await audit.append(contentsOf: entries.map {
            AccessAuditEntry(
                id: ids.next(), at: now, actorAccountID: booker.accountID, action: "list_appointments", patientID: $0.appointment.patientID,
                target: "appointment:\($0.appointment.id.uuidString.lowercased())", outcome: .allowed)
        })
    }

    // MARK: Absences

    /// The practitioner, when this booker serves one of their departments.
    public func practitioner(_ id: UUID, by booker: Booker) async throws -> PractitionerProfile {
        guard booker.isStaff, let profile = try await directory.practitionerProfile(id: id),
              profile.departments.contains(where: { booker.serves($0.id) }) else {
            throw BookingError.notFound("No practitioner of your departments has this id.")
        }
        return profile
    }

    /// The booked appointments an absence from `start` to `end` would fall on (each listed patient is audited).
    public func appointmentsHit(practitionerID: UUID, from start: Date, to end: Date, by booker: Booker) async throws -> [Entry] {
        _ = try await practitioner(practitionerID, by: booker)
        guard end > start else {
            throw BookingError.refused(RuleViolation(.notAnOpening, "The absence must end after it starts."))
        }
        guard end.timeIntervalSince(start) <= 366 * 86_400 else {
            throw BookingError.refused(RuleViolation(.tooFarAhead, "An absence lasts a year at most; add another one after."))
        }
        let hit = try await appointments.appointments(practitionerID: practitionerID, from: start, to: end)
            .filter { $0.status == .booked && $0.endsAt > start && $0.startsAt < end }
        var cache: [UUID: Motive] = [:]
        let entries = try await entries(hit, motives: &cache)
        try await recordListing(entries, by: booker)
        return entries
    }

    /// Records the absence: no slot is offered in it from now on (the agenda versions move in the
    /// same transaction, so every instance sees it). Appointments already booked in it stay, and
    /// are returned: the secretaries call those patients.
    public func addAbsence(practitionerID: UUID, from start: Date, to end: Date, reason: String, by booker: Booker) async throws -> (ScheduleException, [Entry]) {
        let hits = try await appointmentsHit(practitionerID: practitionerID, from: start, to: end, by: booker)
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 200 else { throw BookingError.refused(RuleViolation(.textTooLong, "Say why in 200 characters at most.")) }
        let absence = ScheduleException(id: ids.next(), owner: .practitioner(practitionerID), kind: .absence, startsAt: start, endsAt: end, reason: trimmed)
        try await motives.insert(absence)
        return (absence, hits)
    }

    /// A practitioner's absences still to come (or under way), for the page that lifts them.
    public func absences(practitionerID: UUID, by booker: Booker) async throws -> [ScheduleException] {
        _ = try await practitioner(practitionerID, by: booker)
        return try await motives.absences(ownerID: practitionerID, endingAfter: clock.now(), limit: 100)
    }

    /// Lifts an absence entered by mistake or cancelled: its time is bookable again, and the
    /// waiting list offers it.
    public func liftAbsence(id: UUID, practitionerID: UUID, by booker: Booker) async throws {
        _ = try await practitioner(practitionerID, by: booker)
        guard let absence = try await motives.exception(id: id), absence.kind == .absence, absence.owner == .practitioner(practitionerID),
              try await motives.deleteException(id: id) else {
            throw BookingError.notFound("This practitioner has no absence with this id.")
        }
    }

    // MARK: Extra openings

    /// The problems an exceptional session can have, each a stable translation key.
    public enum OpeningProblem: String, Error, Sendable, CaseIterable {
        case times = "opening_problem_times"
        case past = "opening_problem_past"
        case channels = "opening_problem_channels"
        case motives = "opening_problem_motives"
        case reason = "opening_problem_reason"
    }

    /// What the opening form offers: the practitioner, the department (with its site's zone) and its active motives.
    public func openingChoices(practitionerID: UUID, departmentID: UUID, by booker: Booker) async throws -> (PractitionerProfile, Department, TimeZone, [Motive]) {
        let profile = try await practitioner(practitionerID, by: booker)
        guard booker.serves(departmentID), profile.departments.contains(where: { $0.id == departmentID }),
              let (department, zone) = try await organisation.departmentAndZone(id: departmentID) else {
            throw BookingError.notFound("No practitioner of your departments has this id.")
        }
        return (profile, department, zone, try await motives.motives(departmentID: departmentID).filter(\.isActive))
    }

    /// Opens an exceptional session for a practitioner in one of their departments: bookable
    /// through `channels` for the chosen motives of that department (all of them when none is
    /// chosen), from now on, on every instance (the agenda versions move). At most a day long,
    /// on the 5-minute grid, in the future.
    public func addOpening(
        practitionerID: UUID, departmentID: UUID, from start: Date, to end: Date, channels: ChannelSet, motiveIDs: [UUID], reason: String, by booker: Booker
    ) async throws -> ScheduleException {
        let profile = try await practitioner(practitionerID, by: booker)
        guard booker.serves(departmentID), profile.departments.contains(where: { $0.id == departmentID }) else {
            throw BookingError.notFound("No practitioner of your departments has this id.")
        }
        let minutes = end.timeIntervalSince(start) / 60
        guard minutes > 0, minutes <= 1_440, Int(start.timeIntervalSince1970) % 300 == 0, Int(end.timeIntervalSince1970) % 300 == 0 else {
            throw OpeningProblem.times
        }
        guard end > clock.now() else { throw OpeningProblem.past }
        guard !channels.isEmpty, channels.rawValue <= ChannelSet.maximumRawValue else { throw OpeningProblem.channels }
        let offered = try await motives.motives(departmentID: departmentID).filter(\.isActive).map(\.id)
        guard !offered.isEmpty, motiveIDs.allSatisfy(offered.contains) else { throw OpeningProblem.motives }
        let trimmed = reason.trimmed
        guard trimmed.count <= 200 else { throw OpeningProblem.reason }
        // An opening with no motive would take every motive of every department: name them.
        let opening = ScheduleException(
            id: ids.next(), owner: .practitioner(practitionerID), kind: .extraOpening, startsAt: start, endsAt: end, reason: trimmed,
            channels: channels, motiveIDs: (motiveIDs.isEmpty ? offered : motiveIDs).sorted { $0.uuidString < $1.uuidString })
        try await motives.insert(opening)
        return opening
    }
}
