import Foundation

/// Seeing and changing an appointment: who may, and the lifecycle's moves.
extension BookingService {
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
        var offered: Offer?
        if case .move(let start, _, let reason) = action {
            if start == current.startsAt { throw BookingError.refused(RuleViolation(.notAnOpening, "The appointment is already at this time.")) }
            let offer = try await offer(practitionerID: current.practitionerID, motiveID: current.motiveID, now: now, requireOffered: false)
            offered = offer
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
        let messages = try await notices(from: current, to: next, action: action, by: booker, offer: offered, now: now)
        switch try await deps.bookings.apply(AppointmentChange(before: current, after: next, event: event, makesKnown: known, messages: messages)) {
        case .applied:
            return next
        case .changedMeanwhile:
            throw BookingError.changedMeanwhile
        case .slotTaken:
            throw try await slotTaken(practitionerID: current.practitionerID, motive: motive, channel: current.channel, after: next.startsAt)
        }
    }
}

extension BookingService {
    /// What a change tells the patient (see `NoticePlanner`): staff changes are the hospital's and always told, with the reason.
    func notices(from current: Appointment, to next: Appointment, action: AppointmentAction, by booker: Booker, offer: Offer?, now: Date) async throws -> [OutboxMessage] {
        guard let patient = try await deps.patients.patient(id: next.patientID) else { return [] }
        var found = offer
        if found == nil { found = try? await self.offer(practitionerID: current.practitionerID, motiveID: current.motiveID, now: now, requireOffered: false) }
        let reason: String? = switch action {
        case .cancel(let reason): reason
        case .move(_, _, let reason): reason
        default: nil
        }
        return deps.notices.changed(from: current, to: next, byHospital: booker.isStaff, reason: reason, to: try await recipient(for: patient),
                                    schedule: found?.reminders ?? .standard, zone: found?.timeZone ?? Site.defaultZone, now: now)
    }
}

extension BookingService {
    /// After a change made through a message's link (which the change retires), the link for the appointment as it is now,
    /// so the page that follows still opens; any other token is kept as it was.
    public func token(after token: String?, for appointment: Appointment) -> String? {
        guard let token, token.hasPrefix("v1."), let links = deps.links else { return token }
        return links.token(for: appointment, purpose: .manage)
    }
}

extension BookingService {
    /// The hospital cancels several appointments for one reason (a practitioner called away for a
    /// day): each is cancelled on its own (its own transaction, its own messages to the patient,
    /// which always say why), so one that changed meanwhile does not stop the others.
    public func cancelAll(_ ids: [UUID], reason: String, by booker: Booker) async -> [(id: UUID, error: (any Error)?)] {
        var results: [(id: UUID, error: (any Error)?)] = []
        for id in ids {
            do {
                _ = try await perform(.cancel(reason: reason), appointmentID: id, by: booker, manageToken: nil)
                results.append((id, nil))
            } catch {
                results.append((id, error))
            }
        }
        return results
    }
}
