import CreneauDomain
import Foundation
import Hummingbird

/// Signing in with a browser (`/signin`, then `/signin/code` for patients, whose second
/// factor comes by email), signing out, and the patient's account page: appointments
/// of each person the account books for, and its relatives.
struct SignInPagesController: Sendable {
    let authenticator: Authenticator
    let relatives: Relatives
    let booking: BookingService
    let browser: BrowserSession
    let clock: Clock
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        router.get("/signin") { request, context in
            try signInForm(request, context, email: "", next: Self.safeNext(request.uri.queryParameters["next"].map(String.init)), error: nil, status: .ok)
        }
        router.post("/signin") { request, context in try await signIn(request, context) }
        router.post("/signin/code") { request, context in try await code(request, context) }
        router.post("/signout") { request, context in
            if let token = context.sessionToken, context.sessionKind == .browser { try await authenticator.signOut(token: token) }
            var response = Response(status: .seeOther, headers: [.location: "/", .cacheControl: "no-store"])
            response.headers[values: .setCookie].append(browser.clearCookie())
            return response
        }
        router.get("/account") { request, context in try await account(request, context, error: nil) }
        router.post("/account/relatives") { request, context in try await addRelative(request, context) }
        router.post("/account/relatives/{id}/remove") { request, context in try await removeRelative(request, context) }
        router.post("/account/patients/{id}/messages") { request, context in try await messagePreferences(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    func signInForm(_ request: Request, _ context: AppRequestContext, email: String, next: String? = nil, error: String?,
                    status: HTTPResponse.Status) throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        var values: [String: Any] = ["csrf": page.csrf(request, context, browser), "email": email]
        if let next { values["next"] = next }
        if let error { values["error"] = error }
        return try pages.render("signin", page, title: pages.text("signin_title", page.language), values: values, status: status)
    }

    /// Where a page that needs a signed-in visitor sends one who is not: the sign-in, then back
    /// to `path` (a GET page, with its query).
    static func signInRedirect(returningTo path: String) -> Response {
        let next = path.addingPercentEncoding(withAllowedCharacters: Self.pathInQuery) ?? ""
        return Response(status: .seeOther, headers: [.location: "/signin?next=\(next)", .cacheControl: "no-store"])
    }

    /// What a path may keep unencoded as a query value: RFC 3986's unreserved characters and "/".
    static let pathInQuery = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~/"))

    /// A page of this site to return to after signing in, or nil: a path (never "//host" or a
    /// scheme, which would send the visitor elsewhere), printable ASCII, at most 500 characters.
    static func safeNext(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/"), value.count <= 500, !value.hasPrefix("//"), !value.hasPrefix("/\\"),
              value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }) else { return nil }
        return value
    }

    /// Signed in: the cookie, and back to the page that asked for it, or on to the agenda (staff)
    /// or the account (patients).
    func enter(_ signedIn: Authenticator.SignedIn, next requested: String? = nil) -> Response {
        let identity = signedIn.identity
        // A department head without another staff role reads statistics only: that is their home.
        let next = requested ?? (identity.isStaff ? "/staff" : identity.roles.contains(.departmentHead) ? StatisticsPagesController.base
            : identity.roles.contains(.referringDoctor) ? "/referrals" : "/account")
        var response = Response(status: .seeOther, headers: [.location: next, .cacheControl: "no-store"])
        response.headers[values: .setCookie].append(browser.setCookie(signedIn.token, maxAge: Authenticator.apiLifetime))
        return response
    }

    func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        let email = (fields["email"] ?? "").trimmed, password = fields["password"] ?? ""
        let code = fields["code"]?.trimmed.nilIfEmpty
        let next = Self.safeNext(fields["next"])
        do {
            switch try await authenticator.signIn(email: email, password: password, code: code, address: context.clientAddress, kind: .browser) {
            case .signedIn(let signedIn):
                return enter(signedIn, next: next)
            case .codeSent(let challenge):
                return try codeForm(request, context, challenge: challenge.token, sentTo: challenge.sentTo, next: next, error: nil, status: .ok)
            }
        } catch let error as SignInError {
            let key = switch error {
            case .tooManyAttempts: throw error
            case .emailNotVerified: "signin_not_verified"
            case .secondFactorMissing: "signin_second_factor_missing"
            default: "signin_failed"
            }
            return try signInForm(request, context, email: email, next: next, error: pages.text(key, page.language), status: ErrorMapping.map(error).status)
        }
    }

    func codeForm(_ request: Request, _ context: AppRequestContext, challenge: String, sentTo: String, next: String? = nil, error: String?,
                  status: HTTPResponse.Status) throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        var values: [String: Any] = ["csrf": page.csrf(request, context, browser), "challenge": challenge, "sentTo": sentTo]
        if let next { values["next"] = next }
        if let error { values["error"] = error }
        return try pages.render("signin-code", page, title: pages.text("signin_code_title", page.language), values: values, status: status)
    }

    func code(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        let challenge = fields["challenge"] ?? ""
        let next = Self.safeNext(fields["next"])
        do {
            return enter(try await authenticator.completeSignIn(challenge: challenge, code: fields["code"] ?? "", address: context.clientAddress, kind: .browser),
                         next: next)
        } catch SignInError.wrongCode {
            return try codeForm(request, context, challenge: challenge, sentTo: "", next: next, error: pages.text("signin_wrong_code", page.language),
                                status: .unauthorized)
        } catch SignInError.codeExpired {
            return try signInForm(request, context, email: "", next: next, error: pages.text("signin_code_expired", page.language), status: .unauthorized)
        }
    }

    // MARK: The account

    func account(_ request: Request, _ context: AppRequestContext, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])
        }
        var page = PageContext(request, context)
        let pages = try pages()
        let csrf = page.csrf(request, context, browser)
        let now = clock.now()
        var people: [[String: Any]] = []
        for (entry, appointments) in try await relatives.appointments(accountID: identity.account.id) {
            var upcoming: [[String: Any]] = [], past: [[String: Any]] = []
            for appointment in appointments {
                let (motive, zone) = try await booking.context(of: appointment)
                let item: [String: Any] = [
                    "href": "/appointments/\(appointment.id.json)", "day": PageFormat.day(appointment.startsAt, zone, page.language),
                    "time": PageFormat.time(appointment.startsAt, zone, page.language), "motive": motive.name,
                    "status": pages.text("status_" + appointment.status.rawValue, page.language),
                ]
                if appointment.status == .booked && appointment.endsAt > now { upcoming.append(item) } else { past.insert(item, at: 0) }
            }
            var person: [String: Any] = [
                "id": entry.patient.id.json, "name": entry.patient.displayName, "csrf": csrf, "removable": entry.relationship != .self,
                "upcoming": upcoming, "hasUpcoming": !upcoming.isEmpty, "past": past, "hasPast": !past.isEmpty,
            ]
            let patient = entry.patient
            person["wantsEmail"] = patient.wantsEmail
            person["wantsSMS"] = patient.wantsSMS && patient.smsStoppedAt == nil
            person["french"] = patient.language == .fr
            person["contact"] = [patient.email, patient.phone].compactMap { $0?.trimmed.nilIfEmpty }.joined(separator: " · ")
            // The holder's own section names no relationship (an empty string would still open the section).
            if entry.relationship != .self { person["relationship"] = pages.text("relationship_" + entry.relationship.rawValue, page.language) }
            people.append(person)
        }
        var values: [String: Any] = ["csrf": csrf, "name": identity.account.displayName, "people": people]
        if let error { values["error"] = error }
        if error == nil, request.uri.queryParameters.get("saved") != nil { values["saved"] = pages.text("account_messages_saved", page.language) }
        return try pages.render("account", page, title: pages.text("account_title", page.language), values: values, status: status)
    }

    /// An account problem in the reader's language (English: the rule's own sentence).
    static func words(_ problem: AccountProblem, _ pages: WebPages, _ language: Language) -> String {
        let key = "account_problem_" + problem.code.rawValue, translated = pages.text(key, language)
        return language == .en || translated == key ? problem.message : translated
    }

    /// Email, SMS (choosing it again after a STOP resumes it), and the language of the messages.
    func messagePreferences(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])
        }
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No relative with this id is in your account.") }
        guard let language = Language(rawValue: fields["language"] ?? "fr") else {
            return try await account(request, context, error: pages.text("account_problem_message_language", page.language), status: .unprocessableContent)
        }
        do {
            try await relatives.setMessagePreferences(patientID: id, accountID: identity.account.id, email: fields["email"] == "on", sms: fields["sms"] == "on",
                                                      language: language)
        } catch AccountError.refused(let problem) {
            return try await account(request, context, error: Self.words(problem, pages, page.language), status: .unprocessableContent)
        }
        return Response(status: .seeOther, headers: [.location: "/account?saved=1", .cacheControl: "no-store"])
    }

    func addRelative(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])
        }
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let first = fields["firstName"]?.trimmed.nilIfEmpty, let last = fields["lastName"]?.trimmed.nilIfEmpty,
              let birth = InputDates.birthDate(form: fields["birthDate"]), let relationship = fields["relationship"].flatMap(Relationship.init(rawValue:)) else {
            return try await account(request, context, error: pages.text("book_missing_details", page.language), status: .unprocessableContent)
        }
        do {
            _ = try await relatives.add(PatientDetails(firstName: first, lastName: last, birthDate: birth), relationship: relationship, accountID: identity.account.id)
        } catch AccountError.refused(let problem) {
            // English readers get the rule's own sentence (it may name a limit); others its translation.
            return try await account(request, context, error: Self.words(problem, pages, page.language), status: .unprocessableContent)
        }
        return Response(status: .seeOther, headers: [.location: "/account", .cacheControl: "no-store"])
    }

    func removeRelative(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.roles.contains(.patient) else {
            return Response(status: .seeOther, headers: [.location: "/signin", .cacheControl: "no-store"])
        }
        let page = PageContext(request, context)
        let pages = try pages()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No relative with this id is in your account.") }
        do {
            try await relatives.remove(patientID: id, accountID: identity.account.id)
        } catch AccountError.conflict(let code, _) {
            let key = code == "upcoming_appointments" ? "account_relative_upcoming" : "account_under_account_holder"
            return try await account(request, context, error: pages.text(key, page.language), status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/account", .cacheControl: "no-store"])
    }
}
