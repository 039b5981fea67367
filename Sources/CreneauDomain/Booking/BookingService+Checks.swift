import Foundation

/// The checks every booking path shares: the offer, the slot, who may book for whom.
extension BookingService {
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
        return Offer(profile: found.profile, motive: motive, department: department, timeZone: timeZone, site: site)
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
        case .waitlist(let waiting, _):
            guard waiting == patientID else { throw BookingError.notFound("No patient has this id.") }
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
    /// The hospital's record of the person `details` describe: the same first and last name
    /// (accents and case aside) and birth date, and — unless `byIdentityAlone` — the same email
    /// or phone, so that a namesake born the same day is not taken for them. Nil when there is
    /// none, or more than one (a human decides; see the duplicates page).
    func samePerson(_ details: PatientDetails, byIdentityAlone: Bool = false) async throws -> UUID? {
        let name = SearchText.fold("\(details.firstName.trimmed) \(details.lastName.trimmed)")
        var found = try await deps.patients.patients(searchText: name, birthDate: details.birthDate, limit: 10)
        if !byIdentityAlone {
            let email = details.email?.trimmed.lowercased().nilIfEmpty, phone = details.phone.map(PatientRules.phoneDigits)?.nilIfEmpty
            guard email != nil || phone != nil else { return nil }
            found = found.filter { patient in
                (email != nil && patient.email?.lowercased() == email) || (phone != nil && patient.phone.map(PatientRules.phoneDigits) == phone)
            }
        }
        return found.count == 1 ? found[0].id : nil
    }

    func requireAccess(to appointment: Appointment, by booker: Booker, manageToken: String?) async throws {
        if let manageToken {
            // A link from a message (signed, bound to this version of the appointment), or the token given at booking.
            if manageToken.hasPrefix("v1."), let links = deps.links, links.verify(manageToken, appointment: appointment, purpose: .manage, now: deps.clock.now()) { return }
            if try await deps.bookings.manageTokenMatches(appointmentID: appointment.id, token: manageToken) { return }
        }
        switch booker.kind {
        case .visitor:
            throw BookingError.notFound(Self.noSuchAppointment)
        case .waitlist(let patientID, _):
            guard appointment.patientID == patientID else { throw BookingError.notFound(Self.noSuchAppointment) }
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
