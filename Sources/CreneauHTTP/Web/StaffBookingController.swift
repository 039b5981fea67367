import CreneauDomain
import Foundation
import Hummingbird

/// Booking for a caller in under a minute: from the agenda, a practitioner's slots for the
/// phone (`/staff/book?practitioner=&motive=&from=`); a slot's button holds it; the form
/// finds the caller (name, birth date) or creates them, and books on the phone channel.
struct StaffBookingController: Sendable {
    let directory: any DirectoryRepository
    let search: SlotSearch
    let booking: BookingService
    let records: PatientRecords
    let browser: BrowserSession
    let clock: Clock
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffPageContext.self)
        staff.get("/staff/book") { request, context in try await slots(request, context.app, booker: context.booker) }
        staff.post("/staff/book/hold") { request, context in try await hold(request, context.app, booker: context.booker) }
        staff.get("/staff/book/{hold}") { request, context in
            // Coming from a patient's row ("next appointment"): that patient, already chosen.
            var found: [Patient]?
            if let id = request.uri.queryParameters.get("patient").flatMap({ UUID(uuidString: String($0)) }) {
                found = [try await records.record(of: id, by: context.booker).patient]
            }
            return try await form(request, context.app, booker: context.booker, fields: [:], found: found, doctors: nil, error: nil, status: .ok)
        }
        staff.post("/staff/book/{hold}") { request, context in try await book(request, context.app, booker: context.booker) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    /// A practitioner books the follow-up at the end of a visit on their own channel; a secretary by phone.
    static func channel(for booker: Booker) -> Channel {
        if case .staff(_, .practitioner) = booker.kind { return .practitioner }
        return booker.channels.contains(.phone) ? .phone : .desk
    }

    func slots(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let parameters = request.uri.queryParameters
        let now = clock.now()
        guard let id = parameters.get("practitioner").flatMap({ UUID(uuidString: String($0)) }),
              let offer = try await directory.practitionerWithMotives(id: id, now: now) else { throw APIError.notFound("No practitioner has this id.") }
        let channel = Self.channel(for: booker)
        let mine = Set(offer.profile.departments.map(\.id).filter { booker.serves($0) })
        let motives = offer.motives.filter { $0.channels.contains(channel) && mine.contains($0.departmentID) }
        let chosen = parameters.get("motive").flatMap { UUID(uuidString: String($0)) }.flatMap { id in motives.first { $0.id == id } } ?? motives.first
        let zone = offer.profile.timeZone
        let window = try WeekWindow(request, zone: zone, now: now)
        var values: [String: Any] = [
            "practitioner": offer.profile.practitioner.displayName, "practitionerId": id.json,
            "patient": parameters.get("patient").flatMap { UUID(uuidString: String($0))?.json } ?? "",
            "motives": motives.map { ["id": $0.id.json, "name": $0.name, "duration": "\($0.durationMinutes) \(pages.text("minutes", page.language))", "selected": $0.id == chosen?.id] },
        ]
        if let motive = chosen {
            let week = try await search.slots(practitionerID: id, motive: motive, channel: channel, from: window.from, days: WeekWindow.days)
            let csrf = page.csrf(request, context, browser)
            let patient = parameters.get("patient").flatMap { UUID(uuidString: String($0)) }
            values["days"] = PageFormat.days(week.slots, week.timeZone, page.language) { slot in
                var button = PatientPagesController.slotButton(slot, practitioner: id, motive: motive.id, zone: week.timeZone, language: page.language, csrf: csrf)
                if let patient { button["patient"] = patient.json }
                return button
            }
            let base = "/staff/book?practitioner=\(id.json)&motive=\(motive.id.json)" + (patient.map { "&patient=\($0.json)" } ?? "")
            values["next"] = "\(base)&from=\(window.next.description)"
            if let previous = window.previous { values["previous"] = "\(base)&from=\(previous.description)" }
        }
        return try pages.render("staff-slots", page, title: pages.text("staff_book_title", page.language), values: values)
    }

    func hold(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let practitioner = fields["practitioner"].flatMap(UUID.init(uuidString:)), let motive = fields["motive"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.badRequest("This slot could not be read. Go back and choose it again.", code: "invalid_field")
        }
        let start = try InputDates.instant(unixSeconds: fields["start"], field: "start", now: clock.now())
        do {
            // Staff holds belong to the account that placed them: no token to carry.
            let hold = try await booking.placeHold(
                practitionerID: practitioner, motiveID: motive, start: start, channel: Self.channel(for: booker), by: booker).hold
            let patient = fields["patient"].flatMap(UUID.init(uuidString:)).map { "?patient=\($0.json)" } ?? ""
            return Response(status: .seeOther, headers: [.location: "/staff/book/\(hold.id.json)\(patient)", .cacheControl: "no-store"])
        } catch BookingError.slotTaken {
            return Response(status: .seeOther, headers: [.location: "/staff/book?practitioner=\(practitioner.json)&motive=\(motive.json)", .cacheControl: "no-store"])
        }
    }

    static func doctorLabel(_ doctor: ReferringDoctor) -> String { "\(doctor.firstName) \(doctor.lastName) — \(doctor.profession), \(doctor.city) (\(doctor.postalCode))" }

    func form(_ request: Request, _ context: AppRequestContext, booker: Booker, fields: [String: String], found: [Patient]?, doctors: [ReferringDoctor]?,
              error: String?, status: HTTPResponse.Status) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        var values: [String: Any]
        switch try await HeldSlot.values(context.parameters.get("hold"), booker: booker, booking: booking, directory: directory, clock: clock,
                                         pages: pages, page: page, csrf: page.csrf(request, context, browser), key: fields["key"]) {
        case .success(let shown): values = shown
        case .failure(let ended): return ended.response
        }
        for name in ["patientQuery", "firstName", "lastName", "birthDate", "phone", "doctorQuery", "reason"] { values[name] = fields[name] ?? "" }
        if let found {
            values["found"] = found.map { ["id": $0.id.json, "label": "\($0.lastName.uppercased()) \($0.firstName) — \($0.birthDate.description)", "checked": found.count == 1] }
            values["noneFound"] = found.isEmpty
        }
        if let doctors {
            values["doctors"] = doctors.map { ["id": $0.id.json, "label": Self.doctorLabel($0), "checked": doctors.count == 1] }
        }
        if let error { values["error"] = error }
        return try pages.render("staff-book", page, title: pages.text("staff_book_title", page.language), values: values, status: status)
    }

    /// "martin lea 14/05/1992": the name words and, when one is a date, the birth date.
    static func patientQuery(_ text: String) -> (name: String, birthDate: LocalDate?) {
        var words: [String] = [], birth: LocalDate?
        for word in text.split(separator: " ").map(String.init) {
            if let date = LocalDate(word), InputBounds.birthDates.contains(date) { birth = date; continue }
            let parts = word.split(separator: "/")
            if parts.count == 3, parts.allSatisfy({ $0.count <= 4 }), let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]),
               let date = LocalDate(year: year, month: month, day: day), InputBounds.birthDates.contains(date) {
                birth = date
                continue
            }
            words.append(word)
        }
        return (words.joined(separator: " "), birth)
    }

    func book(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        switch fields["action"] {
        case "search_patient":
            let (name, birth) = Self.patientQuery(fields["patientQuery"] ?? "")
            do {
                let found = try await records.search(name, birthDate: birth, by: booker)
                return try await form(request, context, booker: booker, fields: fields, found: found, doctors: nil, error: nil, status: .ok)
            } catch BookingError.refused(let violation) {
                return try await form(request, context, booker: booker, fields: fields, found: nil, doctors: nil,
                                      error: PatientPagesController.translate(violation, pages: pages, language: page.language), status: .unprocessableContent)
            }
        case "search_doctor":
            let query = (fields["doctorQuery"] ?? "").trimmed
            let doctors = SearchText.fold(query).count >= 2 ? try await booking.searchReferringDoctors(query, limit: 20) : []
            return try await form(request, context, booker: booker, fields: fields, found: nil, doctors: doctors, error: nil, status: .ok)
        default:
            break
        }
        guard let holdText = context.parameters.get("hold"), let holdID = UUID(uuidString: holdText) else { throw APIError.notFound("No such booking form.") }
        let key = String((fields["key"] ?? "").prefix(100))
        func agenda(_ appointment: Appointment) async throws -> Response {
            // The agenda's day is the site's (the practitioner's first site, as the booking form showed it).
            let zone = try await directory.practitionerProfile(id: appointment.practitionerID)?.timeZone ?? Site.defaultZone
            let day = LocalDate(appointment.startsAt, in: zone)
            return Response(status: .seeOther, headers: [
                .location: "/staff/agenda?department=\(appointment.departmentID.json)&day=\(day.description)", .cacheControl: "no-store"])
        }
        let remembered = PatientPagesController.Booked.key(booker, key: key, hold: holdID)
        func agenda(_ booked: PatientPagesController.Booked) async throws -> Response {
            guard let id = UUID(uuidString: booked.id) else { throw APIError.notFound("This appointment does not exist.") }
            return try await agenda(try await booking.appointment(id: id, by: booker, manageToken: nil))
        }
        func replayed() async throws -> Response? {
            guard let stored = try await PatientPagesController.Booked.stored(booking, remembered) else { return nil }
            return try await agenda(stored)
        }
        if let replay = try await replayed() { return replay }
        // After the replay check: the hold is used up by the booking the replay answers for.
        guard let hold = try await booking.ownedHold(id: holdID, by: booker, token: nil), hold.expiresAt > clock.now() else {
            // The first send may have used the hold on another instance meanwhile.
            if let replay = try await replayed() { return replay }
            return try await form(request, context, booker: booker, fields: fields, found: nil, doctors: nil, error: nil, status: .gone)
        }
        let patient: BookingRequest.PatientChoice
        if let id = fields["patientId"].flatMap(UUID.init(uuidString:)) {
            patient = .existing(id)
        } else if let first = fields["firstName"]?.trimmed.nilIfEmpty, let last = fields["lastName"]?.trimmed.nilIfEmpty, let birth = InputDates.birthDate(form: fields["birthDate"]) {
            patient = .new(PatientDetails(firstName: first, lastName: last, birthDate: birth, phone: fields["phone"]?.trimmed.nilIfEmpty))
        } else {
            return try await form(request, context, booker: booker, fields: fields, found: nil, doctors: nil, error: pages.text("book_missing_details", page.language), status: .unprocessableContent)
        }
        let bookingRequest = BookingRequest(
            practitionerID: hold.practitionerID, motiveID: hold.motiveID, start: hold.startsAt, patient: patient, channel: hold.channel,
            reason: fields["reason"]?.trimmed.nilIfEmpty, referringDoctorID: fields["referringDoctor"].flatMap(UUID.init(uuidString:)), holdID: hold.id)
        do {
            return try await agenda(try await PatientPagesController.Booked.book(bookingRequest, by: booker, remembered, on: booking))
        } catch BookingError.refused(let violation) {
            return try await form(request, context, booker: booker, fields: fields, found: nil, doctors: nil,
                                  error: PatientPagesController.translate(violation, pages: pages, language: page.language), status: .unprocessableContent)
        }
    }
}
