import CreneauApp
import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Onboarding practitioners from a spreadsheet: checked line by line, all or nothing, idempotent.
@Suite("Practitioners imported from CSV, in a page and by the service")
struct PractitionerImportTests {
    static func csv(_ fixture: BookingFixture, bad: Bool) -> String {
        let site = fixture.org.site.slug
        var lines = [
            "site;department;title;first_name;last_name;profession;specialty;rpps;languages;email",
            "\(site);cardiologie;Dr;Anne;Roux;Médecin;;10101010101;fr|en;anne.roux@hopital.test",
            "\(site);cardiologie;Pr;Marc;Blanc;Médecin;cardiologie;;fr;",
        ]
        if bad {
            lines.append("\(site);neurologie;Dr;Paul;Nerf;Médecin;;;fr;")
            lines.append("\(site);cardiologie;Dr;Léa;Vite;Médecin;;123;fr;")
        }
        return lines.joined(separator: "\n")
    }

    @Test("bad lines are named and nothing is written; accepted, the good lines are; again, nothing changes; a new account gets its link")
    func service() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            let dependencies = test.dependencies(mailer: mailer)
            let importer = dependencies.practitionerImport
            let refused = try await importer.run(Self.csv(fixture, bad: true), acceptBadLines: false, write: true, by: nil)
            #expect(refused.lines == 4 && refused.rows.count == 2 && refused.imported == nil)
            #expect(refused.problems.map(\.line) == [4, 5])
            #expect(refused.problems[0].message.contains("no department “neurologie”"))
            #expect(refused.problems[1].message.contains("RPPS"))
            #expect(try await test.rows("SELECT id FROM practitioners").count == 1)

            let accepted = try await importer.run(Self.csv(fixture, bad: true), acceptBadLines: true, write: true, by: nil)
            let counts = try #require(accepted.imported)
            #expect(counts.created == 2 && counts.memberships == 2 && counts.accounts == 1 && counts.toInvite.count == 1)
            #expect(mailer.lastLinkParameter("token", to: "anne.roux@hopital.test") != nil)
            let again = try #require(try await importer.run(Self.csv(fixture, bad: false), acceptBadLines: false, write: true, by: nil).imported)
            #expect(again.created == 0 && again.updated == 0 && again.memberships == 0 && again.accounts == 0)
            #expect(try await test.rows("SELECT id FROM practitioners").count == 3)
            let roux = try #require(try await test.store.searchPractitioners(query: "anne roux", specialty: nil, siteID: nil, limit: 5).first)
            #expect(roux.practitioner.rpps == "10101010101" && roux.practitioner.languages == ["fr", "en"])
            #expect(try await test.store.account(email: "anne.roux@hopital.test")?.practitionerID == roux.practitioner.id)
        }
    }

    @Test("in the page: check lists the bad lines, then import writes the good ones; another site's administrator names none of these sites")
    func page() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let form = try await client.execute(uri: "/admin/import", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(form.status == .ok && form.text.contains("Importer des praticiens"))
                let checked = try await AccountPagesTests.post(client, "/admin/import", form: ["csv": Self.csv(fixture, bad: true), "action": "check",
                                                                                              "_csrf": session.csrf], cookie: session.cookie)
                #expect(checked.status == .unprocessableContent)
                #expect(checked.text.contains("4 lignes lues : 2 bonnes, 2 fautives.") && checked.text.contains("ligne 4"))
                #expect(try await test.rows("SELECT id FROM practitioners").count == 1)
                let imported = try await AccountPagesTests.post(client, "/admin/import", form: ["csv": Self.csv(fixture, bad: true), "action": "import", "accept": "1",
                                                                                               "_csrf": session.csrf], cookie: session.cookie)
                #expect(imported.text.contains("Importé : 2 nouveaux praticiens"))
                #expect(try await test.rows("SELECT id FROM practitioners").count == 3)
            }
        }
    }
}
