import CreneauDomain
import Foundation
import HTTPTypes
import Hummingbird

/// Appointments over FHIR: read and search for whoever may see them (the JSON API's rules:
/// the patient's account, staff of the department, the referring doctor, a visitor with the
/// manage token), booking through `BookingService.book` — the one path of every surface —
/// and changes by update (`status: cancelled`, staff's arrived / fulfilled / noshow, a new
/// `start` to move).
extension FHIRController {
    static let manageTokenHeader = HTTPField.Name("Creneau-Manage-Token")!

    // MARK: Read and search

    func appointment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.pathID(context, type: "Appointment")
        let appointment = try await booking.appointment(id: id, by: context.booker, manageToken: request.headers[Self.manageTokenHeader])
        return FHIRResponse.resource(try await resource(appointment))
    }

    func resource(_ appointment: Appointment) async throws -> FHIRAppointment {
        let (motive, zone) = try await booking.context(of: appointment)
        let practitioner = try await directory.practitionerProfile(id: appointment.practitionerID)?.practitioner
        return FHIRMapping.appointment(appointment, motive: motive, timeZone: zone, practitioner: practitioner)
    }

    /// A patient's account: its people's appointments; a referring doctor: their referrals;
    /// staff: one practitioner's over at most 31 days (`practitioner` and `date` ranges),
    /// each patient listed audited. A visitor has no list to search.
    func appointments(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = try FHIRQuery(request: request, supported: ["patient", "practitioner", "date", "status"])
        let booker = context.booker, now = clock.now()
        let (lower, upper) = try query.range("date", now: now, zone: Site.defaultZone)
        let patient = try query.reference("patient", type: "Patient")
        let status = try query.string("status").map { text in
            guard let status = AppointmentStatus.allCases.first(where: { FHIRMapping.status($0) == text }) else {
                throw APIError.badRequest("status must be booked, arrived, fulfilled, noshow or cancelled.", code: "invalid_parameter")
            }
            return status
        }
        var found: [Appointment]
        switch booker.kind {
        case .visitor, .waitlist:
            throw APIError(.unauthorized, code: "sign_in_required",
                           message: "Sign in to search appointments (a visitor reads their own with its manage token: GET /fhir/Appointment/{id}).")
        case .patient(let accountID):
            found = try await relatives.appointments(accountID: accountID).flatMap(\.appointments)
        case .referringDoctor:
            found = try await booking.referrals(by: booker, limit: 500)
        case .staff:
            guard let practitionerID = try query.reference("practitioner", type: "Practitioner") else {
                throw APIError.badRequest("Say whose agenda: practitioner=Practitioner/{id}, with date=ge…&date=lt… (31 days at most).", code: "missing_parameter")
            }
            let from = lower ?? LocalDate(now, in: Site.defaultZone).instant(atMinute: 0, in: Site.defaultZone)
            let to = upper ?? from.addingTimeInterval(86_400)
            guard to > from, to.timeIntervalSince(from) <= 31 * 86_400 else {
                throw APIError.badRequest("date must span 31 days at most, its end after its start.", code: "invalid_parameter")
            }
            found = try await staffAppointments(practitionerID: practitionerID, from: from, to: to, by: booker)
        }
        found = found.filter { appointment in
            (patient.map { appointment.patientID == $0 } ?? true) && (status.map { appointment.status == $0 } ?? true)
                && (lower.map { appointment.endsAt > $0 } ?? true) && (upper.map { appointment.startsAt < $0 } ?? true)
        }.sorted { ($0.startsAt, $0.id.fhir) < ($1.startsAt, $1.id.fhir) }
        // Resources are built for the page only.
        let offset = try query.offset
        var page: [FHIRController.Entry] = []
        for appointment in found.dropFirst(offset).prefix(try query.count) {
            page.append((appointment.id.fhir, "Appointment", try await resource(appointment)))
        }
        return try searchset(request, query: query, page: page, total: found.count)
    }

    /// A practitioner's appointments in the departments this staff member serves (audited by the agenda).
    func staffAppointments(practitionerID: UUID, from: Date, to: Date, by booker: Booker) async throws -> [Appointment] {
        let profile = try await agenda.practitioner(practitionerID, by: booker)
        let zone = profile.timeZone
        let first = LocalDate(from, in: zone), days = max(1, first.days(until: LocalDate(to, in: zone)) + 1)
        var found: [Appointment] = []
        for department in profile.departments where booker.serves(department.id) {
            let span = try await agenda.span(from: .day(first), days: days, departmentID: department.id, practitionerID: practitionerID, by: booker)
            found += span.rows.flatMap { $0.cells.flatMap { $0.entries.map(\.appointment) } }
        }
        return found
    }

    // MARK: Booking

    /// What a FHIR booking remembers for a replay: the resource and the visitor's manage token.
    struct Remembered: Codable {
        var manageToken: String?
        var appointment: Data
    }

    func book(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await countAttempt(context)
        let body = try await JSONRequest.body(request)
        let parsed = try Self.decodeAppointment(body)
        let bookingRequest = try bookingRequest(parsed, booker: context.booker)
        let key = try request.headers[AppointmentsController.idempotencyKeyHeader].map { _ in
            BookingKey(scope: "fhir:" + context.booker.idempotencyScope, key: try AppointmentsController.idempotencyKey(request),
                       fingerprint: AppointmentsController.fingerprint(method: "POST", path: "/fhir/Appointment", body: body))
        }
        if let key, let record = try await booking.remembered(key) {
            guard record.fingerprint == key.fingerprint else {
                throw APIError.unprocessable("This Idempotency-Key was already used for a different request. Use a new key for a new booking.", code: "idempotency_key_reused")
            }
            return try replay(RememberedAnswer(status: record.status, body: record.body), request: request)
        }
        // The practitioner's name is read before booking, so the answer stored for a replay is the one sent now.
        let practitioner = try await directory.practitionerProfile(id: bookingRequest.practitionerID)?.practitioner
        let outcome = try await booking.book(bookingRequest, by: context.booker, key: key) { prepared in
            let resource = FHIRMapping.appointment(prepared.appointment, motive: prepared.motive, timeZone: prepared.timeZone, practitioner: practitioner)
            let remembered = Remembered(manageToken: prepared.manageToken, appointment: try FHIRResponse.encode(resource))
            return RememberedAnswer(status: 201, body: try JSONEncoder().encode(remembered))
        }
        switch outcome {
        case .replayed(let answer):
            return try replay(answer, request: request)
        case .booked(let prepared, let answer):
            var response = try replay(answer, request: request)
            response.headers[IdempotencyStore.replayedHeader] = nil
            response.headers[.location] = base(request) + "/Appointment/" + prepared.appointment.id.fhir
            return response
        }
    }

    func replay(_ answer: RememberedAnswer, request: Request) throws -> Response {
        guard let remembered = try? JSONDecoder().decode(Remembered.self, from: answer.body) else {
            throw APIError.unprocessable("This Idempotency-Key was used for a booking through another surface. Use a new key.", code: "idempotency_key_reused")
        }
        var response = FHIRResponse.data(remembered.appointment, status: HTTPResponse.Status(code: answer.status))
        if let token = remembered.manageToken { response.headers[Self.manageTokenHeader] = token }
        response.headers[IdempotencyStore.replayedHeader] = "true"
        return response
    }

    static func decodeAppointment(_ body: ByteBuffer) throws -> FHIRAppointment {
        let appointment: FHIRAppointment = try JSONRequest.decode(body)
        guard appointment.resourceType == "Appointment" else {
            throw APIError.badRequest("The body must be an Appointment resource (\"resourceType\": \"Appointment\").", code: "invalid_resource")
        }
        return appointment
    }

    /// The booking a FHIR Appointment asks for: the slot (`slot: [{reference: "Slot/{id}"}]`)
    /// names practitioner, motive and start; the patient is a participant — `Patient/{id}` for
    /// someone of the caller's account or known to staff, or a new person described in
    /// `contained` (`#id`) —; `comment` is the reason; a referrer participant (type `REF`) names
    /// the referring doctor by their Creneau id.
    func bookingRequest(_ appointment: FHIRAppointment, booker: Booker) throws -> BookingRequest {
        if let status = appointment.status, !["proposed", "pending", "booked"].contains(status) {
            throw APIError.unprocessable("A new appointment's status is booked, pending or proposed; \"\(status.prefix(30))\" is for one that exists.", code: "invalid_status")
        }
        guard let slots = appointment.slot, slots.count == 1, let reference = slots[0].reference else {
            throw APIError.unprocessable("Name exactly one free slot: \"slot\": [{\"reference\": \"Slot/{id}\"}] (from a Slot search).", code: "missing_slot")
        }
        let slotText = reference.hasPrefix("Slot/") ? String(reference.dropFirst(5)) : String(reference.split(separator: "/").last ?? "")
        guard let slot = FHIRSlotID(slotText) else {
            throw APIError.unprocessable("\"slot\" does not name a Slot of this server: use the id a Slot search gave.", code: "unknown_slot")
        }
        _ = try InputDates.bounded(slot.start, field: "The slot's start", now: clock.now())
        let participants = appointment.participant ?? []
        let patientActors = participants.compactMap(\.actor).filter { ($0.reference ?? "").hasPrefix("Patient/") || ($0.reference ?? "").hasPrefix("#") }
        guard patientActors.count == 1, let patientReference = patientActors[0].reference else {
            throw APIError.unprocessable("Name the patient once, as a participant: {\"actor\": {\"reference\": \"Patient/{id}\"}} or \"#p\" for a patient in \"contained\".",
                                         code: "missing_patient")
        }
        var language = Language.fr
        let patient: BookingRequest.PatientChoice
        if patientReference.hasPrefix("#") {
            let localID = String(patientReference.dropFirst())
            guard let contained = appointment.contained?.first(where: { $0.id == localID && $0.resourceType == "Patient" }) else {
                throw APIError.unprocessable("\"\(patientReference.prefix(40))\" names no Patient in \"contained\".", code: "missing_patient")
            }
            (patient, language) = try Self.newPatient(contained)
        } else {
            patient = .existing(try FHIRQuery.id(in: patientReference, type: "Patient", field: "participant.actor"))
        }
        var referringDoctor: UUID?
        for participant in participants where participant.type?.contains(where: { $0.coding?.contains { $0.code == "REF" } ?? false }) ?? false {
            guard let identifier = participant.actor?.identifier, identifier.system == FHIRSystems.referringDoctor,
                  let id = identifier.value.flatMap(UUID.init(uuidString:)) else {
                throw APIError.unprocessable("A referrer is named by \"actor\": {\"identifier\": {\"system\": \"\(FHIRSystems.referringDoctor)\", \"value\": \"{id}\"}} (GET /api/v1/referring-doctors).",
                                             code: "invalid_referrer")
            }
            referringDoctor = id
        }
        let channel: Channel = booker.channels.contains(.online) ? .online : (booker.channels.contains(.referral) ? .referral : .phone)
        var request = BookingRequest(
            practitionerID: slot.practitionerID, motiveID: slot.motiveID, start: slot.start, patient: patient, channel: channel,
            reason: appointment.comment.flatMap { $0.isEmpty ? nil : $0 }, notes: nil, referringDoctorID: referringDoctor, holdID: nil, holdToken: nil)
        request.language = language
        return request
    }

    static func newPatient(_ contained: FHIRContainedPatient) throws -> (BookingRequest.PatientChoice, Language) {
        guard let name = contained.name?.first, let family = name.family, let given = name.given?.first else {
            throw APIError.unprocessable("The contained Patient needs a name with \"family\" and \"given\".", code: "missing_field")
        }
        guard let birth = try InputDates.birthDate(contained.birthDate, field: "Patient.birthDate") else {
            throw APIError.unprocessable("The contained Patient needs \"birthDate\" (YYYY-MM-DD).", code: "missing_field")
        }
        let email = contained.telecom?.first { $0.system == "email" }?.value
        let phone = contained.telecom?.first { $0.system == "phone" || $0.system == "sms" }?.value
        let code = contained.communication?.first?.language.coding?.first?.code?.lowercased().prefix(2)
        let language = code.flatMap { Language(rawValue: String($0)) } ?? .fr
        return (.new(PatientDetails(firstName: given, lastName: family, birthDate: birth, email: email, phone: phone)), language)
    }

    /// Counts a booking attempt against the caller's limit, as the JSON API does (a limit of its own).
    func countAttempt(_ context: AppRequestContext) async throws {
        try await limiter.countBooking(by: context, limits: limits, now: clock.now())
    }

    // MARK: Changes

    /// `PUT /fhir/Appointment/{id}` with the resource as read, changed in one way: its status
    /// (cancelled; staff: arrived, fulfilled, noshow) or its start (a move to a free slot of the
    /// same practitioner and motive). Anything else is refused, nothing written.
    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.pathID(context, type: "Appointment")
        let changed = try Self.decodeAppointment(try await JSONRequest.body(request))
        if let bodyID = changed.id, bodyID != id.fhir {
            throw APIError.badRequest("The resource's id must be the one in the address.", code: "invalid_resource")
        }
        let token = request.headers[Self.manageTokenHeader]
        let current = try await booking.appointment(id: id, by: context.booker, manageToken: token)
        guard let status = changed.status else { throw APIError.unprocessable("\"status\" is missing.", code: "missing_field") }
        let newStart = try changed.start.map { try InputDates.instant(rfc3339: $0, field: "start", now: clock.now()) }
        let action: AppointmentAction?
        switch status {
        case FHIRMapping.status(current.status):
            if let newStart, newStart != current.startsAt {
                action = .move(start: newStart, end: newStart, reason: changed.comment)
            } else {
                action = nil
            }
        case "cancelled": action = .cancel(reason: changed.cancelationReason?.text)
        case "arrived": action = .arrive
        case "fulfilled": action = .fulfil
        case "noshow": action = .noShow
        default:
            throw APIError.unprocessable("An appointment's status changes to cancelled, arrived, fulfilled or noshow; \"\(status.prefix(30))\" is not one of them.",
                                         code: "invalid_status")
        }
        if action != nil, status != FHIRMapping.status(current.status), let newStart, newStart != current.startsAt {
            throw APIError.unprocessable("Change the status or move the appointment, one at a time.", code: "invalid_change")
        }
        var result = current
        if let action { result = try await booking.perform(action, appointmentID: id, by: context.booker, manageToken: token) }
        return FHIRResponse.resource(try await resource(result))
    }
}
