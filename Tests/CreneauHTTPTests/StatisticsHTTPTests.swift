import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdOTP
import HummingbirdTesting
import SQLKit
import Testing

/// The statistics surface through the real router: the dashboard and its drill-down, the CSV, the
/// JSON API, who may read what, bad questions, small counts, the audit.
@Suite("Statistics: pages, CSV and API for management")
struct StatisticsHTTPTests {
    /// A signed-in browser session for a new account holding `role` over `scope`.
    static func session(_ client: some TestClientProtocol, _ test: TestDatabase, role: Role, scope: RoleGrant.Scope, email: String) async throws -> String {
        let id = UUID(), password = "correct horse battery staple"
        try await test.store.insert(Account(id: id, email: email, displayName: "Direction", passwordHash: Bcrypt.hash(password, cost: 4), createdAt: Fixtures.now))
        try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: role, scope: scope))
        let secret = Authenticator.newTOTPSecret()
        try await test.store.setTOTPSecret(secret, accountID: id)
        let staff = AuthAPITests.Staff(email: email, password: password, secret: secret, id: id)
        let response = try await PatientAccountsAPITests.post(client, "/api/v1/sessions",
                                                              ["email": email, "password": password, "code": AuthAPITests().code(staff, at: Fixtures.now), "session": "browser"])
        return String(try #require(response.headers[.setCookie]).prefix { $0 != ";" })
    }

    static let period = "grain=month&from=2026-10&to=2026-12"

    static func audited(_ test: TestDatabase, outcome: String) async throws -> [String] {
        try await test.store.database.withConnection { db in
            try await db.raw("SELECT target FROM access_audit WHERE action = 'stats:read' AND outcome = \(bind: outcome)").all().map { try $0.decode(column: "target", as: String.self) }
        }
    }

    @Test("the director reads the group, drills down to a site, a department and a practitioner, and downloads a CSV; small counts are hidden; reads are audited")
    func director() async throws {
        try await TestDatabase.with { test in
            let fixture = try await StatisticsFixture.make(in: test.store, extraOnline: 6)
            try await test.store.rebuildStatistics()
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let cookie = try await Self.session(client, test, role: .groupAdmin, scope: .group(fixture.org.group.id), email: "direction@hopital.test")
                let headers: HTTPFields = [.cookie: cookie, .accept: "text/html"]
                let home = try await client.execute(uri: "/admin", method: .get, headers: headers)
                #expect(home.text.contains("href=\"/admin/statistics\""))

                let group = try await client.execute(uri: "/admin/statistics?\(Self.period)", method: .get, headers: headers)
                #expect(group.status == .ok)
                let page = group.text
                #expect(page.contains("Groupe test"))                     // the top of the view is the group
                #expect(page.contains("Part prise en ligne par hôpital"))
                #expect(page.contains("<svg") && page.contains("role=\"img\"") && page.contains("<desc id=\"trend-desc\">"))
                #expect(page.contains("?site=\(fixture.org.site.id.json)"))  // drill down to the hospital
                // 13 bookings: 10 online (A1, A2, A5, A7 and six more) → 76,9 %; no-shows 1 of 10 outcomes → 10,0 %.
                #expect(page.contains("<dd>13</dd>"))
                #expect(page.contains("<dd>76,9 %</dd>"))
                #expect(page.contains("<dd>10,0 %</dd>"))
                #expect(page.contains("&lt; 5"))                            // the late cancellations (1) and others
                #expect(page.contains("Délai moyen du 3e créneau disponible"))

                let department = try await client.execute(uri: "/admin/statistics?department=\(fixture.org.department.id.json)&\(Self.period)", method: .get, headers: headers)
                #expect(department.status == .ok)
                #expect(department.text.contains("Hôpital Test") && department.text.contains("aria-current=\"page\">Cardiologie"))
                #expect(department.text.contains("Par motif") && department.text.contains("Première consultation"))
                #expect(department.text.contains("practitioner=\(fixture.org.practitioner.id.json)"))
                let practitioner = try await client.execute(
                    uri: "/admin/statistics?department=\(fixture.org.department.id.json)&practitioner=\(fixture.org.practitioner.id.json)&\(Self.period)",
                    method: .get, headers: headers)
                #expect(practitioner.status == .ok && practitioner.text.contains("Bérénice"))

                // English, by week.
                let english = try await client.execute(uri: "/admin/statistics?grain=week&from=2026-11-02&to=2026-11-30&lang=en", method: .get, headers: headers)
                #expect(english.status == .ok && english.text.contains("Share booked online per hospital"))

                let csv = try await client.execute(uri: "/admin/statistics/breakdown.csv?department=\(fixture.org.department.id.json)&\(Self.period)&lang=fr",
                                                   method: .get, headers: [.cookie: cookie])
                #expect(csv.status == .ok)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(csv.headers[.contentDisposition]?.contains("attachment") == true)
                let bytes = Array(csv.body.readableBytesView)
                #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])              // the byte order mark spreadsheets need
                let lines = csv.text.dropFirst().components(separatedBy: "\r\n")
                #expect(lines.first?.hasPrefix("Nom;Identifiant;Rendez-vous pris;Pris en ligne;Part en ligne (%)") == true)
                let lefevre = try #require(lines.first { $0.hasPrefix("Dr Bérénice Lefèvre") || $0.contains("Lefèvre") })
                #expect(lefevre.contains(";9;8;88,9;"))                     // 9 bookings (A1–A3 and six), 8 online
                let arnaud = try #require(lines.first { $0.contains("Arnaud") })
                #expect(arnaud.contains(";< 5;< 5;;"))                     // 3 bookings: hidden, and no share over fewer than 5

                let trend = try await client.execute(uri: "/admin/statistics/trend.csv?\(Self.period)&lang=en", method: .get, headers: [.cookie: cookie])
                #expect(trend.text.contains("Period;Appointments booked") && trend.text.contains("2026-11-01;11;"))

                #expect(try await Self.audited(test, outcome: "allowed").count >= 6)
            }
        }
    }

    @Test("the API answers the same figures as JSON, nulls for hidden counts, and each table")
    func api() async throws {
        try await TestDatabase.with { test in
            let fixture = try await StatisticsFixture.make(in: test.store, extraOnline: 6)
            try await test.store.rebuildStatistics()
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let cookie = try await Self.session(client, test, role: .siteAdmin, scope: .site(fixture.org.site.id), email: "site@hopital.test")
                let summary = try await client.execute(uri: "/api/v1/statistics?site=\(fixture.org.site.id.json)&\(Self.period)", method: .get, headers: [.cookie: cookie])
                #expect(summary.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.body.readableBytesView)) as? [String: Any])
                let total = try #require(json["total"] as? [String: Any])
                #expect(total["bookings"] as? Int == 13)
                #expect(total["online_bookings"] as? Int == 10)
                #expect((total["online_share"] as? Double).map { abs($0 - 0.769) < 0.001 } == true)
                #expect(total["cancelled_late"] is NSNull)                  // one: hidden
                #expect(json["complete"] as? Bool == true)
                let request = try #require(json["request"] as? [String: Any])
                #expect(request["from"] as? String == "2026-10-01" && (request["periods"] as? [String])?.count == 3)
                let tables = try #require(json["tables"] as? [[String: Any]])
                #expect(tables.map { $0["name"] as? String } == ["trend", "breakdown", "channels", "patients", "access"])

                let channels = try await client.execute(uri: "/api/v1/statistics/channels?site=\(fixture.org.site.id.json)&\(Self.period)", method: .get,
                                                        headers: [.cookie: cookie])
                let table = try #require(try JSONSerialization.jsonObject(with: Data(channels.body.readableBytesView)) as? [String: Any])
                let rows = try #require(table["rows"] as? [[Any]])
                #expect(rows.first?.first as? String == "online" && rows.first?[1] as? Int == 10)
                let unknown = try await client.execute(uri: "/api/v1/statistics/everything", method: .get, headers: [.cookie: cookie])
                #expect(unknown.status == .notFound)
            }
        }
    }

    @Test("who may read what: a secretary is refused, a site administrator keeps to their site, a department head to their department; signed out is asked to sign in")
    func access() async throws {
        try await TestDatabase.with { test in
            let fixture = try await StatisticsFixture.make(in: test.store)
            let other = Site(id: UUID(), groupID: fixture.org.group.id, name: "Hôpital Voisin", slug: "voisin", city: "Paris")
            try await test.store.insert(other)
            try await test.store.rebuildStatistics()
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                #expect(try await client.execute(uri: "/api/v1/statistics", method: .get).status == .unauthorized)
                let signedOut = try await client.execute(uri: "/admin/statistics", method: .get, headers: [.accept: "text/html"])
                #expect(signedOut.status == .seeOther)

                let secretary = try await Self.session(client, test, role: .secretary, scope: .department(fixture.org.department.id), email: "secretariat@hopital.test")
                let refused = try await client.execute(uri: "/admin/statistics", method: .get, headers: [.cookie: secretary, .accept: "text/html"])
                #expect(refused.status == .forbidden && refused.text.contains("réservées aux administrateurs"))
                #expect(try await client.execute(uri: "/api/v1/statistics", method: .get, headers: [.cookie: secretary]).status == .forbidden)

                let neighbour = try await Self.session(client, test, role: .siteAdmin, scope: .site(other.id), email: "voisin@hopital.test")
                let theirs = try await client.execute(uri: "/admin/statistics?\(Self.period)", method: .get, headers: [.cookie: neighbour, .accept: "text/html"])
                #expect(theirs.status == .ok && theirs.text.contains("Hôpital Voisin") && !theirs.text.contains("site=\(fixture.org.site.id.json)"))
                let notTheirs = try await client.execute(uri: "/api/v1/statistics?site=\(fixture.org.site.id.json)", method: .get, headers: [.cookie: neighbour])
                #expect(notTheirs.status == .forbidden)

                let head = try await Self.session(client, test, role: .departmentHead, scope: .department(fixture.pneumo.id), email: "chef.pneumo@hopital.test")
                let own = try await client.execute(uri: "/admin/statistics?\(Self.period)", method: .get, headers: [.cookie: head, .accept: "text/html"])
                #expect(own.status == .ok && own.text.contains("department=\(fixture.pneumo.id.json)") && !own.text.contains("department=\(fixture.org.department.id.json)"))
                #expect(try await client.execute(uri: "/api/v1/statistics?department=\(fixture.pneumo.id.json)", method: .get, headers: [.cookie: head]).status == .ok)
                for forbidden in ["department=\(fixture.org.department.id.json)", "site=\(fixture.org.site.id.json)"] {
                    #expect(try await client.execute(uri: "/api/v1/statistics?\(forbidden)", method: .get, headers: [.cookie: head]).status == .forbidden)
                }
                #expect(try await Self.audited(test, outcome: "denied").count >= 5)
            }
        }
    }

    @Test("bad questions get a clear 4xx: a period backwards or too long, a bad date, grain, channel or id, an unknown site, a table that does not exist")
    func badInput() async throws {
        try await TestDatabase.with { test in
            let fixture = try await StatisticsFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let cookie = try await Self.session(client, test, role: .groupAdmin, scope: .group(fixture.org.group.id), email: "direction@hopital.test")
                let backwards = try await client.execute(uri: "/admin/statistics?from=2026-11&to=2026-03", method: .get, headers: [.cookie: cookie, .accept: "text/html"])
                #expect(backwards.status == .unprocessableContent && backwards.text.contains("se termine avant de commencer"))
                #expect(backwards.text.contains("value=\"2026-11\""))         // the form keeps what was typed
                for (query, code) in [("from=2020-01&to=2026-01", "period_too_long"), ("from=2026-13", "invalid_from"), ("grain=year", "invalid_grain"),
                                      ("channel=fax", "invalid_channel"), ("kind=vip", "invalid_kind"), ("from=1850-01&to=1850-02", "period_out_of_range"),
                                      ("grain=week&from=2025-01-06&to=2026-06-01", "period_too_long"),
                                      ("practitioner=\(fixture.org.practitioner.id.json)", "invalid_scope"),
                                      ("from=" + String(repeating: "9", count: 100), "invalid_from")] {
                    let answer = try await client.execute(uri: "/api/v1/statistics?\(query)", method: .get, headers: [.cookie: cookie])
                    #expect(answer.status == .unprocessableContent, "\(query)")
                    #expect(answer.text.contains("\"\(code)\""), "\(query): \(answer.text)")
                }
                for query in ["site=\(UUID().uuidString)", "site=not-an-id", "department=\(UUID().uuidString)",
                              "department=\(fixture.org.department.id.json)&practitioner=\(fixture.third.id.json)"] {
                    let answer = try await client.execute(uri: "/api/v1/statistics?\(query)", method: .get, headers: [.cookie: cookie])
                    #expect(answer.status == .notFound, "\(query)")
                }
                let missing = try await client.execute(uri: "/admin/statistics?site=\(UUID().uuidString)", method: .get, headers: [.cookie: cookie, .accept: "text/html"])
                #expect(missing.status == .notFound && missing.text.contains("existe pas"))
                #expect(try await client.execute(uri: "/admin/statistics/secrets.csv", method: .get, headers: [.cookie: cookie]).status == .notFound)
                #expect(try await client.execute(uri: "/admin/statistics/motives.csv", method: .get, headers: [.cookie: cookie]).status == .notFound)
                // An empty period says so.
                let empty = try await client.execute(uri: "/admin/statistics?from=2024-01&to=2024-03", method: .get, headers: [.cookie: cookie, .accept: "text/html"])
                #expect(empty.status == .ok && empty.text.contains("Aucune donnée sur cette période"))
                // Nothing was ever counted on this database (no recount ran): the page says the figures are partial.
                #expect(empty.text.contains("en cours de comptage"))
                let api = try await client.execute(uri: "/api/v1/statistics", method: .get, headers: [.cookie: cookie])
                #expect(api.text.contains("\"complete\":false"))
            }
        }
    }

    @Test("a department head signing in through the pages lands on their statistics; staff who may read them find the link on their home")
    func landing() async throws {
        typealias Pages = AccountPagesTests
        try await TestDatabase.with { test in
            let fixture = try await StatisticsFixture.make(in: test.store)
            let head = try await AccessMatrixTests().account(test, email: "chef.cardio@hopital.test", role: .departmentHead,
                                                             scope: .department(fixture.org.department.id))
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let (signedIn, cookie) = try await Pages.signInThroughPage(client, email: head.email, secret: head.secret)
                #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/admin/statistics")
                let session = try #require(cookie)
                let page = try await client.execute(uri: "/admin/statistics", method: .get, headers: [.cookie: session, .accept: "text/html"])
                #expect(page.status == .ok && page.text.contains("href=\"/admin/statistics\"")) // "Mon compte" leads back here

                let director = try await Self.session(client, test, role: .groupAdmin, scope: .group(fixture.org.group.id), email: "direction@hopital.test")
                let home = try await client.execute(uri: "/staff", method: .get, headers: [.cookie: director, .accept: "text/html"])
                #expect(home.text.contains("href=\"/admin/statistics\""))
            }
        }
    }
}
