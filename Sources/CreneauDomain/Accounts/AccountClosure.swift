import Foundation

/// A patient closes their account (the right to erasure, as far as the law lets it go): the
/// password is asked again; every appointment to come of the people it manages is cancelled the way
/// the patient would cancel it (so each is told, and the slot goes back to the agenda and the waiting
/// list); their waiting-list entries end; the people are unlinked; someone the hospital never saw
/// (no visit attended or missed, not in the hospital's index) is anonymised, while someone it saw
/// keeps their identity in the hospital's record (French law keeps a care record for twenty years);
/// the account keeps its row (appointments and the audit name it) but loses its email, name and
/// password, and every session ends. Audited.
public struct AccountClosure: Sendable {
    public struct Dependencies: Sendable {
        public var accounts: any AccountRepository
        public var patients: any PatientRepository
        public var appointments: any AppointmentRepository
        public var motives: any SchedulingRepository
        public var booking: BookingService
        public var waitlist: (any WaitlistRepository)?
        public var sessions: any SessionRepository
        public var passwords: any PasswordHasher
        public var audit: any AuditRepository
        public var clock: Clock
        public var ids: IDGenerator

        public init(accounts: any AccountRepository, patients: any PatientRepository, appointments: any AppointmentRepository,
                    motives: any SchedulingRepository, booking: BookingService, waitlist: (any WaitlistRepository)?, sessions: any SessionRepository,
                    passwords: any PasswordHasher, audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
            self.accounts = accounts
            self.patients = patients
            self.appointments = appointments
            self.motives = motives
            self.booking = booking
            self.waitlist = waitlist
            self.sessions = sessions
            self.passwords = passwords
            self.audit = audit
            self.clock = clock
            self.ids = ids
        }
    }

    let deps: Dependencies

    public init(_ dependencies: Dependencies) { self.deps = dependencies }

    public struct Closed: Hashable, Sendable {
        public var cancelled: Int
        public var anonymised: Int
    }

    public static let cancellationReason = "Compte fermé par le patient"

    /// Closes the account. Refused (nothing changed) for a wrong password, or when a visit to come is
    /// too close to be cancelled online (the patient calls the department first).
    public func close(accountID: UUID, password: String) async throws -> Closed {
        guard let account = try await deps.accounts.account(id: accountID), account.disabledAt == nil else {
            throw AccountError.notFound("This account does not exist or is already closed.")
        }
        guard let hash = account.passwordHash, await deps.passwords.verify(password, hash: hash) else {
            throw AccountError.refused(AccountProblem(.wrongPassword, "The password is not right: type the one you sign in with."))
        }
        let now = deps.clock.now()
        let links = try await deps.patients.managedPatients(accountID: accountID).filter { $0.removedAt == nil }

        // Every visit to come, checked before anything changes: one too close stops the closure.
        var upcoming: [Appointment] = []
        var history: [UUID: [Appointment]] = [:]
        for link in links {
            let visits = try await deps.appointments.appointments(patientID: link.patientID)
            history[link.patientID] = visits
            upcoming += visits.filter { $0.status == .booked && $0.startsAt > now }
        }
        for visit in upcoming.sorted(by: { $0.startsAt < $1.startsAt }) {
            let cutoff = try await deps.motives.motive(id: visit.motiveID)?.cancellationCutoffMinutes ?? 0
            if now > visit.startsAt.addingTimeInterval(-TimeInterval(cutoff * 60)) {
                throw AccountError.conflict(code: "visit_too_close", message: """
                    An appointment is too close to be cancelled online. Call the department to cancel it, then close your account.
                    """)
            }
        }

        let booker = Booker(.patient(accountID: accountID))
        for visit in upcoming {
            _ = try await deps.booking.perform(.cancel(reason: Self.cancellationReason), appointmentID: visit.id, by: booker, manageToken: nil)
        }
        if let waitlist = deps.waitlist, !links.isEmpty {
            for item in try await waitlist.waitlistItems(patientIDs: links.map(\.patientID), limit: 500) where item.entry.state == .waiting {
                _ = try await waitlist.closeEntry(id: item.entry.id, state: .cancelled, at: now)
            }
        }

        var anonymised = 0
        for link in links {
            try await deps.patients.unlink(accountID: accountID, patientID: link.patientID, at: now)
            guard let patient = try await deps.patients.patient(id: link.patientID) else { continue }
            let seen = (history[link.patientID] ?? []).contains { [.arrived, .fulfilled, .noshow].contains($0.status) }
            guard !seen, patient.ipp == nil, patient.ins == nil else { continue }
            // People it saw are anonymised by the retention purge once dormant past its time.
            try await deps.patients.update(patient.anonymised())
            anonymised += 1
        }

        var closed = account
        closed.email = "closed-\(account.id.uuidString.lowercased())@closed.invalid"
        closed.displayName = "Compte fermé"
        closed.passwordHash = nil
        closed.disabledAt = now
        try await deps.accounts.update(closed)
        try await deps.sessions.revokeSessions(accountID: accountID, at: now)
        try await deps.audit.append(AccessAuditEntry(
            id: deps.ids.next(), at: now, actorAccountID: accountID, action: "account:close", patientID: nil,
            target: "account:\(accountID.uuidString.lowercased()):cancelled:\(upcoming.count):anonymised:\(anonymised)", outcome: .allowed))
        return Closed(cancelled: upcoming.count, anonymised: anonymised)
    }
}
