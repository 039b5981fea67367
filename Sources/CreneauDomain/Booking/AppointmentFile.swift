import Foundation

/// An appointment as the desk looks at it before changing it: who, what, when, and its history —
/// who booked, moved, cancelled or marked it, when, and by which channel. Reading it is audited
/// like every other reading of a patient's data (through `BookingService.appointment`).
public struct AppointmentFile: Sendable {
    let booking: BookingService
    let appointments: any AppointmentRepository
    let patients: any PatientRepository
    let accounts: any AccountRepository
    let outbox: (any OutboxRepository)?
    let noShows: (any NoShowRepository)?

    public init(booking: BookingService, appointments: any AppointmentRepository, patients: any PatientRepository, accounts: any AccountRepository,
                outbox: (any OutboxRepository)? = nil, noShows: (any NoShowRepository)? = nil) {
        self.outbox = outbox
        self.noShows = noShows
        self.booking = booking
        self.appointments = appointments
        self.patients = patients
        self.accounts = accounts
    }

    public struct Entry: Sendable {
        public var event: AppointmentEvent
        /// The member of staff, patient or doctor who acted (nil: a visitor with the confirmation's link, or the system).
        public var actor: String?
    }

    public struct File: Sendable {
        public var appointment: Appointment
        public var patient: Patient?
        public var motive: Motive
        public var timeZone: TimeZone
        public var history: [Entry]
        /// What was sent to the patient about it, what waits, what failed (the desk calls those it could not reach).
        public var messages: [OutboxMessage]
        /// The patient's no-shows at this site within its rule's window, when the site has a rule.
        public var noShows: (record: NoShowRecord, policy: NoShowPolicy)?
    }

    public func file(of id: UUID, by booker: Booker) async throws -> File {
        guard booker.isStaff else { throw BookingError.forbidden("An appointment's history is for the hospital's staff.") }
        let appointment = try await booking.appointment(id: id, by: booker, manageToken: nil)
        let (motive, zone) = try await booking.context(of: appointment)
        var names: [UUID: String] = [:]
        var history: [Entry] = []
        for event in try await appointments.events(appointmentID: id).sorted(by: { $0.at < $1.at }) {
            var actor: String?
            if let accountID = event.actorAccountID {
                if names[accountID] == nil { names[accountID] = try await accounts.account(id: accountID)?.displayName }
                actor = names[accountID]
            }
            history.append(Entry(event: event, actor: actor))
        }
        let messages = try await outbox?.messages(appointmentIDs: [id])[id] ?? []
        var noShowRecord: (NoShowRecord, NoShowPolicy)?
        if let noShows, let site = try await site(of: appointment), let policy = site.noShowPolicy {
            let since = booking.deps.clock.now().addingTimeInterval(-Double(policy.windowDays) * 86_400)
            noShowRecord = (try await noShows.noShows(patientID: appointment.patientID, siteID: site.id, since: since), policy)
        }
        return File(appointment: appointment, patient: try await patients.patient(id: appointment.patientID), motive: motive, timeZone: zone,
                    history: history, messages: messages, noShows: noShowRecord)
    }

    func site(of appointment: Appointment) async throws -> Site? {
        let profile = try await booking.deps.directory.practitionerProfile(id: appointment.practitionerID)
        let department = profile?.departments.first { $0.id == appointment.departmentID }
        return profile?.sites.first { $0.id == department?.siteID }
    }

    /// Staff lift the site's no-show rule for this appointment's patient: online booking opens again (audited).
    public func liftNoShows(appointmentID: UUID, by booker: Booker) async throws {
        guard booker.isStaff, let accountID = booker.accountID else { throw BookingError.forbidden("Only the hospital's staff lift the no-show rule.") }
        let appointment = try await booking.appointment(id: appointmentID, by: booker, manageToken: nil)
        guard let noShows, let site = try await site(of: appointment) else { throw BookingError.notFound("This appointment's site was not found.") }
        let now = booking.deps.clock.now()
        try await noShows.liftNoShows(patientID: appointment.patientID, siteID: site.id, at: now, by: accountID)
        try await booking.deps.audit.append(AccessAuditEntry(
            id: booking.deps.ids.next(), at: now, actorAccountID: accountID, action: "lift_no_shows", patientID: appointment.patientID,
            target: "site:\(site.id.uuidString.lowercased())", outcome: .allowed))
    }
}
