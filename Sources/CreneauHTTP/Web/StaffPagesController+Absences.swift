import CreneauDomain
import Foundation
import Hummingbird

/// Absences: preview the appointments an absence hits, then save it.
extension StaffPagesController {
    /// "2026-11-30T08:00" from a datetime-local field, in the site's zone; nil when it cannot
    /// be read or falls more than five years from `now` (the form then says the times are wrong).
    static func localInstant(_ text: String?, zone: TimeZone, now: Date) -> Date? {
        guard let text, (16...19).contains(text.count), let day = LocalDate(text.prefix(10)),
              InputBounds.agendaDays(around: LocalDate(now, in: zone)).contains(day) else { return nil }
        let time = text.dropFirst(11).prefix(5).split(separator: ":")
        guard time.count == 2, let hour = Int(time[0]), let minute = Int(time[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return day.instant(atMinute: hour * 60 + minute, in: zone)
    }

    func absenceForm(_ request: Request, _ context: AppRequestContext, booker: Booker, fields: [String: String], hits: [StaffAgenda.Entry]?, saved: Bool,
                     error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        guard let id = (fields["practitioner"] ?? request.uri.queryParameters.get("practitioner").map { String($0) }).flatMap(UUID.init(uuidString:)),
              let profile = try? await agenda.practitioner(id, by: booker) else { throw APIError.notFound("No practitioner of your departments has this id.") }
        let zone = profile.timeZone
        var values: [String: Any] = [
            "practitioner": profile.practitioner.displayName, "practitionerId": id.json, "csrf": page.csrf(request, context, browser),
            "from": fields["from"] ?? "", "to": fields["to"] ?? "", "reason": fields["reason"] ?? "", "saved": saved, "back": "/staff",
        ]
        if let hits {
            values["previewed"] = true
            values["count"] = hits.count
            values["hasHits"] = !hits.isEmpty
            values["hits"] = hits.map { entry -> [String: Any] in
                let day = LocalDate(entry.appointment.startsAt, in: zone)
                return [
                    "href": "/staff/agenda?department=\(entry.appointment.departmentID.json)&day=\(day.description)",
                    "appointmentHref": "/staff/appointments/\(entry.appointment.id.json)",
                    "day": PageFormat.day(entry.appointment.startsAt, zone, page.language), "time": PageFormat.time(entry.appointment.startsAt, zone, page.language),
                    "patient": entry.patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "—", "phone": entry.patient?.phone ?? "",
                    "motive": entry.motive?.name ?? "",
                ]
            }
        }
        // The absences already entered, each with a button that lifts it (its time bookable again).
        let csrf = page.csrf(request, context, browser)
        let absences = try await agenda.absences(practitionerID: id, by: booker)
        values["absences"] = absences.map { absence -> [String: Any] in
            ["id": absence.id.json, "csrf": csrf, "practitionerId": id.json, "reason": absence.reason,
             "from": "\(PageFormat.day(absence.startsAt, zone, page.language)) \(PageFormat.time(absence.startsAt, zone, page.language))",
             "to": "\(PageFormat.day(absence.endsAt, zone, page.language)) \(PageFormat.time(absence.endsAt, zone, page.language))"]
        }
        values["hasAbsences"] = !absences.isEmpty
        if request.uri.queryParameters.get("lifted") != nil { values["lifted"] = true }
        if let error { values["error"] = error }
        return try pages.render("absence", page, title: pages.text("absence_title", page.language), values: values, status: status)
    }

    /// Lifts an absence: its time is bookable again, and offered to the waiting list.
    func liftAbsence(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let practitioner = fields["practitioner"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("This practitioner has no absence with this id.")
        }
        try await agenda.liftAbsence(id: id, practitionerID: practitioner, by: booker)
        return Response(status: .seeOther, headers: [.location: "/staff/absence?practitioner=\(practitioner.json)&lifted=1", .cacheControl: "no-store"])
    }

    /// "Cancel them all and tell the patients why": every booked appointment the absence hits is
    /// cancelled by the hospital with the reason typed; each patient gets the message (email, SMS)
    /// with a link to book again; the page lists whom no message could reach, to call them.
    func cancelHits(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        var page = PageContext(request, context)
        let pages = try pages()
        guard let id = fields["practitioner"].flatMap(UUID.init(uuidString:)) else { throw APIError.notFound("No practitioner of your departments has this id.") }
        let profile = try await agenda.practitioner(id, by: booker)
        let zone = profile.timeZone
        guard let start = Self.localInstant(fields["from"], zone: zone, now: clock.now()), let end = Self.localInstant(fields["to"], zone: zone, now: clock.now()), end > start else {
            return try await absenceForm(request, context, booker: booker, fields: fields, hits: nil, saved: false, error: pages.text("absence_bad_dates", page.language),
                                         status: .unprocessableContent)
        }
        guard let reason = fields["patientReason"]?.trimmed.nilIfEmpty, reason.count <= 500 else {
            let hits = try await agenda.appointmentsHit(practitionerID: id, from: start, to: end, by: booker)
            return try await absenceForm(request, context, booker: booker, fields: fields, hits: hits, saved: true,
                                         error: pages.text("absence_cancel_reason_missing", page.language), status: .unprocessableContent)
        }
        let hits = try await agenda.appointmentsHit(practitionerID: id, from: start, to: end, by: booker)
        let results = await booking.cancelAll(hits.map(\.appointment.id), reason: reason, by: booker)
        let failed = Set(results.filter { $0.error != nil }.map(\.id))
        let sent = try await agenda.messages(of: hits)
        let rows = hits.map { entry -> [String: Any] in
            let told = sent[entry.appointment.id]?.kinds.contains(.cancelled) ?? false
            return [
                "appointmentHref": "/staff/appointments/\(entry.appointment.id.json)",
                "day": PageFormat.day(entry.appointment.startsAt, zone, page.language), "time": PageFormat.time(entry.appointment.startsAt, zone, page.language),
                "patient": entry.patient.map { "\($0.lastName.uppercased()) \($0.firstName)" } ?? "—", "phone": entry.patient?.phone ?? "",
                "outcome": failed.contains(entry.appointment.id) ? pages.text("absence_cancel_failed", page.language)
                    : told ? pages.text("absence_cancel_told", page.language) : pages.text("absence_cancel_call", page.language),
                "call": failed.contains(entry.appointment.id) || !told,
            ]
        }
        return try pages.render("absence-cancelled", page, title: pages.text("absence_title", page.language), values: [
            "practitioner": profile.practitioner.displayName, "rows": rows, "count": results.count - failed.count, "csrf": page.csrf(request, context, browser),
        ])
    }

    func absence(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let id = fields["practitioner"].flatMap(UUID.init(uuidString:)) else { throw APIError.notFound("No practitioner of your departments has this id.") }
        // Times typed are the practitioner's site's wall-clock times.
        let zone = try await agenda.practitioner(id, by: booker).timeZone
        guard let start = Self.localInstant(fields["from"], zone: zone, now: clock.now()), let end = Self.localInstant(fields["to"], zone: zone, now: clock.now()), end > start else {
            return try await absenceForm(request, context, booker: booker, fields: fields, hits: nil, saved: false, error: pages.text("absence_bad_dates", page.language),
                                         status: .unprocessableContent)
        }
        do {
            if fields["action"] == "save" {
                let (_, hits) = try await agenda.addAbsence(practitionerID: id, from: start, to: end, reason: fields["reason"] ?? "", by: booker)
                return try await absenceForm(request, context, booker: booker, fields: fields, hits: hits, saved: true, error: nil)
            }
            let hits = try await agenda.appointmentsHit(practitionerID: id, from: start, to: end, by: booker)
            return try await absenceForm(request, context, booker: booker, fields: fields, hits: hits, saved: false, error: nil)
        } catch BookingError.refused(let violation) {
            return try await absenceForm(request, context, booker: booker, fields: fields, hits: nil, saved: false,
                                         error: PatientPagesController.translate(violation, pages: pages, language: page.language), status: .unprocessableContent)
        }
    }
}
