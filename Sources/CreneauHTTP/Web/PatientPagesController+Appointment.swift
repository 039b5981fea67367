import CreneauDomain
import Foundation
import Hummingbird

/// An appointment's page (confirmation, calendar file, cancel) and moving it to another slot.
extension PatientPagesController {
    /// The appointment of the address (`/appointments/{id}?token=`), if the link or the account may see it.
    func linkedAppointment(_ request: Request, _ context: AppRequestContext) async throws -> (Appointment, String?) {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        let token: String? = request.uri.queryParameters.get("token").map { String($0) }
        return (try await booking.appointment(id: id, by: context.booker, manageToken: token), token)
    }

    func appointment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let (appointment, token) = try await linkedAppointment(request, context)
        let id = appointment.id
        let summary = try await booking.summary(of: appointment)
        let (motive, zone) = (summary.motive, summary.timeZone)
        let tokenQuery = token.map { "?token=\($0)" } ?? ""
        let values: [String: Any] = [
            "id": id.json, "token": token ?? "", "csrf": page.csrf(request, context, browser),
            "justBooked": request.uri.queryParameters.get("booked").map { String($0) } == "1" && appointment.status == AppointmentStatus.booked,
            "justMoved": request.uri.queryParameters.get("moved").map { String($0) } == "1" && appointment.status == AppointmentStatus.booked,
            "moveHref": "/appointments/\(id.json)/move\(tokenQuery)",
            "cancelled": appointment.status == .cancelled,
            "day": PageFormat.day(appointment.startsAt, zone, page.language), "time": PageFormat.time(appointment.startsAt, zone, page.language),
            "motiveName": motive.name, "practitionerName": summary.practitionerName, "place": summary.place,
            "instructions": motive.instructionsAfter, "icsHref": "/api/v1/appointments/\(id.json)/calendar.ics\(tokenQuery)",
        ]
        return try pages.render("appointment", page, title: pages.text("appointment_title", page.language), values: values)
    }

    func cancel(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        var token = fields["token"]?.nilIfEmpty
        do {
            let cancelled = try await booking.perform(.cancel(reason: fields["reason"]?.trimmed.nilIfEmpty), appointmentID: id, by: context.booker, manageToken: token)
            token = booking.token(after: token, for: cancelled)
        } catch BookingError.refused(let violation) {
            let pages = try pages()
            return try pages.render("message", page, title: pages.text("error_title", page.language), values: [
                "text": Self.translate(violation, pages: pages, language: page.language), "kind": "error", "role": "alert",
            ], status: .unprocessableContent)
        }
        return Response(status: .seeOther, headers: [.location: "/appointments/\(id.json)" + (token.map { "?token=\($0)" } ?? ""), .cacheControl: "no-store"])
    }

    /// Another time with the same practitioner and motive: the week's slots, each a button.
    func moveChoices(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let (appointment, token) = try await linkedAppointment(request, context)
        let id = appointment.id
        let (motive, zone) = try await booking.context(of: appointment)
        let profile = try await directory.practitionerProfile(id: appointment.practitionerID)
        let window = try WeekWindow(request, zone: zone, now: clock.now())
        let week = try await search.slots(practitionerID: appointment.practitionerID, motive: motive, channel: .online, from: window.from, days: WeekWindow.days)
        let csrf = page.csrf(request, context, browser)
        let tokenQuery = token.map { "token=\($0)&" } ?? ""
        var values: [String: Any] = [
            "motiveName": motive.name, "practitionerName": profile?.practitioner.displayName ?? "",
            "currentDay": PageFormat.day(appointment.startsAt, zone, page.language), "currentTime": PageFormat.time(appointment.startsAt, zone, page.language),
            "back": "/appointments/\(id.json)" + (token.map { "?token=\($0)" } ?? ""),
            "next": "/appointments/\(id.json)/move?\(tokenQuery)from=\(window.next.description)",
            "days": PageFormat.days(week.slots.filter { $0.start != appointment.startsAt }, week.timeZone, page.language) { slot in
                var button = Self.slotButton(slot, practitioner: appointment.practitionerID, motive: motive.id, zone: week.timeZone, language: page.language, csrf: csrf)
                button["appointment"] = id.json
                button["token"] = token ?? ""
                return button
            },
        ]
        if let previous = window.previous { values["previous"] = "/appointments/\(id.json)/move?\(tokenQuery)from=\(previous.description)" }
        return try pages.render("move", page, title: pages.text("move_title", page.language), values: values)
    }

    /// The new slot is secured before the old one is given up (one transaction, in the service).
    func move(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        let start = try InputDates.instant(unixSeconds: fields["start"], field: "start", now: clock.now())
        var token = fields["token"]?.nilIfEmpty
        do {
            let moved = try await booking.perform(.move(start: start, end: start, reason: nil), appointmentID: id, by: context.booker, manageToken: token)
            token = booking.token(after: token, for: moved)
        } catch BookingError.refused(let violation) {
            let pages = try pages()
            return try pages.render("message", page, title: pages.text("error_title", page.language), values: [
                "text": Self.translate(violation, pages: pages, language: page.language), "kind": "error", "role": "alert",
            ], status: .unprocessableContent)
        } catch BookingError.slotTaken {
            // Taken meanwhile: the choices again, as they are now; the appointment has not moved.
            return Response(status: .seeOther, headers: [.location: "/appointments/\(id.json)/move" + (token.map { "?token=\($0)" } ?? ""), .cacheControl: "no-store"])
        }
        let query = (token.map { "token=\($0)&" } ?? "") + "moved=1"
        return Response(status: .seeOther, headers: [.location: "/appointments/\(id.json)?\(query)", .cacheControl: "no-store"])
    }
}
