import CreneauDomain
import Foundation
import Hummingbird

/// The waiting list's pages. The offer's page, from its message's link
/// (`/waitlist/offers/{id}?t=`, no sign-in): the slot, until when it is kept, accept or decline.
/// The account's list (`/account/waitlist`): its patients' entries, leave one; joining from a
/// practitioner's page (`/account/waitlist?practitioner=&motive=`).
struct WaitlistPagesController: Sendable {
    let waitlist: Waitlist
    let relatives: Relatives
    let motives: any SchedulingRepository
    let directory: any DirectoryRepository
    let browser: BrowserSession
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        router.get("/waitlist/offers/{id}") { request, context in try await offer(request, context) }
        router.post("/waitlist/offers/{id}/accept") { request, context in try await answer(request, context, accept: true) }
        router.post("/waitlist/offers/{id}/decline") { request, context in try await answer(request, context, accept: false) }
        router.get("/account/waitlist") { request, context in try await account(request, context, fields: [:], error: nil) }
        router.post("/account/waitlist") { request, context in try await join(request, context) }
        router.post("/account/waitlist/{id}/cancel") { request, context in try await cancel(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    static func id(_ context: AppRequestContext) -> UUID? { context.parameters.get("id").flatMap(UUID.init(uuidString:)) }

    // MARK: The offer

    func offer(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters.get("t").map { String($0) } ?? ""
        guard let id = Self.id(context) else { return try invalidLink(request, context) }
        let details: Waitlist.OfferDetails
        do {
            details = try await waitlist.details(offerID: id, token: token)
        } catch is BookingError {
            return try invalidLink(request, context)
        }
        return try render(details, token: token, request, context, notice: nil)
    }

    func render(_ details: Waitlist.OfferDetails, token: String, _ request: Request, _ context: AppRequestContext, notice: (key: String, kind: String)?,
                status: HTTPResponse.Status = .ok) throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let offer = details.offer, zone = details.timeZone
        var values: [String: Any] = [
            "id": offer.id.json, "token": token, "csrf": page.csrf(request, context, browser),
            "patient": details.patientName, "practitioner": details.practitionerName, "motive": details.motiveName,
            "site": details.site?.name ?? "", "address": details.site.map(NoticeComposer.address) ?? "",
            "day": PageFormat.day(offer.startsAt, zone, page.language), "time": PageFormat.time(offer.startsAt, zone, page.language),
            "until": PageFormat.time(offer.expiresAt, zone, page.language), "live": offer.state == .live,
        ]
        if offer.state != .live {
            values["ended"] = pages.text("waitlist_offer_" + offer.state.rawValue, page.language)
        }
        if let notice {
            values["notice"] = pages.text(notice.key, page.language)
            values["noticeKind"] = notice.kind
        }
        return try pages.render("waitlist-offer", page, title: pages.text("waitlist_offer_title", page.language), values: values, status: status)
    }

    func answer(_ request: Request, _ context: AppRequestContext, accept: Bool) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let token = fields["t"] ?? ""
        guard let id = Self.id(context) else { return try invalidLink(request, context) }
        do {
            if accept {
                let (appointment, manageToken) = try await waitlist.accept(offerID: id, token: token)
                return Response(status: .seeOther, headers: [
                    .location: "/appointments/\(appointment.id.json)?token=\(manageToken)&booked=1", .cacheControl: "no-store"])
            }
            try await waitlist.decline(offerID: id, token: token)
        } catch BookingError.notFound {
            return try invalidLink(request, context)
        } catch BookingError.refused(let violation) where violation.code == .offerEnded {
            // Answered late, twice, or the slot is gone: the page says which, never an error page.
            let details = try await waitlist.details(offerID: id, token: token)
            return try render(details, token: token, request, context, notice: nil, status: .conflict)
        }
        let details = try await waitlist.details(offerID: id, token: token)
        return try render(details, token: token, request, context, notice: ("waitlist_offer_declined_now", "notice"))
    }

    func invalidLink(_ request: Request, _ context: AppRequestContext) throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        return try pages.render("message", page, title: pages.text("waitlist_offer_title", page.language), values: [
            "text": pages.text("waitlist_offer_invalid", page.language), "kind": "error", "role": "alert",
        ], status: .notFound)
    }

    // MARK: The account's list

    func account(_ request: Request, _ context: AppRequestContext, fields: [String: String], error: String?,
                 status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            // Back here once signed in: the waiting list for the motive the visitor chose.
            return SignInPagesController.signInRedirect(returningTo: request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))
        }
        var page = PageContext(request, context)
        let pages = try pages()
        let csrf = page.csrf(request, context, browser)
        let people = try await relatives.list(accountID: identity.account.id)
        let names = Dictionary(people.map { ($0.patient.id, $0.patient.displayName) }, uniquingKeysWith: { first, _ in first })
        var entries: [[String: Any]] = []
        for item in try await waitlist.items(accountID: identity.account.id) {
            let entry = item.entry
            let motive = try await motives.motive(id: entry.motiveID)
            let practitioner = try await entry.practitionerID.asyncMap { try await directory.practitionerProfile(id: $0) } ?? nil
            entries.append([
                "id": entry.id.json, "csrf": csrf, "patient": names[entry.patientID] ?? "", "motive": motive?.name ?? "",
                "practitioner": practitioner.map { $0.practitioner.displayName } ?? pages.text("waitlist_any_practitioner", page.language),
                "from": entry.preferences.firstDay.description, "to": entry.preferences.lastDay.description,
                "state": pages.text("waitlist_state_" + entry.state.rawValue, page.language), "waiting": entry.state == .waiting,
                "offers": item.offers.count,
            ])
        }
        var values: [String: Any] = ["csrf": csrf, "entries": entries, "hasEntries": !entries.isEmpty]
        // Joining: from a practitioner's page, for one of their motives.
        let practitionerID = (fields["practitioner"] ?? request.uri.queryParameters.get("practitioner").map { String($0) }).flatMap(UUID.init(uuidString:))
        let motiveID = (fields["motive"] ?? request.uri.queryParameters.get("motive").map { String($0) }).flatMap(UUID.init(uuidString:))
        if let practitionerID, let motiveID, let found = try await directory.practitionerWithMotives(id: practitionerID, now: waitlist.now),
           let motive = found.motives.first(where: { $0.id == motiveID }) {
            let today = LocalDate(waitlist.now, in: found.profile.timeZone)
            let weekdays = Set((fields["weekdays"] ?? "1,2,3,4,5").split(separator: ",").compactMap { Int($0) })
            var join: [String: Any] = [
                "practitionerId": practitionerID.json, "motiveId": motiveID.json, "motive": motive.name, "practitioner": found.profile.practitioner.displayName,
                "from": fields["from"] ?? today.description, "to": fields["to"] ?? today.adding(days: min(60, motive.horizonDays(for: .online))).description,
                "patients": people.map { ["id": $0.patient.id.json, "name": $0.patient.displayName, "selected": fields["patientId"] == $0.patient.id.json] },
                "weekdays": (1...7).map { ["value": $0, "name": pages.text("weekday_\($0)", page.language), "checked": weekdays.contains($0)] },
                "anyPart": (fields["dayPart"] ?? "any") == "any", "morning": fields["dayPart"] == "morning", "afternoon": fields["dayPart"] == "afternoon",
                "notices": [0, 2, 24, 48, 72].map { ["value": $0, "selected": Int(fields["noticeHours"] ?? "24") == $0,
                                                    "label": pages.text("waitlist_notice_\($0)", page.language)] },
                "both": (fields["reach"] ?? "both") == "both", "sms": fields["reach"] == "sms", "email": fields["reach"] == "email",
                "anyPractitioner": fields["anyPractitioner"] == "on",
            ]
            join.merge(try await Self.doctorValues(fields, waitlist: waitlist)) { $1 }
            values["join"] = join
        }
        if let error { values["error"] = error }
        if error == nil, request.uri.queryParameters.get("joined") != nil { values["saved"] = pages.text("waitlist_joined", page.language) }
        return try pages.render("waitlist", page, title: pages.text("waitlist_title", page.language), values: values, status: status)
    }

    /// The referring doctor's part of a joining form: the search typed, the doctors it found (the
    /// one chosen kept checked), "none found" after a search.
    static func doctorValues(_ fields: [String: String], waitlist: Waitlist) async throws -> [String: Any] {
        let query = (fields["doctorQuery"] ?? "").trimmed
        var values: [String: Any] = ["doctorQuery": query]
        guard !query.isEmpty else { return values }
        let found = try await waitlist.searchReferringDoctors(query)
        values["doctors"] = found.map { ["id": $0.id.json, "label": StaffBookingController.doctorLabel($0),
                                         "checked": fields["referringDoctor"] == $0.id.json || found.count == 1] }
        values["noDoctor"] = found.isEmpty && fields["action"] == "search_doctor"
        return values
    }

    func join(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return SignInPagesController.signInRedirect(returningTo: "/account/waitlist")
        }
        var fields = try await FormBody.parse(request)
        // Several boxes named "weekday" arrive as the last one only: the form names them weekday1…weekday7.
        fields["weekdays"] = (1...7).filter { fields["weekday\($0)"] == "on" }.map(String.init).joined(separator: ",")
        let page = PageContext(request, context)
        let pages = try pages()
        if fields["action"] == "search_doctor" {
            return try await account(request, context, fields: fields, error: nil)
        }
        let body = WaitlistController.JoinBody(form: fields, patientId: fields["patientId"])
        do {
            let join = try WaitlistController.request(body, now: waitlist.now)
            _ = try await waitlist.join(join, by: identity.booker)
        } catch let error as APIError {
            return try await account(request, context, fields: fields, error: error.message, status: .badRequest)
        } catch BookingError.refused(let violation) {
            return try await account(request, context, fields: fields, error: PatientPagesController.translate(violation, pages: pages, language: page.language),
                                     status: .unprocessableContent)
        }
        return Response(status: .seeOther, headers: [.location: "/account/waitlist?joined=1", .cacheControl: "no-store"])
    }

    func cancel(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return SignInPagesController.signInRedirect(returningTo: "/account/waitlist")
        }
        guard let id = Self.id(context) else { throw APIError.notFound("No waiting-list entry has this id.") }
        do {
            try await waitlist.cancel(entryID: id, by: identity.booker)
        } catch BookingError.invalidTransition {
            // Already closed (booked, expired, or a second click): the list shows how it stands.
        }
        return Response(status: .seeOther, headers: [.location: "/account/waitlist", .cacheControl: "no-store"])
    }
}
