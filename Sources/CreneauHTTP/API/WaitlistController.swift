import CreneauDomain
import Foundation
import Hummingbird

/// The waiting list over JSON. A patient account: `GET /api/v1/waitlist` (its patients' entries
/// and their offers), `POST /api/v1/waitlist` (join, for self or a relative),
/// `POST /api/v1/waitlist/{id}/cancel`. Staff: the same POST adds a caller (by `patientId`),
/// `GET /api/v1/waitlist?department=` lists a department's, `POST /api/v1/waitlist/{id}/urgent`.
struct WaitlistController: Sendable {
    let waitlist: Waitlist

    struct JoinBody: Decodable {
        let patientId: String?
        let motive: String?
        let practitioner: String?
        let referringDoctor: String?
        let from: String?
        let to: String?
        let weekdays: [Int]?
        let dayPart: String?
        let noticeHours: Int?
        let reach: String?
    }

    struct UrgentBody: Decodable {
        let urgent: Bool?
    }

    struct OfferJSON: Encodable {
        let id: String
        let start: String
        let end: String
        let state: String
        let offeredAt: String
        let expiresAt: String
        let appointment: String?

        init(_ offer: WaitlistOffer, zone: TimeZone) {
            id = offer.id.json
            start = RFC3339.format(offer.startsAt, in: zone)
            end = RFC3339.format(offer.endsAt, in: zone)
            state = offer.state.rawValue
            offeredAt = RFC3339.format(offer.offeredAt, in: zone)
            expiresAt = RFC3339.format(offer.expiresAt, in: zone)
            appointment = offer.appointmentID?.json
        }
    }

    struct EntryJSON: Encodable {
        let id: String
        let patient: String
        let department: String
        let motive: String
        let practitioner: String?
        let from: String
        let to: String
        let weekdays: [Int]
        let dayPart: String
        let noticeHours: Int
        let reach: String
        let channel: String
        let urgent: Bool
        let state: String
        let joinedAt: String
        let appointment: String?
        let offers: [OfferJSON]

        init(_ entry: WaitlistEntry, offers: [WaitlistOffer]) {
            let zone = Site.defaultZone
            id = entry.id.json
            patient = entry.patientID.json
            department = entry.departmentID.json
            motive = entry.motiveID.json
            practitioner = entry.practitionerID?.json
            from = entry.preferences.firstDay.description
            to = entry.preferences.lastDay.description
            weekdays = entry.preferences.weekdays.sorted()
            dayPart = entry.preferences.dayPart.rawValue
            noticeHours = entry.preferences.noticeHours
            reach = entry.preferences.reach.rawValue
            channel = entry.channel.rawValue
            urgent = entry.urgent
            state = entry.state.rawValue
            joinedAt = RFC3339.format(entry.createdAt, in: zone)
            appointment = entry.appointmentID?.json
            self.offers = offers.map { OfferJSON($0, zone: zone) }
        }
    }

    func register(on router: Router<AppRequestContext>) {
        let signedIn = router.group(context: SignedInContext.self)
        signedIn.get("/api/v1/waitlist") { request, context in
            let identity = context.identity
            if identity.isStaff {
                let department = try JSONRequest.requiredID(request.uri.queryParameters.get("department").map { String($0) }, field: "department")
                return try JSON.response(try await waitlist.department(department, by: identity.booker).map { EntryJSON($0.entry, offers: $0.offers) })
            }
            guard identity.roles.contains(.patient) else { throw APIError(.forbidden, code: "patients_only", message: "The waiting list is for patients and the hospital's staff.") }
            return try JSON.response(try await waitlist.items(accountID: identity.account.id).map { EntryJSON($0.entry, offers: $0.offers) })
        }
        signedIn.post("/api/v1/waitlist") { request, context in
            let body: JoinBody = try await JSONRequest.read(request)
            let join = try Self.request(body, now: waitlist.now)
            let entry = try await waitlist.join(join, by: context.identity.booker)
            return try JSON.response(EntryJSON(entry, offers: []), status: .created)
        }
        signedIn.post("/api/v1/waitlist/{id}/cancel") { _, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No waiting-list entry has this id.") }
            try await waitlist.cancel(entryID: id, by: context.identity.booker)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        signedIn.post("/api/v1/waitlist/{id}/urgent") { request, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No waiting-list entry has this id.") }
            let body: UrgentBody = try await JSONRequest.read(request)
            guard let urgent = body.urgent else { throw APIError.badRequest("\"urgent\" is missing: true or false.", code: "missing_field") }
            try await waitlist.setUrgent(entryID: id, urgent: urgent, by: context.identity.booker)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }

    /// The request as the domain takes it; 400 for what is malformed (the rules answer 422 for the rest).
    static func request(_ body: JoinBody, now: Date) throws -> Waitlist.Request {
        let patient = try JSONRequest.requiredID(body.patientId, field: "patientId")
        let motive = try JSONRequest.requiredID(body.motive, field: "motive")
        let practitioner = try body.practitioner.flatMap { $0.isEmpty ? nil : $0 }.map { try JSONRequest.requiredID($0, field: "practitioner") }
        let doctor = try body.referringDoctor.flatMap { $0.isEmpty ? nil : $0 }.map { try JSONRequest.requiredID($0, field: "referringDoctor") }
        guard let from = try InputDates.agendaDay(body.from, field: "\"from\"", now: now) else { throw APIError.badRequest("\"from\" is missing: the first day you can come, YYYY-MM-DD.", code: "missing_field") }
        guard let to = try InputDates.agendaDay(body.to, field: "\"to\"", now: now) else { throw APIError.badRequest("\"to\" is missing: the last day you can come, YYYY-MM-DD.", code: "missing_field") }
        let weekdays = body.weekdays ?? [1, 2, 3, 4, 5]
        guard weekdays.count <= 7, weekdays.allSatisfy({ (1...7).contains($0) }) else {
            throw APIError.badRequest("\"weekdays\" lists days of the week from 1 (Monday) to 7 (Sunday).", code: "invalid_field")
        }
        guard let dayPart = WaitlistPreferences.DayPart(rawValue: body.dayPart ?? "any") else {
            throw APIError.badRequest("\"dayPart\" is one of: any, morning, afternoon.", code: "invalid_field")
        }
        guard let reach = WaitlistPreferences.Reach(rawValue: body.reach ?? "both") else {
            throw APIError.badRequest("\"reach\" is one of: sms, email, both.", code: "invalid_field")
        }
        let notice = body.noticeHours ?? 0
        guard (0...WaitlistRules.maximumNoticeHours).contains(notice) else {
            throw APIError.badRequest("\"noticeHours\" is between 0 and \(WaitlistRules.maximumNoticeHours).", code: "invalid_field")
        }
        return Waitlist.Request(patientID: patient, motiveID: motive, practitionerID: practitioner, referringDoctorID: doctor,
                                preferences: WaitlistPreferences(firstDay: from, lastDay: to, weekdays: Set(weekdays), dayPart: dayPart, noticeHours: notice, reach: reach))
    }
}

extension WaitlistController.JoinBody {
    /// A joining page's form: the days as boxes weekday1…weekday7; anyone of the department when
    /// "anyPractitioner" is ticked or no practitioner is chosen.
    init(form fields: [String: String], patientId: String?) {
        let anyone = fields["anyPractitioner"] == "on" || (fields["practitioner"] ?? "").isEmpty
        self.init(patientId: patientId, motive: fields["motive"], practitioner: anyone ? nil : fields["practitioner"],
                  referringDoctor: fields["referringDoctor"].flatMap { $0.isEmpty ? nil : $0 }, from: fields["from"], to: fields["to"],
                  weekdays: (1...7).filter { fields["weekday\($0)"] == "on" }, dayPart: fields["dayPart"],
                  noticeHours: fields["noticeHours"].flatMap { Int($0) }, reach: fields["reach"])
    }
}
