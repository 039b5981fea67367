import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A patient creates an account from the sign-in page, in a browser, without the API.
@Suite("Web: patient sign-up page and the wider search box")
struct SignUpPagesTests {
    typealias Pages = AccountPagesTests

    @Test("the sign-in page links to sign-up; a refusal keeps what was typed (never the password); success sends the link")
    func signUp() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let signIn = try await client.execute(uri: "/signin", method: .get, headers: Pages.html)
                #expect(signIn.text.contains("href=\"/account/signup\""))
                let page = try await client.execute(uri: "/account/signup", method: .get, headers: Pages.html)
                #expect(page.status == .ok)
                #expect(page.text.contains("Créer votre compte"))
                let csrf = try #require(Pages.hidden("_csrf", in: page.text))
                let cookie = try #require(Pages.cookie(page, named: "creneau_form"))
                let values = ["firstName": "Léa", "lastName": "Moreau", "birthDate": "1988-04-12", "phone": "0612345678",
                              "email": "lea.moreau@example.org", "password": "azerty", "_csrf": csrf]

                let weak = try await Pages.post(client, "/account/signup", form: values, cookie: cookie)
                #expect(weak.status == .unprocessableContent)
                #expect(weak.text.contains("Ce mot de passe est trop faible"))
                #expect(weak.text.contains("value=\"Moreau\"") && weak.text.contains("value=\"1988-04-12\""))
                #expect(!weak.text.contains("azerty"))
                let child = try await Pages.post(client, "/account/signup",
                                                 form: values.merging(["birthDate": "2020-01-01", "password": "quatre mots bien longs"]) { $1 }, cookie: cookie)
                #expect(child.status == .unprocessableContent)
                #expect(child.text.contains("à partir de 15 ans"))
                let garbled = try await Pages.post(client, "/account/signup", form: values.merging(["birthDate": "12/04/88"]) { $1 }, cookie: cookie)
                #expect(garbled.status == .unprocessableContent)
                #expect(garbled.text.contains("Vérifiez votre prénom, votre nom et votre date de naissance"))
                let missing = try await Pages.post(client, "/account/signup", form: values.filter { $0.key != "email" }, cookie: cookie)
                #expect(missing.status == .unprocessableContent)
                #expect(try await test.store.account(email: "lea.moreau@example.org") == nil)

                let created = try await Pages.post(client, "/account/signup", form: values.merging(["password": "quatre mots bien longs"]) { $1 }, cookie: cookie)
                #expect(created.status == .ok)
                #expect(created.text.contains("Consultez vos e-mails"))
                let account = try #require(try await test.store.account(email: "lea.moreau@example.org"))
                #expect(account.emailVerifiedAt == nil && account.language == .fr)
                #expect(mailer.lastLinkParameter("token", to: "lea.moreau@example.org") != nil)

                // The same address again: the same answer, and its owner is told by email.
                let again = try await Pages.post(client, "/account/signup", form: values.merging(["password": "quatre mots bien longs"]) { $1 }, cookie: cookie)
                #expect(again.status == .ok && again.text.contains("Consultez vos e-mails"))
            }
        }
    }

    @Test("typing a specialty, a motive or a town in the search box finds practitioners")
    func wideSearch() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                for query in ["cardiologie", "Premiere consultation", "paris", "lefevre"] {
                    let page = try await client.execute(uri: "/search?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                                                        method: .get, headers: Pages.html)
                    #expect(page.status == .ok)
                    #expect(page.text.contains("/practitioners/\(fixture.org.practitioner.id.json)"), "\(query)")
                }
                let none = try await client.execute(uri: "/search?q=neurologie", method: .get, headers: Pages.html)
                #expect(!none.text.contains("/practitioners/\(fixture.org.practitioner.id.json)"))
            }
        }
    }
}
