import CreneauDomain
import Foundation
import Hummingbird

/// What patients touch: the home page and search, a practitioner's page with the week's
/// slots, the booking form (the slot is held while it is filled), and the appointment's
/// page (confirmation, "add to calendar", cancel). Works without JavaScript.
struct PatientPagesController: Sendable {
    let organisation: any OrganisationRepository
    let directory: any DirectoryRepository
    let search: SlotSearch
    let booking: BookingService
    let bookings: any BookingRepository
    let relatives: Relatives
    let browser: BrowserSession
    let clock: Clock

    static let searchDays = 7
    static let slotsPerResult = 4

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { request, context in try await home(request, context) }
        router.get("/search") { request, context in try await results(request, context) }
        router.get("/practitioners/{id}") { request, context in try await practitioner(request, context) }
        router.post("/book/hold") { request, context in try await hold(request, context) }
        router.get("/book/{hold}") { request, context in try await bookingForm(request, context, fields: [:], error: nil, status: .ok) }
        router.post("/book/{hold}") { request, context in try await book(request, context) }
        router.get("/appointments/{id}") { request, context in try await appointment(request, context) }
        router.post("/appointments/{id}/cancel") { request, context in try await cancel(request, context) }
        router.get("/appointments/{id}/move") { request, context in try await moveChoices(request, context) }
        router.post("/appointments/{id}/move") { request, context in try await move(request, context) }
    }

    func pages() throws -> WebPages { try WebPages.shared.get() }

    // MARK: Home and search

    /// The search form's choices: every specialty and site of this instance.
    func searchForm(_ query: String, specialty: String?, site: String?, language: Language) async throws -> [String: Any] {
        let sites = try await organisation.sites()
        var specialties: [String: String] = [:]
        var siteSections: [[String: Any]] = []
        for site in sites.prefix(60) {
            let departments = try await organisation.departments(siteID: site.id).sorted { SearchText.fold($0.name) < SearchText.fold($1.name) }
            for department in departments { specialties[department.specialty] = specialties[department.specialty] ?? department.name }
            siteSections.append(["name": site.name, "city": site.city, "departments": departments.map { department -> [String: Any] in
                ["name": department.name, "href": "/search?specialty=\(Self.encode(department.specialty))&site=\(Self.encode(site.slug))"]
            }])
        }
        return [
            "query": query, "sites": siteSections,
            "specialties": specialties.sorted { SearchText.fold($0.value) < SearchText.fold($1.value) }
                .map { ["value": $0.key, "label": $0.value, "selected": $0.key == specialty] },
            "siteOptions": sites.map { ["value": $0.slug, "label": $0.name, "selected": $0.slug == site] },
        ]
    }

    func home(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        return try pages.render("home", page, title: pages.text("home_title", page.language),
                                values: try await searchForm("", specialty: nil, site: nil, language: page.language))
    }

    func results(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let parameters = request.uri.queryParameters
        func parameter(_ name: String) -> String? { parameters.get(name).map { String($0) }?.trimmed.nilIfEmpty }
        let text = parameter("q"), specialty = parameter("specialty"), siteSlug = parameter("site")
        var values = try await searchForm(text ?? "", specialty: specialty, site: siteSlug, language: page.language)
        guard text != nil || specialty != nil else {
            values["noResults"] = false
            values["error"] = pages.text("search_ask", page.language)
            return try pages.render("search", page, title: pages.text("search_title", page.language), values: values)
        }
        var siteID: UUID?
        if let siteSlug { siteID = try await directory.site(reference: siteSlug)?.id }
        let (_, found) = try await search.search(
            text: text, specialty: specialty, siteID: siteID, channel: .online, from: nil, days: Self.searchDays, limit: 30, slotsPerResult: Self.slotsPerResult)
        let csrf = page.csrf(request, context, browser)
        values["results"] = found.map { result -> [String: Any] in
            let practitioner = result.profile.practitioner
            let motiveQuery = result.motive.map { "?motive=\($0.id.json)" } ?? ""
            return [
                "name": practitioner.displayName, "profession": practitioner.profession, "specialty": Self.specialtyName(result.profile),
                "sites": result.profile.sites.map(\.name).joined(separator: ", "), "href": "/practitioners/\(practitioner.id.json)\(motiveQuery)",
                "motiveName": result.motive?.name ?? "", "hasSlots": !result.slots.isEmpty,
                "slots": result.slots.map { slot -> [String: Any] in
                    var button = Self.slotButton(slot, practitioner: practitioner.id, motive: result.motive?.id, zone: result.timeZone, language: page.language, csrf: csrf)
                    button["day"] = PageFormat.shortDay(slot.start, result.timeZone, page.language)
                    return button
                },
            ]
        }
        values["noResults"] = found.isEmpty
        return try pages.render("search", page, title: pages.text("search_title", page.language), values: values)
    }

    static func specialtyName(_ profile: PractitionerProfile) -> String {
        profile.departments.first { $0.specialty == profile.practitioner.specialty }?.name ?? profile.departments.first?.name ?? ""
    }

    static func slotButton(_ slot: Slot, practitioner: UUID, motive: UUID?, zone: TimeZone, language: Language, csrf: String) -> [String: Any] {
        let time = PageFormat.time(slot.start, zone, language)
        return [
            "practitioner": practitioner.json, "motive": motive?.json ?? "", "start": String(Int64(slot.start.timeIntervalSince1970)),
            "time": time, "label": "\(PageFormat.day(slot.start, zone, language)) \(time)", "csrf": csrf,
        ]
    }

    /// Percent-encodes all but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? ""
    }

    // MARK: Practitioner

    func practitioner(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let now = clock.now()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
              let offer = try await directory.practitionerWithMotives(id: id, now: now) else { throw APIError.notFound("No practitioner has this id.") }
        let online = offer.motives.filter { $0.channels.contains(.online) }
        let parameters = request.uri.queryParameters
        let chosen = parameters.get("motive").flatMap { UUID(uuidString: String($0)) }.flatMap { id in online.first { $0.id == id } } ?? online.first { $0.patients != .known } ?? online.first
        let profile = offer.profile
        var values: [String: Any] = [
            "name": profile.practitioner.displayName, "profession": profile.practitioner.profession, "specialty": Self.specialtyName(profile),
            "sites": profile.sites.map { "\($0.name), \($0.city)" }.joined(separator: " · "),
            "languages": profile.practitioner.languages.map { code in
                let name = pages.text("language_" + code, page.language)
                return name.hasPrefix("language_") ? code : name
            }.joined(separator: ", "),
            "skills": profile.practitioner.skills,
            "hasMotives": !online.isEmpty,
            "motives": online.map { motive -> [String: Any] in
                ["name": motive.name, "href": "/practitioners/\(id.json)?motive=\(motive.id.json)", "current": motive.id == chosen?.id,
                 "duration": "\(motive.durationMinutes) \(pages.text("minutes", page.language))", "knownOnly": motive.patients == .known]
            },
        ]
        if let motive = chosen {
            let zone = profile.timeZone
            let today = LocalDate(now, in: zone)
            let from = max(try InputDates.pageDay(parameters.get("from").map { String($0) }, field: "from", now: now) ?? today, today)
            let week = try await search.slots(practitionerID: id, motive: motive, channel: .online, from: from, days: 7)
            let csrf = page.csrf(request, context, browser)
            let days = PageFormat.days(week.slots, week.timeZone, page.language) {
                Self.slotButton($0, practitioner: id, motive: motive.id, zone: week.timeZone, language: page.language, csrf: csrf)
            }
            var section: [String: Any] = [
                "name": motive.name, "instructions": motive.instructionsBefore, "days": days,
                "next": "/practitioners/\(id.json)?motive=\(motive.id.json)&from=\(from.adding(days: 7).description)",
            ]
            if from > today { section["previous"] = "/practitioners/\(id.json)?motive=\(motive.id.json)&from=\(max(today, from.adding(days: -7)).description)" }
            if days.isEmpty {
                // Nothing this week: the next date anything opens, within the motive's horizon.
                let horizon = max(1, motive.horizonDays - today.days(until: from))
                let later = try await search.slots(practitionerID: id, motive: motive, channel: .online, from: from, days: min(horizon, 366))
                if let first = later.slots.first {
                    section["nextAvailable"] = PageFormat.day(first.start, later.timeZone, page.language)
                    section["nextHref"] = "/practitioners/\(id.json)?motive=\(motive.id.json)&from=\(LocalDate(first.start, in: later.timeZone).description)"
                }
            }
            values["motive"] = section
        }
        return try pages.render("practitioner", page, title: profile.practitioner.displayName, values: values)
    }

    // MARK: Booking

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
        if let stored = try await Booked.stored(in: bookings, booker: context.booker, key: key, hold: holdID) {
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
            if let stored = try await Booked.stored(in: bookings, booker: context.booker, key: key, hold: holdID) { return Self.redirect(toAppointment: stored) }
            return try await bookingForm(request, context, fields: fields, error: nil, status: .gone)
        }
        let bookingRequest = BookingRequest(
            practitionerID: hold.practitionerID, motiveID: hold.motiveID, start: hold.startsAt, patient: patient, channel: .online,
            reason: fields["reason"]?.trimmed.nilIfEmpty, referringDoctorID: fields["referringDoctor"].flatMap(UUID.init(uuidString:)), holdID: hold.id, holdToken: holdToken)
        do {
            let prepared = try await booking.prepare(bookingRequest, by: context.booker)
            let booked = Booked(id: prepared.appointment.id.json, token: prepared.manageToken)
            _ = try await booking.commit(prepared, idempotency: try booked.record(booker: context.booker, key: key, hold: holdID, now: clock.now()))
            return Self.redirect(toAppointment: booked)
        } catch let error as BookingError {
            // A resend that raced its first send (another instance, the same key): the first answer, never a refusal.
            if let stored = try await Booked.stored(in: bookings, booker: context.booker, key: key, hold: holdID) { return Self.redirect(toAppointment: stored) }
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

        /// Forms answer under a scope of their own ("web:…"), apart from API clients' keys.
        static func scope(_ booker: Booker) -> String { "web:" + booker.idempotencyScope }

        static func stored(in bookings: any BookingRepository, booker: Booker, key: String, hold: UUID) async throws -> Booked? {
            guard !key.isEmpty, let record = try await bookings.idempotencyRecord(scope: scope(booker), key: key), record.fingerprint == hold.json else { return nil }
            return try? JSONDecoder().decode(Booked.self, from: record.body)
        }

        func record(booker: Booker, key: String, hold: UUID, now: Date) throws -> IdempotencyRecord? {
            guard !key.isEmpty else { return nil }
            return IdempotencyRecord(
                scope: Self.scope(booker), key: key, fingerprint: hold.json, status: 303, body: try JSONEncoder().encode(self),
                createdAt: now, expiresAt: now.addingTimeInterval(IdempotencyStore.retention))
        }
    }

    static func redirect(toAppointment booked: Booked) -> Response {
        Response(status: .seeOther, headers: [.location: "/appointments/\(booked.id)?token=\(booked.token)&booked=1", .cacheControl: "no-store"])
    }

    // MARK: The appointment

    func appointment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        let token: String? = request.uri.queryParameters.get("token").map { String($0) }
        let appointment = try await booking.appointment(id: id, by: context.booker, manageToken: token)
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
        let token = fields["token"]?.nilIfEmpty
        do {
            _ = try await booking.perform(.cancel(reason: fields["reason"]?.trimmed.nilIfEmpty), appointmentID: id, by: context.booker, manageToken: token)
        } catch BookingError.refused(let violation) {
            let pages = try pages()
            return try pages.render("message", page, title: pages.text("error_title", page.language), values: [
                "text": Self.translate(violation, pages: pages, language: page.language), "kind": "error", "role": "alert",
            ], status: .unprocessableContent)
        }
        return Response(status: .seeOther, headers: [.location: "/appointments/\(id.json)" + (token.map { "?token=\($0)" } ?? ""), .cacheControl: "no-store"])
    }
}

extension PatientPagesController {
    /// Another time with the same practitioner and motive: the week's slots, each a button.
    func moveChoices(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        let token: String? = request.uri.queryParameters.get("token").map { String($0) }
        let appointment = try await booking.appointment(id: id, by: context.booker, manageToken: token)
        let (motive, zone) = try await booking.context(of: appointment)
        let profile = try await directory.practitionerProfile(id: appointment.practitionerID)
        let today = LocalDate(clock.now(), in: zone)
        let from = max(try InputDates.pageDay(request.uri.queryParameters.get("from").map { String($0) }, field: "from", now: clock.now()) ?? today, today)
        let week = try await search.slots(practitionerID: appointment.practitionerID, motive: motive, channel: .online, from: from, days: 7)
        let csrf = page.csrf(request, context, browser)
        let tokenQuery = token.map { "token=\($0)&" } ?? ""
        var values: [String: Any] = [
            "motiveName": motive.name, "practitionerName": profile?.practitioner.displayName ?? "",
            "currentDay": PageFormat.day(appointment.startsAt, zone, page.language), "currentTime": PageFormat.time(appointment.startsAt, zone, page.language),
            "back": "/appointments/\(id.json)" + (token.map { "?token=\($0)" } ?? ""),
            "next": "/appointments/\(id.json)/move?\(tokenQuery)from=\(from.adding(days: 7).description)",
            "days": PageFormat.days(week.slots.filter { $0.start != appointment.startsAt }, week.timeZone, page.language) { slot in
                var button = Self.slotButton(slot, practitioner: appointment.practitionerID, motive: motive.id, zone: week.timeZone, language: page.language, csrf: csrf)
                button["appointment"] = id.json
                button["token"] = token ?? ""
                return button
            },
        ]
        if from > today { values["previous"] = "/appointments/\(id.json)/move?\(tokenQuery)from=\(max(today, from.adding(days: -7)).description)" }
        return try pages.render("move", page, title: pages.text("move_title", page.language), values: values)
    }

    /// The new slot is secured before the old one is given up (one transaction, in the service).
    func move(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No appointment has this id.") }
        let start = try InputDates.instant(unixSeconds: fields["start"], field: "start", now: clock.now())
        let token = fields["token"]?.nilIfEmpty
        do {
            _ = try await booking.perform(.move(start: start, end: start, reason: nil), appointmentID: id, by: context.booker, manageToken: token)
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
