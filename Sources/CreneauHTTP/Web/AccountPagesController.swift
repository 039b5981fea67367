import CreneauDomain
import Foundation
import Hummingbird

/// The pages the account emails link to: `/account/verify?token=` (confirm an address),
/// `/account/forgot` (ask for a reset link) and `/account/reset?token=` (choose a new
/// password). Opening a link changes nothing — mail scanners open links — the button does.
struct AccountPagesController: Sendable {
    let accounts: PatientAccounts
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        router.get("/account/signup") { request, context in
            try form("signup", request, context, PageContext(request, context), title: "signup_title")
        }
        router.post("/account/signup") { request, context in try await signUp(request, context) }
        router.get("/account/verify") { request, context in
            let page = PageContext(request, context)
            guard let token = request.uri.queryParameters.get("token"), !token.isEmpty else { return try linkExpired(page) }
            return try form("verify", request, context, page, title: "verify_title", values: ["token": String(token)])
        }
        router.post("/account/verify") { request, context in
            let page = PageContext(request, context)
            let fields = try await FormBody.parse(request)
            do {
                try await accounts.verifyEmail(token: fields["token"] ?? "", address: context.clientAddress)
            } catch SignInError.invalidLink {
                return try linkExpired(page)
            }
            return try message(page, title: "verified_title", text: "verified_text", kind: "notice")
        }
        router.get("/account/forgot") { request, context in
            try form("forgot", request, context, PageContext(request, context), title: "forgot_title")
        }
        router.post("/account/forgot") { request, context in
            let page = PageContext(request, context)
            let fields = try await FormBody.parse(request)
            let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !email.isEmpty else {
                return try form("forgot", request, context, page, title: "forgot_title", values: ["error": pages().text("missing_email_text", page.language)],
                                status: .unprocessableContent)
            }
            try await accounts.requestPasswordReset(email: email, address: context.clientAddress)
            return try message(page, title: "forgot_sent_title", text: "forgot_sent_text", kind: "notice")
        }
        router.get("/account/reset") { request, context in
            let page = PageContext(request, context)
            guard let token = request.uri.queryParameters.get("token"), !token.isEmpty else { return try linkExpired(page) }
            return try form("reset", request, context, page, title: "reset_title", values: ["token": String(token)])
        }
        router.post("/account/reset") { request, context in
            let page = PageContext(request, context)
            let fields = try await FormBody.parse(request)
            let token = fields["token"] ?? "", password = fields["password"] ?? ""
            do {
                try await accounts.resetPassword(token: token, newPassword: password, address: context.clientAddress)
            } catch SignInError.invalidLink {
                return try linkExpired(page)
            } catch AccountError.refused(let problem) where problem.code == .weakPassword {
                // The one rule that needs the account's email is the only one the check below cannot see.
                let key = PasswordPolicy.check(password)?.rawValue ?? PasswordPolicy.Problem.containsEmail.rawValue
                return try form("reset", request, context, page, title: "reset_title",
                                values: ["token": token, "error": pages().text(key, page.language)], status: .unprocessableContent)
            }
            return try message(page, title: "reset_done_title", text: "reset_done_text", kind: "notice")
        }
    }

    func pages() throws -> WebPages { try renderer.get() }

    /// A patient's own sign-up: the same answer whether or not the address has an account
    /// (its owner is told by email), refusals in the reader's language with what they typed kept.
    func signUp(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let page = PageContext(request, context)
        let fields = try await FormBody.parse(request)
        let pages = try pages()
        // Typed values come back into the form; the password never does.
        var kept: [String: Any] = [:]
        for name in ["firstName", "lastName", "birthDate", "phone", "email"] { kept[name] = fields[name] ?? "" }
        func refuse(_ text: String) throws -> Response {
            var values = kept
            values["error"] = text
            return try form("signup", request, context, page, title: "signup_title", values: values, status: .unprocessableContent)
        }
        guard let first = fields["firstName"]?.trimmed.nilIfEmpty, let last = fields["lastName"]?.trimmed.nilIfEmpty,
              let email = fields["email"]?.trimmed.nilIfEmpty, let password = fields["password"], !password.isEmpty else {
            return try refuse(pages.text("signup_missing_details", page.language))
        }
        guard let birth = InputDates.birthDate(form: fields["birthDate"]) else {
            return try refuse(pages.text("signup_problem_invalid_patient", page.language))
        }
        let holder = PatientDetails(firstName: first, lastName: last, birthDate: birth, email: email, phone: fields["phone"]?.trimmed.nilIfEmpty)
        do {
            try await accounts.signUp(PatientAccounts.SignUp(email: email, password: password, holder: holder, language: page.language),
                                      address: context.clientAddress)
        } catch AccountError.refused(let problem) {
            let own = "signup_problem_" + problem.code.rawValue, shared = "account_problem_" + problem.code.rawValue
            let text = pages.text(own, page.language) != own ? pages.text(own, page.language)
                : page.language == .en || pages.text(shared, page.language) == shared ? problem.message : pages.text(shared, page.language)
            return try refuse(text)
        }
        return try message(page, title: "signup_sent_title", text: "signup_sent_text", kind: "notice")
    }

    /// A form page with its CSRF token: the session's when signed in with a cookie, else
    /// the visitor's double-submit token (set in a cookie the first time).
    func form(_ template: String, _ request: Request, _ context: AppRequestContext, _ page: PageContext, title: String,
              values: [String: Any] = [:], status: HTTPResponse.Status = .ok) throws -> Response {
        var page = page, values = values
        values["csrf"] = page.csrf(request, context, browser)
        let pages = try pages()
        return try pages.render(template, page, title: pages.text(title, page.language), values: values, status: status)
    }

    func message(_ page: PageContext, title: String, text: String, kind: String, status: HTTPResponse.Status = .ok, showForgot: Bool = false) throws -> Response {
        let pages = try pages()
        return try pages.render("message", page, title: pages.text(title, page.language), values: [
            "text": pages.text(text, page.language), "kind": kind, "role": kind == "error" ? "alert" : "status", "showForgot": showForgot,
        ], status: status)
    }

    func linkExpired(_ page: PageContext) throws -> Response {
        try message(page, title: "link_expired_title", text: "link_expired_text", kind: "error", status: .unprocessableContent, showForgot: true)
    }
}
