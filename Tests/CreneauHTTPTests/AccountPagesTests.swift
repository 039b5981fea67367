import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The pages the account emails link to, as a browser uses them: HTML in the reader's
/// language, forms guarded by a CSRF token, opening a link changes nothing.
@Suite("Web: account link pages (verify, forgot, reset), languages, CSRF on visitors' forms")
struct AccountPagesTests {
    static let html: HTTPFields = [.accept: "text/html,application/xhtml+xml"]

    /// The value of `<input type="hidden" name="NAME" value="…">`.
    static func hidden(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    static func cookie(_ response: TestResponse, named name: String) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }.map { String($0.prefix { $0 != ";" }) }
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, form: [String: String], cookie: String?, language: String = "fr") async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "text/html", .acceptLanguage: language]
        if let cookie { headers[.cookie] = cookie }
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("the verification link shows a button; the button (with its CSRF token) confirms; without the token nothing happens")
    func verify() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let email = "lea@example.org"
                _ = try await PatientAccountsAPITests.post(client, "/api/v1/accounts", PatientAccountsAPITests.signUpBody(email))
                let token = try #require(mailer.lastLinkParameter("token", to: email))

                let page = try await client.execute(uri: "/account/verify?token=\(token)", method: .get, headers: Self.html)
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(page.text.contains("<html lang=\"fr\">"))
                #expect(page.text.contains("Confirmer mon adresse"))
                #expect(Self.hidden("token", in: page.text) == token)
                let csrf = try #require(Self.hidden("_csrf", in: page.text))
                let cookie = try #require(Self.cookie(page, named: "creneau_form"))
                #expect(page.headers[values: .setCookie].contains { $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
                // Opening the link (as a mail scanner does) verified nothing.
                #expect(try await test.store.account(email: email)?.emailVerifiedAt == nil)

                let forged = try await Self.post(client, "/account/verify", form: ["token": token, "_csrf": csrf], cookie: nil)
                #expect(forged.status == .forbidden)
                #expect(forged.text.contains("Cette page a expiré"))
                let mismatched = try await Self.post(client, "/account/verify", form: ["token": token, "_csrf": "x" + csrf], cookie: cookie)
                #expect(mismatched.status == .forbidden)
                #expect(try await test.store.account(email: email)?.emailVerifiedAt == nil)

                let confirmed = try await Self.post(client, "/account/verify", form: ["token": token, "_csrf": csrf], cookie: cookie)
                #expect(confirmed.status == .ok)
                #expect(confirmed.text.contains("Adresse confirmée"))
                #expect(try await test.store.account(email: email)?.emailVerifiedAt != nil)

                let again = try await Self.post(client, "/account/verify", form: ["token": token, "_csrf": csrf], cookie: cookie)
                #expect(again.status == .unprocessableContent)
                #expect(again.text.contains("Ce lien ne fonctionne plus"))
            }
        }
    }

    @Test("forgotten password to new password through the pages; the policy speaks the reader's language")
    func reset() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let email = "marc@example.org"
                _ = try await PatientAccountsAPITests.patient(client, mailer, email: email)
                let forgot = try await client.execute(uri: "/account/forgot", method: .get, headers: [.accept: "text/html", .acceptLanguage: "en-GB,en;q=0.9,fr;q=0.5"])
                #expect(forgot.text.contains("<html lang=\"en\">"))
                #expect(forgot.text.contains("<label for=\"email\">Email address</label>"))
                let cookie = try #require(Self.cookie(forgot, named: "creneau_form"))
                let csrf = try #require(Self.hidden("_csrf", in: forgot.text))

                let empty = try await Self.post(client, "/account/forgot", form: ["email": "", "_csrf": csrf], cookie: cookie, language: "en")
                #expect(empty.status == .unprocessableContent)
                #expect(empty.text.contains("role=\"alert\""))
                let sent = try await Self.post(client, "/account/forgot", form: ["email": email, "_csrf": csrf], cookie: cookie, language: "en")
                #expect(sent.status == .ok)
                #expect(sent.text.contains("Check your email"))
                let token = try #require(mailer.lastLinkParameter("token", to: email))
                #expect(mailer.messages(to: email).last?.text.contains("https://rdv.avoine.example/account/reset?token=\(token)") == true)

                let form = try await client.execute(uri: "/account/reset?token=\(token)", method: .get, headers: [.accept: "text/html", .cookie: cookie])
                #expect(form.text.contains("autocomplete=\"new-password\""))
                let weak = try await Self.post(client, "/account/reset", form: ["token": token, "password": "motdepasse123456", "_csrf": csrf], cookie: cookie)
                #expect(weak.status == .unprocessableContent)
                #expect(weak.text.contains("fait partie des plus courants"))
                let done = try await Self.post(client, "/account/reset", form: ["token": token, "password": "la mer est calme ce matin", "_csrf": csrf], cookie: cookie)
                #expect(done.status == .ok)
                #expect(done.text.contains("Mot de passe changé"))
                #expect(try await PatientAccountsAPITests.post(client, "/api/v1/sessions", ["email": email, "password": "la mer est calme ce matin"]).status == .accepted)
            }
        }
    }

    @Test("relatives through the account page: a wrong date of birth is explained in the reader's language and adds nobody; a right one adds them")
    func relatives() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let session = try await BrowserSessionAPITests.browserPatient(client, mailer, email: "lea@example.org")
                let zoe = ["firstName": "Zoé", "lastName": "Martin", "birthDate": "2031-06-02", "relationship": "child", "_csrf": session.csrf]
                let french = try await Self.post(client, "/account/relatives", form: zoe, cookie: session.cookie)
                #expect(french.status == .unprocessableContent)
                #expect(french.text.contains("Vérifiez le prénom, le nom et la date de naissance de ce proche"), "\(french.text)")
                let english = try await Self.post(client, "/account/relatives", form: zoe, cookie: session.cookie, language: "en")
                #expect(english.status == .unprocessableContent && english.text.contains("birth"), "\(english.text)")
                let account = try #require(try await test.store.account(email: "lea@example.org"))
                #expect(try await test.store.managedPatients(accountID: account.id).count == 1)
                let added = try await Self.post(client, "/account/relatives", form: zoe.merging(["birthDate": "2019-06-02"]) { $1 }, cookie: session.cookie)
                #expect(added.status == .seeOther && added.headers[.location] == "/account")
                #expect(try await test.store.managedPatients(accountID: account.id).count == 2)
                let page = try await client.execute(uri: "/account", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(page.text.contains("Zoé"))
            }
        }
    }

    @Test("the language switch keeps the page's address; ?lang= is remembered; text from the address is escaped")
    func languageAndEscaping() async throws {
        try await TestDatabase.with { test in
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let english = try await client.execute(uri: "/account/verify?token=abc&lang=en", method: .get, headers: Self.html)
                #expect(english.text.contains("<html lang=\"en\">"))
                #expect(english.text.contains("href=\"/account/verify?token=abc&amp;lang=fr\""))
                let remembered = try #require(Self.cookie(english, named: "creneau_lang"))
                let next = try await client.execute(uri: "/account/forgot", method: .get, headers: [.accept: "text/html", .cookie: remembered])
                #expect(next.text.contains("<html lang=\"en\">"))

                let hostile = try await client.execute(uri: "/account/verify?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", method: .get, headers: Self.html)
                #expect(!hostile.text.contains("<script>"))
                #expect(hostile.text.contains("&lt;script&gt;"))
            }
        }
    }

    @Test("a browser gets an error page in its language; API clients keep the JSON shape")
    func errorPages() async throws {
        try await TestDatabase.with { test in
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let page = try await client.execute(uri: "/nowhere", method: .get, headers: Self.html)
                #expect(page.status == .notFound)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.text.contains("Page introuvable"))
                let api = try await client.execute(uri: "/api/v1/nowhere", method: .get, headers: Self.html)
                #expect(api.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test("every translation table has the same keys")
    func translations() throws {
        let pages = try WebPages.loaded().get()
        #expect(Set(pages.tables[.fr]?.keys.map { $0 } ?? []) == Set(pages.tables[.en]?.keys.map { $0 } ?? []))
        #expect((pages.tables[.fr]?.count ?? 0) > 20)
        // Every refusal a page can show has its sentence in each language: booking rules, account
        // rules, motive and template settings.
        let keys = RuleViolation.Code.allCases.map { "rule_" + $0.rawValue } + AccountProblem.Code.allCases.map { "account_problem_" + $0.rawValue }
            + MotiveRules.Problem.allCases.map(\.rawValue) + TemplateRules.Problem.allCases.map(\.rawValue) + StaffAgenda.OpeningProblem.allCases.map(\.rawValue)
            // …and every kind of message the desk and the administrators see listed.
            + OutboxMessage.Kind.allCases.map { "message_kind_" + $0.rawValue }
        for language in Language.allCases {
            for key in keys { #expect(pages.tables[language]?[key] != nil, "\(language.rawValue): \(key)") }
        }
    }

    @Test("Accept-Language: the reader's first of French or English, q-values honoured")
    func acceptLanguage() {
        #expect(PageContext.accepted("") == .fr)
        #expect(PageContext.accepted("en-US,en;q=0.9") == .en)
        #expect(PageContext.accepted("de-DE,de;q=0.9,en;q=0.8,fr;q=0.7") == .en)
        #expect(PageContext.accepted("fr;q=0.4,en;q=0.6") == .en)
        #expect(PageContext.accepted("es,de") == .fr)
    }
}
