import CreneauDomain
import Foundation
import Hummingbird

/// A patient's rights over their account: a copy of their data (`PatientDataExport`: `GET
/// /api/v1/me/data`, and `GET /account/data.json` as a file the account page links to), and closing it
/// (`AccountClosure`: `DELETE /api/v1/me` with the password, `POST /account/close` from the page).
struct PatientDataController: Sendable {
    let export: PatientDataExport
    let closure: AccountClosure?
    let clock: Clock
    let browser: BrowserSession
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let patient = router.group(context: PatientContext.self)
        patient.get("/api/v1/me/data") { _, context in try await answer(context, download: false) }
        patient.get("/account/data.json") { _, context in try await answer(context, download: true) }
        guard let closure else { return }
        patient.delete("/api/v1/me") { request, context in
            let body: CloseBody = try await JSONRequest.read(request)
            let closed = try await closure.close(accountID: context.identity.account.id, password: body.password)
            return try JSON.response(ClosedJSON(cancelled: closed.cancelled, anonymised: closed.anonymised))
        }
        router.post("/account/close") { request, context in try await closeFromPage(request, context, closure: closure) }
    }

    struct CloseBody: Decodable { let password: String }
    struct ClosedJSON: Encodable { let cancelled: Int; let anonymised: Int }

    /// The page's form: the password again and a ticked box; a refusal comes back on the account page's section.
    func closeFromPage(_ request: Request, _ context: AppRequestContext, closure: AccountClosure) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])
        }
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try renderer.get()
        func refused(_ key: String, _ status: HTTPResponse.Status) throws -> Response {
            try pages.render("message", page, title: pages.text("account_close_title", page.language), values: [
                "text": pages.text(key, page.language), "kind": "error", "role": "alert", "back": "/account",
            ], status: status)
        }
        guard fields["confirm"] == "yes" else { return try refused("account_close_unconfirmed", .unprocessableContent) }
        do {
            _ = try await closure.close(accountID: identity.account.id, password: String((fields["password"] ?? "").prefix(200)))
        } catch AccountError.refused {
            return try refused("account_close_wrong_password", .unprocessableContent)
        } catch AccountError.conflict {
            return try refused("account_close_too_close", .conflict)
        }
        var response = try pages.render("message", page, title: pages.text("account_close_title", page.language), values: [
            "text": pages.text("account_closed", page.language), "kind": "notice", "role": "status",
        ])
        response.headers[values: .setCookie].append(browser.clearCookie())
        return response
    }

    func answer(_ context: PatientContext, download: Bool) async throws -> Response {
        guard let data = try await export.export(accountID: context.identity.account.id) else {
            throw APIError.notFound("This account no longer exists.")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if download {
            headers[.contentDisposition] = "attachment; filename=\"creneau-donnees-\(LocalDate(clock.now(), in: Site.defaultZone)).json\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(data))))
    }
}
