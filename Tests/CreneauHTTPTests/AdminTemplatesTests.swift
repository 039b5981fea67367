import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Site administrators edit weekly templates in pages: ranges, channels, motives, held-back
/// ranges, a preview of the week before saving; the slots follow at once.
@Suite("Web: weekly templates for administrators")
struct AdminTemplatesTests {
    typealias Pages = AccountPagesTests

    /// The fields of one range of the form, at position `index`.
    static func range(
        _ index: Int, id: UUID? = nil, weekday: Int, _ start: String, _ end: String, channels: [Channel],
        motives: [UUID] = [], release: [Channel] = [], days: String = "", at: String = ""
    ) -> [String: String] {
        var fields = ["r\(index)-id": id?.json ?? "", "r\(index)-weekday": String(weekday), "r\(index)-start": start, "r\(index)-end": end,
                      "r\(index)-rel-days": days, "r\(index)-rel-at": at]
        for channel in channels { fields["r\(index)-ch-\(channel.rawValue)"] = "1" }
        for channel in release { fields["r\(index)-rel-\(channel.rawValue)"] = "1" }
        for motive in motives { fields["r\(index)-m-\(motive.json)"] = "1" }
        return fields
    }

    static func form(_ csrf: String, action: String, ranges: [[String: String]], from: String = "2026-10-24", week: String = "2026-11-30") -> [String: String] {
        var fields = ["_csrf": csrf, "action": action, "from": from, "until": "", "week": week, "rows": String(ranges.count + 3)]
        for range in ranges { fields.merge(range) { $1 } }
        return fields
    }

    static func template(_ test: TestDatabase, _ fixture: BookingFixture) async throws -> ScheduleTemplate {
        try #require(try await test.store.templates(departmentID: fixture.org.department.id).first)
    }

    static func onlineSlots(_ client: some TestClientProtocol, _ fixture: BookingFixture, day: String) async throws -> String {
        try await client.execute(uri: "/api/v1/availability?practitioner=\(fixture.org.practitioner.id.json)&motive=\(fixture.followUp.id.json)&from=\(day)&days=1",
                                 method: .get).text
    }

    @Test("an administrator previews a held-back Monday, is told of an overlap and of a bad time, then saves; online slots follow at once")
    func editAndPreview() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let stored = try await Self.template(test, fixture)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html", .acceptLanguage: "fr"]
                #expect(try await client.execute(uri: "/admin", method: .get, headers: headers).text.contains("/admin/templates?department=\(fixture.org.department.id.json)"))
                let list = try await client.execute(uri: "/admin/templates?department=\(fixture.org.department.id.json)", method: .get, headers: headers)
                #expect(list.text.contains(fixture.org.practitioner.displayName) && list.text.contains("/admin/templates/\(stored.id.json)"))
                #expect(list.text.contains("Plages : 5"))

                // The stored template and the week it gives (next week by default: Monday 30 November).
                let page = try await client.execute(uri: "/admin/templates/\(stored.id.json)", method: .get, headers: headers)
                #expect(page.status == .ok)
                #expect(page.text.contains("value=\"09:00\"") && page.text.contains("value=\"12:00\""))
                #expect(page.text.contains("La semaine du lundi 30 novembre"))
                // 09:00–12:00 gives twelve 15-minute follow-ups a day, online and by phone.
                #expect(page.text.contains("Consultation de suivi : 12 en ligne, 12 par téléphone"), "\(page.text)")

                // Monday becomes phone only until Sunday 18:00; the other days stay as they are.
                var ranges = stored.ranges.sorted { $0.weekday < $1.weekday }.enumerated().map { index, range in
                    Self.range(index, id: range.id, weekday: range.weekday, "09:00", "12:00", channels: [.online, .phone, .desk, .referral, .practitioner],
                               motives: range.motiveIDs)
                }
                ranges[0] = Self.range(0, id: stored.ranges.first { $0.weekday == 1 }?.id, weekday: 1, "09:00", "12:00", channels: [.phone, .practitioner],
                                       release: [.online], days: "1", at: "18:00")
                let preview = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(session.csrf, action: "preview", ranges: ranges),
                                                   cookie: session.cookie)
                #expect(preview.status == .ok)
                #expect(preview.text.contains("ouvre à en ligne : dim. 29 nov. 18:00"))
                // Monday: nothing online yet, every motive by phone; nothing was saved.
                #expect(preview.text.contains("Consultation de suivi : 0 en ligne, 12 par téléphone"))
                #expect(try await Self.template(test, fixture) == stored)

                // Two ranges overlapping on Monday: refused, the typed values come back, nothing saved.
                let overlapping = ranges + [Self.range(5, weekday: 1, "11:30", "13:00", channels: [.phone])]
                let refused = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(session.csrf, action: "save", ranges: overlapping),
                                                   cookie: session.cookie)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("Plage 6 : elle chevauche une autre plage"))
                #expect(refused.text.contains("value=\"11:30\"") && refused.text.contains("value=\"13:00\""))
                #expect(refused.text.contains("class=\"invalid\""))
                let badTime = ranges.enumerated().map { index, fields in index == 2 ? fields.merging(["r2-end": "25:00"]) { $1 } : fields }
                let bad = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(session.csrf, action: "save", ranges: badTime),
                                               cookie: session.cookie)
                #expect(bad.status == .unprocessableContent && bad.text.contains("Plage 3 : une plage commence et finit sur une grille de 5 minutes"))
                #expect(try await Self.template(test, fixture) == stored)

                #expect(try await Self.onlineSlots(client, fixture, day: "2026-11-30").contains("\"start\""))
                let saved = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(session.csrf, action: "save", ranges: ranges),
                                                 cookie: session.cookie)
                #expect(saved.status == .seeOther)
                #expect(saved.headers[.location] == "/admin/templates/\(stored.id.json)?saved=1&week=2026-11-30")
                let monday = try #require(try await Self.template(test, fixture).ranges.first { $0.weekday == 1 })
                #expect(monday.channels == [.phone, .practitioner] && monday.release == .init(channels: .online, daysBefore: 1, atMinute: 1_080))
                #expect(monday.id == stored.ranges.first { $0.weekday == 1 }?.id)
                // At once: next Monday has no online slot before Sunday 18:00; Tuesday still has.
                #expect(try await Self.onlineSlots(client, fixture, day: "2026-11-30").contains("\"slots\":[]"))
                #expect(try await Self.onlineSlots(client, fixture, day: "2026-12-01").contains("\"start\""))
                let after = try await client.execute(uri: "/admin/templates/\(stored.id.json)?saved=1&week=2026-11-30", method: .get, headers: headers)
                #expect(after.text.contains("Semaine type enregistrée"))
            }
        }
    }

    @Test("the preview names booked visits that a shorter range would leave outside; removing a range drops it")
    func visitsOutside() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let stored = try await Self.template(test, fixture)
            // A first visit next Monday at 11:00.
            _ = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(11).addingTimeInterval(7 * 86_400)), by: .visitor)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let sorted = stored.ranges.sorted { $0.weekday < $1.weekday }
                var ranges = sorted.enumerated().map { index, range in
                    Self.range(index, id: range.id, weekday: range.weekday, "09:00", "12:00", channels: [.online, .phone], motives: range.motiveIDs)
                }
                ranges[0]["r0-end"] = "10:00"
                ranges[4]["r4-remove"] = "1"
                let preview = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(session.csrf, action: "preview", ranges: ranges),
                                                   cookie: session.cookie)
                #expect(preview.status == .ok)
                #expect(preview.text.contains("Rendez-vous pris hors de toute plage : 11:00"), "\(preview.text)")
                let saved = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(session.csrf, action: "save", ranges: ranges),
                                                 cookie: session.cookie)
                #expect(saved.status == .seeOther)
                let now = try await Self.template(test, fixture)
                #expect(now.ranges.count == 4 && !now.ranges.contains { $0.weekday == 5 })
                #expect(now.ranges.first { $0.weekday == 1 }?.endMinute == 600)
                // The appointment stays: changing a template cancels nothing.
                #expect(try await test.store.appointments(practitionerID: fixture.org.practitioner.id, from: Fixtures.now, to: Fixtures.now.addingTimeInterval(14 * 86_400))
                    .filter { $0.status == .booked }.count == 1)
            }
        }
    }

    @Test("a new template for Saturdays, with one motive; the list shows both")
    func newTemplate() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html", .acceptLanguage: "en"]
                let query = "department=\(fixture.org.department.id.json)&practitioner=\(fixture.org.practitioner.id.json)"
                let blank = try await client.execute(uri: "/admin/templates/new?\(query)", method: .get, headers: headers)
                #expect(blank.status == .ok && blank.text.contains("action=\"/admin/templates/new\"") && blank.text.contains("value=\"2026-11-23\""))
                var form = Self.form(session.csrf, action: "save", ranges: [Self.range(0, weekday: 6, "09:00", "12:30", channels: [.online], motives: [fixture.followUp.id])],
                                     from: "2026-11-28")
                form["department"] = fixture.org.department.id.json
                form["practitioner"] = fixture.org.practitioner.id.json
                form["until"] = "2027-03-31"
                let saved = try await Pages.post(client, "/admin/templates/new", form: form, cookie: session.cookie, language: "en")
                #expect(saved.status == .seeOther)
                let templates = try await test.store.templates(departmentID: fixture.org.department.id)
                #expect(templates.count == 2)
                let saturday = try #require(templates.first { $0.ranges.contains { $0.weekday == 6 } })
                #expect(saturday.validFrom == LocalDate("2026-11-28") && saturday.validUntil == LocalDate("2027-03-31"))
                #expect(saturday.ranges.first?.motiveIDs == [fixture.followUp.id] && saturday.ranges.first?.endMinute == 750)
                #expect(saved.headers[.location]?.hasPrefix("/admin/templates/\(saturday.id.json)?saved=1") == true)
                #expect(try await Self.onlineSlots(client, fixture, day: "2026-11-28").contains("\"start\""))
                let list = try await client.execute(uri: "/admin/templates?department=\(fixture.org.department.id.json)", method: .get, headers: headers)
                #expect(list.text.contains("from 2026-11-28 until 2027-03-31</a> — Ranges: 1"))
                // A release to channels the range already has, in English.
                var wrong = form
                wrong["r0-rel-online"] = "1"
                wrong["r0-rel-days"] = "1"
                wrong["r0-rel-at"] = "18:00"
                let refused = try await Pages.post(client, "/admin/templates/new", form: wrong, cookie: session.cookie, language: "en")
                #expect(refused.status == .unprocessableContent && refused.text.contains("Range 1: a held-back range opens to channels it does not already have"))
                #expect(try await test.store.templates(departmentID: fixture.org.department.id).count == 2)
            }
        }
    }

    @Test("secretaries, visitors and other sites' administrators do not reach templates")
    func access() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let stored = try await Self.template(test, fixture)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                #expect(try await client.execute(uri: "/admin/templates/\(stored.id.json)", method: .get, headers: Pages.html).headers[.location] == "/signin")
                let secretary = try await StaffPagesTests.secretarySession(client, test, department: fixture.org.department.id)
                let refused = try await Pages.post(client, "/admin/templates/\(stored.id.json)",
                                                   form: Self.form(secretary.csrf, action: "save", ranges: []), cookie: secretary.cookie)
                #expect(refused.headers[.location] == "/signin")
                // An administrator of another site: as if the template did not exist.
                let site = Site(id: UUID(), groupID: fixture.org.group.id, name: "Autre hôpital", slug: "autre-hopital", city: "Lyon")
                try await test.store.insert(site)
                let other = try await AdminPagesTests.adminSession(client, test, site: site.id, email: "admin@autre.test")
                let hidden = try await client.execute(uri: "/admin/templates/\(stored.id.json)", method: .get, headers: [.cookie: other.cookie, .accept: "text/html"])
                #expect(hidden.status == .notFound)
                let post = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: Self.form(other.csrf, action: "save", ranges: []), cookie: other.cookie)
                #expect(post.status == .notFound)
                let list = try await client.execute(uri: "/admin/templates?department=\(fixture.org.department.id.json)", method: .get,
                                                    headers: [.cookie: other.cookie, .accept: "text/html"])
                #expect(list.status == .notFound)
                #expect(try await Self.template(test, fixture) == stored)
            }
        }
    }
}
