@preconcurrency import Crypto
import CreneauDomain
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Booking over the API (the contract in README.md, "API v1"): `POST /api/v1/appointments` with an
/// `Idempotency-Key`, `GET /api/v1/appointments/{id}`, `…/{id}/cancel`,
/// `…/{id}/move`, and holds (`POST /api/v1/holds`, `DELETE /api/v1/holds/{id}`).
///
/// Until sign-in exists (the accounts issue) every caller is a visitor: it
/// books online for a new patient, and sees or changes an appointment with the
/// manage token it got when booking (header `Creneau-Manage-Token`).
struct AppointmentsController: Sendable {
    let booking: BookingService
    let idempotency: IdempotencyStore
    let clock: Clock
    let limits: RateLimits
    let limiter: RateLimiter

    /// Counts a booking or hold attempt against the caller's limit; 429 with Retry-After past it.
    func countAttempt(_ context: AppRequestContext) async throws {
        try await limiter.countBooking(by: context, limits: limits, now: clock.now())
    }

    static let manageTokenHeader = HTTPField.Name("Creneau-Manage-Token")!
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!

    func register(on router: Router<AppRequestContext>) {
        router.post("/api/v1/appointments") { request, context in try await self.book(request, context: context) }
        router.get("/api/v1/appointments/{id}") { request, context in try await self.show(request, context: context) }
        router.get("/api/v1/appointments/{id}/calendar.ics") { request, context in try await self.calendar(request, context: context) }
        router.post("/api/v1/appointments/{id}/cancel") { request, context in try await self.cancel(request, context: context) }
        router.post("/api/v1/appointments/{id}/move") { request, context in try await self.move(request, context: context) }
        router.post("/api/v1/holds") { request, context in try await self.hold(request, context: context) }
        router.delete("/api/v1/holds/{id}") { request, context in try await self.releaseHold(request, context: context) }
        router.get("/api/v1/referring-doctors") { request, _ in try await self.referringDoctors(request) }

        // The desk and the practitioner record what happened; only staff reach these.
        let staff = router.group(context: StaffContext.self)
        for (path, action) in [("arrive", AppointmentAction.arrive), ("fulfil", .fulfil), ("noshow", .noShow)] {
            staff.post("/api/v1/appointments/{id}/\(path)") { _, context in
                guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No record has this id.") }
                let appointment = try await booking.perform(action, appointmentID: id, by: context.booker, manageToken: nil)
                return try await respond(appointment)
            }
        }
    }

    /// `GET /api/v1/referring-doctors?q=dupont pontoise`: the directory a new patient picks their referring doctor from.
    func referringDoctors(_ request: Request) async throws -> Response {
        let query = QueryParameters(request: request)
        guard let text = query.string("q"), SearchText.fold(text).count >= 2 else {
            throw APIError.badRequest("Type at least two letters of the doctor's name or town: ?q=dupont pontoise.", code: "missing_parameter")
        }
        let limit = try query.integer("limit", default: 20, in: 1...50, explanation: "how many doctors to return")
        let doctors = try await booking.searchReferringDoctors(text, limit: limit)
        return try JSON.response(ReferringDoctorsJSON(referringDoctors: doctors.map(ReferringDoctorJSON.init)))
    }

    // MARK: Booking

    func book(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await countAttempt(context)
        let key = try Self.idempotencyKey(request)
        let body = try await JSONRequest.body(request)
        let scope = context.booker.idempotencyScope
        let fingerprint = Self.fingerprint(method: "POST", path: "/api/v1/appointments", body: body)

        let remembered = BookingKey(scope: scope, key: key, fingerprint: fingerprint)
        if let replay = try await idempotency.replay(remembered) { return replay }
        guard idempotency.begin(scope: scope, key: key) else { throw IdempotencyKeyUsed() }
        defer { idempotency.end(scope: scope, key: key) }

        let parsed: BookingBody = try JSONRequest.decode(body)
        let bookingRequest = try Self.bookingRequest(parsed, now: clock.now())
        let outcome = try await booking.book(bookingRequest, by: context.booker, key: remembered) { prepared in
            let json = AppointmentJSON(prepared.appointment, motive: prepared.motive, timeZone: prepared.timeZone, manageToken: prepared.manageToken)
            return RememberedAnswer(status: 201, body: try JSON.encode(json))
        }
        switch outcome {
        case .replayed(let answer):
            return IdempotencyStore.response(answer)
        case .booked(let prepared, let answer):
            var response = JSON.response(data: answer.body, status: .created)
            response.headers[.location] = AppointmentJSON.link(prepared.appointment.id)
            return response
        }
    }

    static func bookingRequest(_ body: BookingBody, now: Date) throws -> BookingRequest {
        let practitioner = try JSONRequest.requiredID(body.practitioner, field: "practitioner")
        let motive = try JSONRequest.requiredID(body.motive, field: "motive")
        let start = try instant(body.start, field: "start", now: now)
        let channel = try channel(body.channel)
        let patient: BookingRequest.PatientChoice
        var language = Language.fr
        switch (body.patient, body.patientId) {
        case (nil, nil):
            throw APIError.badRequest("Say who the appointment is for: \"patient\" (first name, last name, birth date, email or phone) or \"patientId\".", code: "missing_field")
        case (.some, .some):
            throw APIError.badRequest("Give either \"patient\" or \"patientId\", not both.", code: "invalid_field")
        case (nil, let id?):
            patient = .existing(try JSONRequest.requiredID(id, field: "patientId"))
        case (let details?, nil):
            guard let first = details.firstName, let last = details.lastName else {
                throw APIError.badRequest("\"patient\" needs \"firstName\" and \"lastName\".", code: "missing_field")
            }
            guard let birth = try InputDates.birthDate(details.birthDate, field: "\"patient.birthDate\"") else {
                throw APIError.badRequest("\"patient\" needs \"birthDate\" (YYYY-MM-DD).", code: "missing_field")
            }
            patient = .new(PatientDetails(firstName: first, lastName: last, birthDate: birth, email: details.email, phone: details.phone))
            if let text = details.language {
                guard let chosen = Language(rawValue: text) else {
                    throw APIError.badRequest("\"patient.language\" is \"fr\" or \"en\".", code: "invalid_field")
                }
                language = chosen
            }
        }
        var request = BookingRequest(
            practitionerID: practitioner, motiveID: motive, start: start, patient: patient, channel: channel,
            reason: body.reason, notes: body.notes,
            referringDoctorID: try body.referringDoctor.map { try JSONRequest.requiredID($0, field: "referringDoctor") },
            holdID: try body.hold.map { try JSONRequest.requiredID($0, field: "hold") }, holdToken: body.holdToken)
        request.language = language
        return request
    }

    // MARK: One appointment

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try JSONRequest.pathID(context)
        let appointment = try await booking.appointment(id: id, by: context.booker, manageToken: Self.manageToken(request))
        return try await respond(appointment)
    }

    /// "Add to calendar": the appointment as an iCalendar file, for whoever may see it. A
    /// download link cannot send a header, so the manage token may also come as `?token=`
    /// (never logged: request logs leave the query out).
    func calendar(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try JSONRequest.pathID(context)
        let token = Self.manageToken(request) ?? request.uri.queryParameters.get("token").map { String($0) }
        let appointment = try await booking.appointment(id: id, by: context.booker, manageToken: token)
        let text = ICalendar.document([try await booking.calendarEvent(of: appointment)])
        return Response(
            status: .ok,
            headers: [.contentType: "text/calendar; charset=utf-8", .contentDisposition: "attachment; filename=\"rendez-vous.ics\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try JSONRequest.pathID(context)
        let body: CancelBody = try await JSONRequest.read(request, allowEmpty: true)
        let appointment = try await booking.perform(.cancel(reason: body.reason), appointmentID: id, by: context.booker, manageToken: Self.manageToken(request))
        return try await respond(appointment)
    }

    func move(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try JSONRequest.pathID(context)
        let body: MoveBody = try await JSONRequest.read(request)
        let start = try Self.instant(body.start, field: "start", now: clock.now())
        // The end follows from the motive; the service fills it in from the slot.
        let appointment = try await booking.perform(
            .move(start: start, end: start, reason: body.reason), appointmentID: id, by: context.booker, manageToken: Self.manageToken(request))
        return try await respond(appointment)
    }

    func respond(_ appointment: Appointment) async throws -> Response {
        let (motive, timeZone) = try await booking.context(of: appointment)
        return try JSON.response(AppointmentJSON(appointment, motive: motive, timeZone: timeZone))
    }

    // MARK: Holds

    func hold(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await countAttempt(context)
        let body: HoldBody = try await JSONRequest.read(request)
        let placed = try await booking.placeHold(
            practitionerID: try JSONRequest.requiredID(body.practitioner, field: "practitioner"),
            motiveID: try JSONRequest.requiredID(body.motive, field: "motive"),
            start: try Self.instant(body.start, field: "start", now: clock.now()),
            channel: try Self.channel(body.channel), by: context.booker)
        let timeZone = try await booking.timeZone(ofPractitioner: placed.hold.practitionerID)
        return try JSON.response(HoldJSON(placed.hold, token: placed.token, timeZone: timeZone), status: .created)
    }

    static let holdTokenHeader = HTTPField.Name("Creneau-Hold-Token")!

    /// Only who placed a hold releases it: their account, or the hold's token.
    func releaseHold(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await booking.releaseHold(id: try JSONRequest.pathID(context), by: context.booker, token: request.headers[Self.holdTokenHeader])
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}
