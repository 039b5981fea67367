import CreneauDomain
import Foundation
import Hummingbird

/// The city doctors' portal (`/referrals`): a referring doctor, signed in with password and
/// authenticator, finds the hospital's referral slots by specialty and site, holds one, books it
/// for the patient in front of them (identity, contact, a note for the specialist) and follows
/// their referrals and their status. The booking goes through the one booking path, on the
/// referral channel, with the doctor as referring doctor.
struct ReferralPagesController: Sendable {
    let organisation: any OrganisationRepository
    let directory: any DirectoryRepository
    let search: SlotSearch
    let booking: BookingService
    let browser: BrowserSession
    let clock: Clock
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: ReferrerPageContext.self)
        group.get("/referrals") { request, context in try await home(request, context) }
        group.post("/referrals/hold") { request, context in try await hold(request, context) }
        group.get("/referrals/book/{hold}") { request, context in try await form(request, context, fields: [:], error: nil, status: .ok) }
        group.post("/referrals/book/{hold}") { request, context in try await book(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    static let searchDays = 28

    func home(_ request: Request, _ context: ReferrerPageContext) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        let parameters = request.uri.queryParameters
        let specialty = parameters.get("specialty").map { String($0) }?.nilIfEmpty, siteSlug = parameters.get("site").map { String($0) }?.nilIfEmpty
        let sites = try await organisation.sites().filter(\.isActive)
        var specialties: [String: String] = [:]
        for site in sites { for department in try await organisation.departments(siteID: site.id) where department.isActive { specialties[department.specialty] = department.name } }
        var values: [String: Any] = [
            "specialties": specialties.sorted { SearchText.fold($0.value) < SearchText.fold($1.value) }.map { ["value": $0.key, "label": $0.value, "selected": $0.key == specialty] },
            "sites": sites.map { ["value": $0.slug, "label": $0.name, "selected": $0.slug == siteSlug] }, "wide": true,
        ]
        let csrf = page.csrf(request, context.app, browser)
        values["csrf"] = csrf
        if specialty != nil || siteSlug != nil {
            let siteID = try await siteSlug.asyncMap { try await directory.site(reference: $0)?.id }
            let found = try await search.search(text: nil, specialty: specialty, siteID: siteID ?? nil, channel: .referral, from: nil,
                                                days: Self.searchDays, limit: 30, slotsPerResult: 6).results
            values["results"] = found.filter { !$0.slots.isEmpty }.map { result -> [String: Any] in
                [
                    "name": result.profile.practitioner.displayName, "specialty": PatientPagesController.specialtyName(result.profile),
                    "sites": result.profile.sites.map(\.name).joined(separator: ", "), "motiveName": result.motive?.name ?? "",
                    "slots": result.slots.map { slot -> [String: Any] in
                        var button = PatientPagesController.slotButton(slot, practitioner: result.profile.practitioner.id, motive: result.motive?.id,
                                                                       zone: result.timeZone, language: page.language, csrf: csrf)
                        button["day"] = PageFormat.shortDay(slot.start, result.timeZone, page.language)
                        return button
                    },
                ]
            }
            values["searched"] = true
            values["noResults"] = found.allSatisfy { $0.slots.isEmpty }
        }
        var referrals: [[String: Any]] = []
        for appointment in try await booking.referrals(by: context.booker) {
            let (motive, zone) = try await booking.context(of: appointment)
            let practitioner = try await directory.practitionerProfile(id: appointment.practitionerID)?.practitioner.displayName ?? ""
            referrals.append([
                "when": "\(PageFormat.day(appointment.startsAt, zone, page.language)) \(PageFormat.time(appointment.startsAt, zone, page.language))",
                "practitioner": practitioner, "motive": motive.name, "status": pages.text("status_" + appointment.status.rawValue, page.language),
            ])
        }
        values["referrals"] = referrals
        values["hasReferrals"] = !referrals.isEmpty
        if parameters.get("booked") != nil { values["notice"] = pages.text("referrals_booked", page.language) }
        return try pages.render("referrals", page, title: pages.text("referrals_title", page.language), values: values)
    }

    func hold(_ request: Request, _ context: ReferrerPageContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let practitioner = fields["practitioner"].flatMap(UUID.init(uuidString:)), let motive = fields["motive"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.badRequest("This slot could not be read. Go back and choose it again.", code: "invalid_field")
        }
        let start = try InputDates.instant(unixSeconds: fields["start"], field: "start", now: clock.now())
        do {
            let hold = try await booking.placeHold(practitionerID: practitioner, motiveID: motive, start: start, channel: .referral, by: context.booker).hold
            return Response(status: .seeOther, headers: [.location: "/referrals/book/\(hold.id.json)", .cacheControl: "no-store"])
        } catch BookingError.slotTaken {
            return Response(status: .seeOther, headers: [.location: "/referrals", .cacheControl: "no-store"])
        }
    }

    func form(_ request: Request, _ context: ReferrerPageContext, fields: [String: String], error: String?, status: HTTPResponse.Status) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        var values: [String: Any]
        switch try await HeldSlot.values(context.parameters.get("hold"), booker: context.booker, booking: booking, directory: directory, clock: clock,
                                         pages: pages, page: page, csrf: page.csrf(request, context.app, browser), key: fields["key"]) {
        case .success(let shown): values = shown
        case .failure(let ended): return ended.response
        }
        for name in ["firstName", "lastName", "birthDate", "phone", "email", "note"] { values[name] = fields[name] ?? "" }
        if let error { values["error"] = error }
        return try pages.render("referral-book", page, title: pages.text("referrals_book_title", page.language), values: values, status: status)
    }

    func book(_ request: Request, _ context: ReferrerPageContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context.app)
        let pages = try pages()
        guard let holdText = context.parameters.get("hold"), let holdID = UUID(uuidString: holdText) else { throw APIError.notFound("No such booking form.") }
        let remembered = PatientPagesController.Booked.key(context.booker, key: String((fields["key"] ?? "").prefix(100)), hold: holdID)
        if try await PatientPagesController.Booked.stored(booking, remembered) != nil { return Self.done }
        guard let hold = try await booking.ownedHold(id: holdID, by: context.booker, token: nil), hold.expiresAt > clock.now() else {
            if try await PatientPagesController.Booked.stored(booking, remembered) != nil { return Self.done }
            return try await form(request, context, fields: fields, error: nil, status: .gone)
        }
        guard let first = fields["firstName"]?.trimmed.nilIfEmpty, let last = fields["lastName"]?.trimmed.nilIfEmpty,
              let birth = InputDates.birthDate(form: fields["birthDate"]) else {
            return try await form(request, context, fields: fields, error: pages.text("book_missing_details", page.language), status: .unprocessableContent)
        }
        let details = PatientDetails(firstName: first, lastName: last, birthDate: birth, email: fields["email"]?.trimmed.nilIfEmpty,
                                     phone: fields["phone"]?.trimmed.nilIfEmpty)
        let referral = BookingRequest(
            practitionerID: hold.practitionerID, motiveID: hold.motiveID, start: hold.startsAt, patient: .new(details), channel: .referral,
            notes: fields["note"]?.trimmed.nilIfEmpty, holdID: hold.id)
        do {
            _ = try await PatientPagesController.Booked.book(referral, by: context.booker, remembered, on: booking)
            return Self.done
        } catch BookingError.refused(let violation) {
            return try await form(request, context, fields: fields, error: PatientPagesController.translate(violation, pages: pages, language: page.language),
                                  status: .unprocessableContent)
        }
    }

    static let done = Response(status: .seeOther, headers: [.location: "/referrals?booked=1", .cacheControl: "no-store"])
}
