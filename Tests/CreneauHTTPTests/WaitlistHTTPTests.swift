import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The waiting list through the real router: joining over JSON with every refusal a person
/// understands, and the offer's page from its link (accept, a second click, a forged link).
@Suite("Web and API: the waiting list")
struct WaitlistHTTPTests {
    typealias Accounts = PatientAccountsAPITests
    typealias Pages = AccountPagesTests
    struct Entry: Decodable { let id: String; let state: String; let from: String; let to: String; let weekdays: [Int]; let offers: [Offer] }
    struct Offer: Decodable { let id: String; let state: String }

    @Test("a patient joins over JSON for themself; malformed input is a 400, a rule a 422 that says which, someone else's entry a 404")
    func joinOverJSON() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let visitor = try await Accounts.post(client, "/api/v1/waitlist", ["motive": fixture.org.motive.id.json])
                #expect(visitor.status == .unauthorized)
                let bearer = try await Accounts.patient(client, mailer, email: "lea@example.org")
                let me = try await Accounts.get(client, "/api/v1/me/patients", bearer: bearer).decode([Accounts.Relative].self)
                let patientID = try #require(me.first?.id)
                var body: [String: Any] = [
                    "patientId": patientID, "motive": fixture.org.motive.id.json, "practitioner": fixture.org.practitioner.id.json,
                    "referringDoctor": fixture.doctor.id.json, "from": "2026-11-24", "to": "2026-12-20", "weekdays": [1, 2, 4], "dayPart": "morning",
                    "noticeHours": 24, "reach": "sms",
                ]
                for (field, value, code) in [("from", "24/11/2026", "invalid_parameter"), ("weekdays", [0, 9], "invalid_field"), ("dayPart", "night", "invalid_field"),
                                             ("noticeHours", 9_999, "invalid_field"), ("from", "9999-01-01", "date_out_of_range")] as [(String, Any, String)] {
                    var bad = body
                    bad[field] = value
                    let refused = try await Accounts.post(client, "/api/v1/waitlist", bad, bearer: bearer)
                    #expect(refused.status == .badRequest && (try? refused.decode(ErrorPayload.self).error.code) == code, "\(field): \(refused.text)")
                }
                var backwards = body
                backwards["to"] = "2026-11-20"
                let rule = try await Accounts.post(client, "/api/v1/waitlist", backwards, bearer: bearer)
                #expect(rule.status == .unprocessableContent && (try? rule.decode(ErrorPayload.self).error.code) == "waitlist_window")
                #expect(try rule.decode(ErrorPayload.self).error.message.contains("before the first one"))

                let joined = try await Accounts.post(client, "/api/v1/waitlist", body, bearer: bearer)
                #expect(joined.status == .created, "\(joined.text)")
                let entry = try joined.decode(Entry.self)
                #expect(entry.state == "waiting" && entry.weekdays == [1, 2, 4] && entry.from == "2026-11-24")
                let again = try await Accounts.post(client, "/api/v1/waitlist", body, bearer: bearer)
                #expect(again.status == .unprocessableContent && (try? again.decode(ErrorPayload.self).error.code) == "waitlist_limit")
                let listed = try await Accounts.get(client, "/api/v1/waitlist", bearer: bearer).decode([Entry].self)
                #expect(listed.map(\.id) == [entry.id])

                // Another patient can neither see nor cancel it, nor join for Léa.
                let other = try await Accounts.patient(client, mailer, email: "hugo@example.org")
                #expect(try await Accounts.get(client, "/api/v1/waitlist", bearer: other).decode([Entry].self).isEmpty)
                #expect(try await Accounts.post(client, "/api/v1/waitlist/\(entry.id)/cancel", [:], bearer: other).status == .notFound)
                body["reach"] = "both"
                #expect(try await Accounts.post(client, "/api/v1/waitlist", body, bearer: other).status == .notFound)

                #expect(try await Accounts.post(client, "/api/v1/waitlist/\(entry.id)/cancel", [:], bearer: bearer).status == .noContent)
                #expect(try await Accounts.get(client, "/api/v1/waitlist", bearer: bearer).decode([Entry].self).first?.state == "cancelled")
                #expect(try await Accounts.post(client, "/api/v1/waitlist/\(entry.id)/cancel", [:], bearer: bearer).status == .conflict)
            }
        }
    }

    @Test("the offer's page: the slot and until when it is kept; accept books it and opens the appointment; a second click or a forged link gets a page that says so")
    func offerPage() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            let dependencies = test.dependencies(clock: time.clock)
            let waitlist = try #require(dependencies.waitlist)
            while try await waitlist.offerFreedTime().events > 0 {}
            let tuesday = BookingFixture.monday(9).addingTimeInterval(86_400)
            let (visit, token) = try await dependencies.booking.book(fixture.request(at: tuesday), by: .visitor)
            let secretary = try await PatientMessagesHTTPTests.secretary(test, fixture)
            let ines = Patient(id: UUID(), firstName: "Inès", lastName: "Roux", birthDate: LocalDate(year: 1990, month: 4, day: 4)!, email: "ines@example.org",
                               phone: "06 11 22 33 44", createdAt: Fixtures.now)
            try await test.store.insert(ines)
            _ = try await waitlist.join(Waitlist.Request(patientID: ines.id, motiveID: fixture.org.motive.id, practitionerID: fixture.org.practitioner.id,
                                                         referringDoctorID: fixture.doctor.id,
                                                         preferences: WaitlistPreferences(firstDay: Fixtures.today, lastDay: Fixtures.today.adding(days: 14))), by: secretary)
            _ = try await dependencies.booking.perform(.cancel(reason: nil), appointmentID: visit.id, by: .visitor, manageToken: token)
            #expect(try await waitlist.offerFreedTime().offered == 1)
            let offer = try #require(try await test.store.waitlistItems(patientIDs: [ines.id], limit: 5).first?.offers.first)
            let key = waitlist.offerToken(offer.id)
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let forged = try await client.execute(uri: "/waitlist/offers/\(offer.id.json)?t=forged", method: .get, headers: Pages.html)
                #expect(forged.status == .notFound && forged.text.contains("existe pas"))
                let page = try await client.execute(uri: "/waitlist/offers/\(offer.id.json)?t=\(key)", method: .get, headers: Pages.html)
                #expect(page.status == .ok && page.text.contains("mardi 24 novembre") && page.text.contains("09:00") && page.text.contains("Accepter ce rendez-vous"))
                #expect(page.text.contains("gardé pour vous jusqu'à") || page.text.contains("gardé pour vous jusqu&#39;à"))
                let csrf = try #require(Pages.hidden("_csrf", in: page.text))
                let cookie = try #require(Pages.cookie(page, named: "creneau_form"))
                // Without the form's CSRF token nothing happens.
                let noCSRF = try await Pages.post(client, "/waitlist/offers/\(offer.id.json)/accept", form: ["t": key], cookie: cookie)
                #expect(noCSRF.status == .forbidden)
                let accepted = try await Pages.post(client, "/waitlist/offers/\(offer.id.json)/accept", form: ["t": key, "_csrf": csrf], cookie: cookie)
                #expect(accepted.status == .seeOther)
                let location = try #require(accepted.headers[.location])
                #expect(location.hasPrefix("/appointments/") && location.contains("token="))
                let appointment = try await client.execute(uri: location, method: .get, headers: Pages.html)
                #expect(appointment.status == .ok && appointment.text.contains("09:00"))
                let twice = try await Pages.post(client, "/waitlist/offers/\(offer.id.json)/accept", form: ["t": key, "_csrf": csrf], cookie: cookie)
                #expect(twice.status == .conflict && twice.text.contains("Vous avez accepté ce créneau"))
                let declineLate = try await Pages.post(client, "/waitlist/offers/\(offer.id.json)/decline", form: ["t": key, "_csrf": csrf], cookie: cookie)
                #expect(declineLate.status == .conflict)
                let bad = try await Pages.post(client, "/waitlist/offers/not-an-id/accept", form: ["t": key, "_csrf": csrf], cookie: cookie)
                #expect(bad.status == .notFound)
            }
            let booked = try await test.store.appointments(practitionerID: fixture.org.practitioner.id, from: tuesday, to: tuesday.addingTimeInterval(1_800))
            #expect(booked.filter { $0.status == .booked }.map(\.patientID) == [ines.id])
        }
    }

    @Test("the desk's list: add a caller found by name and birth date, mark urgent, remove; a caller nobody matches gets a message; the agenda marks a refilled slot")
    func deskList() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let dependencies = test.dependencies()
            _ = try await dependencies.booking.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor)
            let department = fixture.org.department.id.json
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let empty = try await client.execute(uri: "/staff/waitlist?department=\(department)", method: .get, headers: headers)
                #expect(empty.status == .ok && empty.text.contains("Personne n'attend") || empty.text.contains("Personne n&#39;attend"))
                var form = [
                    "_csrf": session.csrf, "department": department, "lastName": "Zorglub", "birthDate": "1992-05-14", "motive": fixture.org.motive.id.json,
                    "practitioner": fixture.org.practitioner.id.json, "from": "2026-11-23", "to": "2026-12-31", "weekday1": "on", "weekday2": "on",
                    "dayPart": "any", "noticeHours": "24", "reach": "both", "referringDoctor": fixture.doctor.id.json,
                ]
                let nobody = try await Pages.post(client, "/staff/waitlist", form: form, cookie: session.cookie)
                #expect(nobody.status == .unprocessableContent && nobody.text.contains("Aucun patient"))
                // The referring doctor is found in the directory from the same form.
                var search = form
                search["action"] = "search_doctor"
                search["doctorQuery"] = "Dupont"
                let found = try await Pages.post(client, "/staff/waitlist", form: search, cookie: session.cookie)
                #expect(found.status == .ok && found.text.contains("Jean Dupont"))
                form["lastName"] = "Martin"
                let added = try await Pages.post(client, "/staff/waitlist", form: form, cookie: session.cookie)
                #expect(added.status == .seeOther, "\(added.text.prefix(400))")
                let listed = try await client.execute(uri: "/staff/waitlist?department=\(department)&added=1", method: .get, headers: headers)
                #expect(listed.text.contains("MARTIN Léa") && listed.text.contains("Patient inscrit"))
                let entry = try #require(try await test.store.departmentWaitlist(departmentID: fixture.org.department.id, limit: 5).first?.entry)
                #expect(entry.channel == .phone && entry.preferences.weekdays == [1, 2] && entry.referringDoctorID == fixture.doctor.id)
                let urgent = try await Pages.post(client, "/staff/waitlist/\(entry.id.json)/urgent", form: ["_csrf": session.csrf, "department": department, "urgent": "1"],
                                                  cookie: session.cookie)
                #expect(urgent.status == .seeOther)
                #expect(try await test.store.waitlistEntry(id: entry.id)?.urgent == true)
                let removed = try await Pages.post(client, "/staff/waitlist/\(entry.id.json)/remove", form: ["_csrf": session.csrf, "department": department],
                                                   cookie: session.cookie)
                #expect(removed.status == .seeOther)
                #expect(try await test.store.waitlistEntry(id: entry.id)?.state == .cancelled)
                let agenda = try await client.execute(uri: "/staff/agenda?department=\(department)&day=2026-11-23", method: .get, headers: headers)
                #expect(agenda.text.contains("/staff/waitlist?department=\(department)"))

                // An absence entered by mistake is lifted from the absence page: its time comes back.
                let practitioner = fixture.org.practitioner.id.json
                let absence = ScheduleException(id: UUID(), owner: .practitioner(fixture.org.practitioner.id), kind: .absence,
                                                startsAt: BookingFixture.monday(14), endsAt: BookingFixture.monday(16), reason: "Erreur de saisie")
                try await test.store.insert(absence)
                let page = try await client.execute(uri: "/staff/absence?practitioner=\(practitioner)", method: .get, headers: headers)
                #expect(page.text.contains("Lever l") && page.text.contains("Erreur de saisie"))
                let lifted = try await Pages.post(client, "/staff/absence/\(absence.id.json)/lift", form: ["_csrf": session.csrf, "practitioner": practitioner],
                                                  cookie: session.cookie)
                #expect(lifted.status == .seeOther)
                #expect(try await test.store.exception(id: absence.id) == nil)
                let again = try await Pages.post(client, "/staff/absence/\(absence.id.json)/lift", form: ["_csrf": session.csrf, "practitioner": practitioner],
                                                 cookie: session.cookie)
                #expect(again.status == .notFound)
            }
        }
    }
}
