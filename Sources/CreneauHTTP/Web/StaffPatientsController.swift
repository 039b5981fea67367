import CreneauDomain
import Foundation
import Hummingbird

/// Keeping the patient index clean from the desk: `/staff/duplicates` lists records that look
/// like one person twice (same name and birth date) with what tells them apart, and merges one
/// into another; `/staff/patients/{id}/known` (a button on the agenda) says a department follows
/// the patient, which opens its follow-up motives to them.
struct StaffPatientsController: Sendable {
    let index: PatientIndex
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffPageContext.self)
        staff.get("/staff/duplicates") { request, context in try await duplicates(request, context.app, booker: context.booker, notice: nil) }
        staff.post("/staff/duplicates/merge") { request, context in try await merge(request, context.app, booker: context.booker) }
        staff.post("/staff/patients/{id}/known") { request, context in try await known(request, context.app, booker: context.booker) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    func duplicates(_ request: Request, _ context: AppRequestContext, booker: Booker, notice: String?, error: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let csrf = page.csrf(request, context, browser)
        let groups = try await index.duplicates(by: booker).map { group -> [String: Any] in
            let keep = group[0]
            return [
                "name": "\(keep.lastName.uppercased()) \(keep.firstName)", "birthDate": keep.birthDate.description,
                "records": group.enumerated().map { position, patient -> [String: Any] in
                    var record: [String: Any] = [
                        "id": patient.id.json, "email": patient.email ?? "—", "phone": patient.phone ?? "—", "ipp": patient.ipp ?? "—",
                        "created": PageFormat.day(patient.createdAt, Site.defaultZone, page.language), "csrf": csrf, "keep": keep.id.json,
                    ]
                    if position > 0 { record["mergeable"] = true }
                    return record
                },
            ]
        }
        var values: [String: Any] = ["groups": groups, "none": groups.isEmpty, "wide": true]
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return try pages.render("staff-duplicates", page, title: pages.text("duplicates_title", page.language), values: values, status: status)
    }

    func merge(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let duplicate = fields["duplicate"].flatMap(UUID.init(uuidString:)), let keep = fields["keep"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.badRequest("Choose the record to merge and the one to keep.", code: "missing_field")
        }
        do {
            let moved = try await index.merge(duplicate, into: keep, by: booker)
            let notice = pages.text("duplicates_merged", page.language)
                .replacingOccurrences(of: "{appointments}", with: String(moved.appointments))
            return try await duplicates(request, context, booker: booker, notice: notice)
        } catch BookingError.invalidTransition {
            return try await duplicates(request, context, booker: booker, notice: nil,
                                        error: pages.text("duplicates_two_accounts", page.language), status: .conflict)
        }
    }

    func known(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let text = context.parameters.get("id"), let patient = UUID(uuidString: text),
              let department = fields["department"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("No patient or department has this id.")
        }
        _ = try await index.markKnown(patientID: patient, departmentID: department, by: booker)
        // Back to the agenda the button was on; only a path of ours, never another site.
        let back = fields["back"].flatMap { $0.hasPrefix("/staff/agenda?") ? $0 + "&known=1" : nil } ?? "/staff"
        return Response(status: .seeOther, headers: [.location: back, .cacheControl: "no-store"])
    }
}
