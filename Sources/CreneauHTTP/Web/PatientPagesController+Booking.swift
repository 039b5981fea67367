import CreneauDomain
import Foundation
import Hummingbird

/// Booking: the slot held while the form is filled, the form, the booking (once, however often it is sent).
extension PatientPagesController {
    func hold(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let practitioner = fields["practitioner"].flatMap(UUID.init(uuidString:)), let motive = fields["motive"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.badRequest("This slot could not be read. Go back and choose it again.", code: "invalid_field")
        }
        let start = try InputDates.instant(unixSeconds: fields["start"], field: "start", now: clock.now())
        do {
            let placed = try await booking.placeHold(practitionerID: practitioner, motiveID: motive, start: start, channel: .online, by: context.booker)
            // The hold's token travels with the form: only this browser's page can use or see the hold.
            return Response(status: .seeOther, headers: [.location: "/book/\(placed.hold.id.json)?token=\(placed.token)", .cacheControl: "no-store"])
        } catch BookingError.slotTaken(let next, let zone) {
            return try taken(request, context, next: next, zone: zone, practitioner: practitioner, motive: motive)
        }
    }

    func taken(_ request: Request, _ context: AppRequestContext, next: [Slot], zone: TimeZone, practitioner: UUID, motive: UUID) throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let csrf = page.csrf(request, context, browser)
        return try pages.render("taken", page, title: pages.text("taken_title", page.language), values: [
            "text": pages.text("taken_text", page.language), "hasSlots": !next.isEmpty,
            "slots": next.map { slot -> [String: Any] in
                var button = Self.slotButton(slot, practitioner: practitioner, motive: motive, zone: zone, language: page.language, csrf: csrf)
                button["day"] = PageFormat.shortDay(slot.start, zone, page.language)
                return button
            },
            "back": "/practitioners/\(practitioner.json)?motive=\(motive.json)",
        ], status: .conflict)
    }

    /// The hold of the address, if it is still running; else the page that says the time ran out.
    enum HoldLookup {
        case live(Hold)
        case ended(Response)
    }

    func liveHold(_ context: AppRequestContext, _ page: PageContext, token: String?) async throws -> HoldLookup {
        let pages = try pages()
        guard let text = context.parameters.get("hold"), let id = UUID(uuidString: text),
              let hold = try await booking.ownedHold(id: id, by: context.booker, token: token), hold.expiresAt > clock.now() else {
            return .ended(try pages.render("message", page, title: pages.text("book_hold_expired_title", page.language), values: [
                "text": pages.text("book_hold_expired_text", page.language), "kind": "error", "role": "alert",
            ], status: .gone))
        }
        return .live(hold)
    }

    func bookingForm(_ request: Request, _ context: AppRequestContext, fields: [String: String], error: String?, status: HTTPResponse.Status,
                     doctors: [ReferringDoctor]? = nil) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let hold: Hold
        let token = Self.holdToken(request, fields)
        switch try await liveHold(context, page, token: token) {
        case .live(let live): hold = live
        case .ended(let response): return response
        }
        guard let offer = try await directory.practitionerWithMotives(id: hold.practitionerID, now: clock.now()),
              let motive = offer.motives.first(where: { $0.id == hold.motiveID }) else { throw APIError.notFound("This slot no longer exists.") }
        let zone = offer.profile.timeZone
        var values: [String: Any] = [
            "hold": hold.id.json, "holdToken": token ?? "", "csrf": page.csrf(request, context, browser), "key": fields["key"] ?? TokenGenerator.random.next(),
            "motiveName": motive.name, "practitionerName": offer.profile.practitioner.displayName,
            "day": PageFormat.day(hold.startsAt, zone, page.language), "time": PageFormat.time(hold.startsAt, zone, page.language),
            "heldUntil": PageFormat.time(hold.expiresAt, zone, page.language),
        ]
        // A signed-in patient books for themselves or a relative; a visitor types the patient's details.
        if let identity = context.identity, identity.roles.contains(.patient) {
            let people = try await relatives.list(accountID: identity.account.id)
            let chosen = fields["patientId"] ?? people.first?.patient.id.json
            values["people"] = people.map { entry -> [String: Any] in
                ["id": entry.patient.id.json, "label": entry.patient.displayName, "checked": entry.patient.id.json == chosen]
            }
            values["signedInPatient"] = true
        } else {
            values["knownOnly"] = motive.patients == .known
        }
        for name in ["firstName", "lastName", "birthDate", "email", "phone", "doctorQuery", "reason"] { values[name] = fields[name] ?? "" }
        if let error { values["error"] = error }
        if let doctors {
            values["doctors"] = doctors.map { doctor -> [String: Any] in
                ["id": doctor.id.json, "label": StaffBookingController.doctorLabel(doctor),
                 "checked": fields["referringDoctor"] == doctor.id.json || doctors.count == 1]
            }
            values["noDoctor"] = doctors.isEmpty
        } else if let chosen = fields["referringDoctor"].flatMap(UUID.init(uuidString:)) {
            // Keep the doctor chosen before, when the form comes back with an error.
            let query = fields["doctorQuery"] ?? ""
            let found = query.isEmpty ? [] : try await booking.searchReferringDoctors(query, limit: 20)
            values["doctors"] = found.map { ["id": $0.id.json, "label": StaffBookingController.doctorLabel($0), "checked": $0.id == chosen] }
        }
        return try pages.render("book", page, title: pages.text("book_title", page.language), values: values, status: status)
    }

    func book(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        if fields["action"] == "search_doctor" {
            let query = (fields["doctorQuery"] ?? "").trimmed
            let doctors = SearchText.fold(query).count >= 2 ? try await booking.searchReferringDoctors(query, limit: 20) : []
            return try await bookingForm(request, context, fields: fields, error: nil, status: .ok, doctors: doctors)
        }
        guard let holdText = context.parameters.get("hold"), let holdID = UUID(uuidString: holdText) else { throw APIError.notFound("No such booking form.") }
        // The form's own key: a double click (or a reload) books once and shows the same appointment.
        let key = String((fields["key"] ?? "").prefix(100))
        let remembered = Booked.key(context.booker, key: key, hold: holdID)
        if let stored = try await Booked.stored(booking, remembered) {
            return Self.redirect(toAppointment: stored)
        }
        let patient: BookingRequest.PatientChoice
        if context.identity?.roles.contains(.patient) == true, let id = fields["patientId"].flatMap(UUID.init(uuidString:)) {
            patient = .existing(id)
        } else {
            guard let first = fields["firstName"]?.trimmed.nilIfEmpty, let last = fields["lastName"]?.trimmed.nilIfEmpty,
                  let birth = InputDates.birthDate(form: fields["birthDate"]) else {
                return try await bookingForm(request, context, fields: fields, error: pages.text("book_missing_details", page.language), status: .unprocessableContent)
            }
            patient = .new(PatientDetails(
                firstName: first, lastName: last, birthDate: birth, email: fields["email"]?.trimmed.nilIfEmpty, phone: fields["phone"]?.trimmed.nilIfEmpty))
        }
        let holdToken = Self.holdToken(request, fields)
        guard let hold = try await booking.ownedHold(id: holdID, by: context.booker, token: holdToken), hold.expiresAt > clock.now() else {
            // The first send may have used the hold on another instance meanwhile.
            if let stored = try await Booked.stored(booking, remembered) { return Self.redirect(toAppointment: stored) }
            return try await bookingForm(request, context, fields: fields, error: nil, status: .gone)
        }
        var bookingRequest = BookingRequest(
            practitionerID: hold.practitionerID, motiveID: hold.motiveID, start: hold.startsAt, patient: patient, channel: .online,
            reason: fields["reason"]?.trimmed.nilIfEmpty, referringDoctorID: fields["referringDoctor"].flatMap(UUID.init(uuidString:)), holdID: hold.id, holdToken: holdToken)
        bookingRequest.language = page.language
        do {
            return Self.redirect(toAppointment: try await Booked.book(bookingRequest, by: context.booker, remembered, on: booking))
        } catch let error as BookingError {
            return try await refusal(error, request, context, fields: fields, hold: hold, pages: pages, page: page)
        }
    }

    func refusal(_ error: BookingError, _ request: Request, _ context: AppRequestContext, fields: [String: String], hold: Hold,
                 pages: WebPages, page: PageContext) async throws -> Response {
        switch error {
        case .refused(let violation):
            return try await bookingForm(request, context, fields: fields, error: Self.translate(violation, pages: pages, language: page.language), status: .unprocessableContent)
        case .slotTaken(let next, let zone):
            return try taken(request, context, next: next, zone: zone, practitioner: hold.practitionerID, motive: hold.motiveID)
        default:
            throw error
        }
    }

    /// The hold's token: the form's field, or the address the hold's redirect gave.
    static func holdToken(_ request: Request, _ fields: [String: String]) -> String? {
        (fields["holdToken"] ?? request.uri.queryParameters.get("token").map { String($0) })?.nilIfEmpty
    }

    /// What a refusal says: in English the rule's own sentence (it names the motive and the
    /// limits), in French the table's (`rule_<code>`) when it has one.
    static func translate(_ violation: RuleViolation, pages: WebPages, language: Language) -> String {
        guard language != .en else { return violation.message }
        let key = "rule_" + violation.code.rawValue
        let text = pages.text(key, language)
        return text == key ? violation.message : text
    }

    /// What a booking form remembers under its own key: a resend (double click, reload)
    /// finds it and answers as the first send did, booking nothing more.
    struct Booked: Codable {
        let id: String
        let token: String

        /// Forms answer under a scope of their own ("web:…"), apart from API clients' keys; an
        /// empty key (a form without one) remembers nothing.
        static func key(_ booker: Booker, key: String, hold: UUID) -> BookingKey? {
            key.isEmpty ? nil : BookingKey(scope: "web:" + booker.idempotencyScope, key: key, fingerprint: hold.json)
        }

        static func stored(_ booking: BookingService, _ key: BookingKey?) async throws -> Booked? {
            guard let key, let record = try await booking.remembered(key), record.fingerprint == key.fingerprint else { return nil }
            return try? JSONDecoder().decode(Booked.self, from: record.body)
        }

        /// Books through the one booking path, remembering this form's answer (a redirect to the appointment).
        static func book(_ request: BookingRequest, by booker: Booker, _ key: BookingKey?, on booking: BookingService) async throws -> Booked {
            let outcome = try await booking.book(request, by: booker, key: key) { prepared in
                RememberedAnswer(status: 303, body: try JSONEncoder().encode(Booked(id: prepared.appointment.id.json, token: prepared.manageToken)))
            }
            switch outcome {
            case .booked(_, let answer), .replayed(let answer):
                return try JSONDecoder().decode(Booked.self, from: answer.body)
            }
        }
    }

    static func redirect(toAppointment booked: Booked) -> Response {
        Response(status: .seeOther, headers: [.location: "/appointments/\(booked.id)?token=\(booked.token)&booked=1", .cacheControl: "no-store"])
    }
}
