import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Testing

/// Calendar feeds through the real router, read back by a strict client (scripts/ical-check.py:
/// CRLF, 75-octet lines, each TZID's VTIMEZONE, times turned into UTC with the file's own zone).
@Suite("Calendar feeds: a private address, initials by default, audited, renewed and revoked",
       .enabled(if: Peers.icalendar, Comment(rawValue: Peers.icalendarMissing)))
struct CalendarFeedsHTTPTests {
    typealias Pages = AccountPagesTests

    struct Feed: Decodable {
        struct Event: Decodable { let uid: String; let summary: String; let status: String; let sequence: Int; let start: String }
        let zones: [String]
        let events: [Event]
    }

    static func check(_ text: String) async throws -> Feed {
        try JSONDecoder().decode(Feed.self, from: try await ICalendarPeer.check(text))
    }

    @Test("a department's feed: created at the desk, read by a calendar client with initials and the site's zone, each read audited; renewed, the old address is gone; revoked, nothing")
    func departmentFeed() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let dependencies = test.dependencies()
            let (booked, _) = try await dependencies.booking.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor)
            let department = fixture.org.department.id.json
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let page = try await client.execute(uri: "/staff/calendar", method: .get, headers: headers)
                #expect(page.status == .ok && page.text.contains("Cardiologie") && page.text.contains("Créer une adresse"))
                let created = try await Pages.post(client, "/staff/calendar/renew", form: ["_csrf": session.csrf, "owner": "department:\(department)"],
                                                   cookie: session.cookie)
                let url = try #require(created.text.components(separatedBy: "<code id=\"feed-url\">").dropFirst().first?.components(separatedBy: "</code>").first)
                #expect(url.hasPrefix("https://rdv.avoine.example/calendar/") && url.hasSuffix(".ics"))
                let path = String(url.dropFirst("https://rdv.avoine.example".count))
                let feed = try await client.execute(uri: path, method: .get)
                #expect(feed.status == .ok && feed.headers[.contentType] == "text/calendar; charset=utf-8" && feed.headers[.cacheControl] == "no-store")
                let read = try await Self.check(feed.text)
                #expect(read.zones == ["Europe/Paris"])
                let event = try #require(read.events.first { $0.uid == "\(booked.id.uuidString.lowercased())@creneau" })
                // Monday 23 November 10:00 in Paris is 09:00 UTC; the patient shows as initials only.
                #expect(event.start == "2026-11-23T09:00:00Z" && event.summary == "Première consultation — L. M." && event.status == "CONFIRMED")
                #expect(!feed.text.contains("Martin") && !feed.text.contains("Essoufflement"))
                #expect(feed.text.contains("BEGIN:VTIMEZONE"))
                let audited = try await test.rows("SELECT action FROM access_audit WHERE action = 'calendar_feed'")
                #expect(audited.count == 1)

                // Renewed: a new address works, the old one answers 404.
                let renewed = try await Pages.post(client, "/staff/calendar/renew", form: ["_csrf": session.csrf, "owner": "department:\(department)"],
                                                   cookie: session.cookie)
                #expect(renewed.text.contains("<code id=\"feed-url\">") && !renewed.text.contains(url))
                #expect(try await client.execute(uri: path, method: .get).status == .notFound)
                let revoked = try await Pages.post(client, "/staff/calendar/revoke", form: ["_csrf": session.csrf, "owner": "department:\(department)"],
                                                   cookie: session.cookie)
                #expect(revoked.status == .ok && revoked.text.contains("Aucune adresse active"))
                // Someone else's department, an own agenda without being a practitioner, a forged owner: not found.
                for owner in ["department:\(UUID().uuidString)", "practitioner:\(fixture.org.practitioner.id.json)", "nothing"] {
                    let refused = try await Pages.post(client, "/staff/calendar/renew", form: ["_csrf": session.csrf, "owner": owner], cookie: session.cookie)
                    #expect(refused.status == .notFound, "\(owner)")
                }
                #expect(try await client.execute(uri: "/calendar/forged.ics", method: .get).status == .notFound)
            }
        }
    }

    @Test("a practitioner's own feed, with full names when they choose: the patient's name shows and the read is audited per patient; a cancelled visit is CANCELLED with a higher SEQUENCE and the same UID")
    func practitionerFeed() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let dependencies = test.dependencies()
            let (kept, _) = try await dependencies.booking.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor)
            let (dropped, token) = try await dependencies.booking.book(fixture.request(at: BookingFixture.monday(11).addingTimeInterval(86_400), patient: .new(fixture.newPatient("Zoé", email: "zoe@example.org"))),
                                                                      by: .visitor)
            _ = try await dependencies.booking.perform(.cancel(reason: nil), appointmentID: dropped.id, by: .visitor, manageToken: token)
            // Dr Lefèvre signs in with her own account.
            let id = UUID(), password = "correct horse battery staple", email = "berenice.lefevre@hopital.test"
            try await test.store.insert(Account(id: id, email: email, displayName: "Bérénice Lefèvre", passwordHash: Bcrypt.hash(password, cost: 4),
                                                practitionerID: fixture.org.practitioner.id, createdAt: Fixtures.now))
            try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: .practitioner, scope: .department(fixture.org.department.id)))
            let secret = Authenticator.newTOTPSecret()
            try await test.store.setTOTPSecret(secret, accountID: id)
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let staff = AuthAPITests.Staff(email: email, password: password, secret: secret, id: id)
                let signedIn = try await PatientAccountsAPITests.post(client, "/api/v1/sessions",
                                                                      ["email": email, "password": password, "code": AuthAPITests().code(staff, at: Fixtures.now), "session": "browser"])
                let cookie = String(try #require(signedIn.headers[.setCookie]).prefix { $0 != ";" })
                let csrf = try #require(try signedIn.decode(BrowserSessionAPITests.SignedIn.self).csrfToken)
                let page = try await client.execute(uri: "/staff/calendar", method: .get, headers: [.cookie: cookie, .accept: "text/html"])
                #expect(page.text.contains("Mon agenda") && page.text.contains("name=\"fullNames\""))
                let created = try await Pages.post(client, "/staff/calendar/renew",
                                                   form: ["_csrf": csrf, "owner": "practitioner:\(fixture.org.practitioner.id.json)", "fullNames": "on"], cookie: cookie)
                let url = try #require(created.text.components(separatedBy: "<code id=\"feed-url\">").dropFirst().first?.components(separatedBy: "</code>").first)
                let feed = try await client.execute(uri: String(url.dropFirst("https://rdv.avoine.example".count)), method: .get)
                #expect(feed.status == .ok)
                if Peers.icalendar {
                    let read = try await Self.check(feed.text)
                    let shown = try #require(read.events.first { $0.uid == "\(kept.id.uuidString.lowercased())@creneau" })
                    #expect(shown.summary == "Première consultation — Léa Martin")
                    let cancelled = try #require(read.events.first { $0.uid == "\(dropped.id.uuidString.lowercased())@creneau" })
                    #expect(cancelled.status == "CANCELLED" && cancelled.sequence == 1)
                }
                let perPatient = try await test.rows("SELECT patient_id FROM access_audit WHERE action = 'calendar_feed_patient'")
                #expect(perPatient.count == 2)
                // Another practitioner's agenda is not hers to publish.
                let other = try await Pages.post(client, "/staff/calendar/renew", form: ["_csrf": csrf, "owner": "practitioner:\(UUID().uuidString)"], cookie: cookie)
                #expect(other.status == .notFound)
            }
        }
    }
}
