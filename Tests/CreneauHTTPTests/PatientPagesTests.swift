import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The patient pages through the real router: what a double click, a lost race and a
/// slow patient meet.
@Suite("Web: booking pages — double submit, a slot taken meanwhile, a hold that ran out")
struct PatientPagesTests {
    typealias Pages = AccountPagesTests

    /// A visitor's form token: the cookie and the field value, from any page with a form.
    static func formToken(_ client: some TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        let page = try await client.execute(uri: "/account/forgot", method: .get, headers: Pages.html)
        return (try #require(Pages.cookie(page, named: "creneau_form")), try #require(Pages.hidden("_csrf", in: page.text)))
    }

    static func hold(_ client: some TestClientProtocol, _ fixture: BookingFixture, at start: Date, token: (cookie: String, csrf: String)) async throws -> TestResponse {
        try await Pages.post(client, "/book/hold", form: [
            "practitioner": fixture.org.practitioner.id.json, "motive": fixture.org.motive.id.json,
            "start": String(Int64(start.timeIntervalSince1970)), "_csrf": token.csrf,
        ], cookie: token.cookie)
    }

    @Test("the booking form books once, however often it is sent; the second visitor on the slot sees the next free ones")
    func doubleSubmitAndTaken() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let token = try await Self.formToken(client)
                let start = BookingFixture.monday(10)
                let held = try await Self.hold(client, fixture, at: start, token: token)
                #expect(held.status == .seeOther)
                let form = try #require(held.headers[.location])
                #expect(form.hasPrefix("/book/"))
                let page = try await client.execute(uri: form, method: .get, headers: [.accept: "text/html", .cookie: token.cookie])
                #expect(page.status == .ok)
                let key = try #require(Pages.hidden("key", in: page.text))

                let fields = [
                    "firstName": "Camille", "lastName": "Navarro", "birthDate": "1988-05-14", "email": "camille@example.org",
                    "referringDoctor": fixture.doctor.id.json, "key": key, "action": "book", "_csrf": token.csrf,
                ]
                let first = try await Pages.post(client, form, form: fields, cookie: token.cookie)
                let second = try await Pages.post(client, form, form: fields, cookie: token.cookie)
                #expect(first.status == .seeOther && second.status == .seeOther)
                #expect(first.headers[.location] == second.headers[.location])
                #expect(first.headers[.location]?.hasPrefix("/appointments/") == true)
                #expect(try await test.store.appointments(practitionerID: fixture.org.practitioner.id, from: start, to: start.addingTimeInterval(60)).count == 1)

                // The confirmation page, reached with the token of the redirect.
                let confirmation = try await client.execute(uri: try #require(first.headers[.location]), method: .get, headers: Pages.html)
                #expect(confirmation.text.contains("Votre rendez-vous est confirmé"))
                #expect(confirmation.text.contains("calendar.ics?token="))

                // A damaged form gets a page in French, not the API's English.
                let damaged = try await Pages.post(client, "/book/hold", form: ["practitioner": "x", "_csrf": token.csrf], cookie: token.cookie)
                #expect(damaged.status == .badRequest)
                #expect(damaged.text.contains("Ce formulaire n&#39;a pas pu être lu"))

                // Someone else picks the same slot from a page they loaded earlier.
                let late = try await Self.hold(client, fixture, at: start, token: token)
                #expect(late.status == .conflict)
                #expect(late.text.contains("Ce créneau vient d&#39;être pris"))
                #expect(late.text.contains("name=\"start\""))
            }
        }
    }

    @Test("a form left open past its hold says the time ran out; a refused booking keeps what was typed and says why in French")
    func holdRunsOutAndRefusals() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock))).test(.router) { client in
                let token = try await Self.formToken(client)
                let form = try #require(try await Self.hold(client, fixture, at: BookingFixture.monday(11), token: token).headers[.location])

                let missingDoctor = try await Pages.post(client, form, form: [
                    "firstName": "Camille", "lastName": "Navarro", "birthDate": "1988-05-14", "email": "camille@example.org",
                    "key": "k1", "action": "book", "_csrf": token.csrf,
                ], cookie: token.cookie)
                #expect(missingDoctor.status == .unprocessableContent)
                #expect(missingDoctor.text.contains("indiquez le médecin qui vous adresse"))
                #expect(missingDoctor.text.contains("value=\"Camille\""))

                let search = try await Pages.post(client, form, form: ["doctorQuery": "dupont pontoise", "action": "search_doctor", "firstName": "Camille", "_csrf": token.csrf],
                                                  cookie: token.cookie)
                #expect(search.text.contains("value=\"\(fixture.doctor.id.json)\" checked"))

                time.advance(by: 11 * 60)
                let late = try await client.execute(uri: form, method: .get, headers: [.accept: "text/html", .cookie: token.cookie])
                #expect(late.status == .gone)
                #expect(late.text.contains("Le temps de réservation est écoulé"))
            }
        }
    }

    @Test("a visitor moves the appointment from its page: another slot, the same motive; the old slot is freed")
    func move() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let booked = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(9).addingTimeInterval(86_400)), by: .visitor)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let token = try await Self.formToken(client)
                let choices = try await client.execute(uri: "/appointments/\(booked.appointment.id.json)/move?token=\(booked.manageToken)", method: .get,
                                                       headers: [.accept: "text/html", .cookie: token.cookie])
                #expect(choices.status == .ok)
                #expect(choices.text.contains("action=\"/appointments/\(booked.appointment.id.json)/move\""))
                let newStart = BookingFixture.monday(11).addingTimeInterval(86_400)
                #expect(choices.text.contains("value=\"\(Int64(newStart.timeIntervalSince1970))\""))
                #expect(try await client.execute(uri: "/appointments/\(booked.appointment.id.json)/move", method: .get, headers: Pages.html).status == .notFound)

                let moved = try await Pages.post(client, "/appointments/\(booked.appointment.id.json)/move",
                                                 form: ["token": booked.manageToken, "start": String(Int64(newStart.timeIntervalSince1970)), "_csrf": token.csrf],
                                                 cookie: token.cookie)
                #expect(moved.status == .seeOther)
                #expect(moved.headers[.location]?.hasSuffix("moved=1") == true)
                let page = try await client.execute(uri: try #require(moved.headers[.location]), method: .get, headers: Pages.html)
                #expect(page.text.contains("Votre rendez-vous a été déplacé"))
                let stored = try #require(try await test.store.appointment(id: booked.appointment.id))
                #expect(stored.startsAt == newStart && stored.moveCount == 1)
                // Without the token, nobody moves it.
                let forged = try await Pages.post(client, "/appointments/\(booked.appointment.id.json)/move",
                                                  form: ["start": String(Int64(BookingFixture.monday(10).addingTimeInterval(86_400).timeIntervalSince1970)), "_csrf": token.csrf],
                                                  cookie: token.cookie)
                #expect(forged.status == .notFound)
            }
        }
    }
}
