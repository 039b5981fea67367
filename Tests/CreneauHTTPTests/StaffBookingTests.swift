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

/// A secretary books for a caller through the pages: finds them (audited) or creates them.
@Suite("Web: a secretary books by phone — find the caller or create them, one booking per form")
struct StaffBookingTests {
    typealias Pages = AccountPagesTests

    @Test("find an existing patient by name and birth date, book on the phone channel, land on the agenda; a resend books once")
    func bookKnownCaller() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await test.store.insert(KnownPatient(departmentID: fixture.org.department.id, patientID: fixture.org.patient.id, source: .importedIndex, since: Fixtures.now))
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await StaffPagesTests.secretarySession(client, test, department: fixture.org.department.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let slots = try await client.execute(uri: "/staff/book?practitioner=\(fixture.org.practitioner.id.json)&motive=\(fixture.followUp.id.json)", method: .get, headers: headers)
                #expect(slots.status == .ok)
                #expect(slots.text.contains("action=\"/staff/book/hold\""))

                let start = BookingFixture.monday(10)
                let held = try await Pages.post(client, "/staff/book/hold", form: [
                    "practitioner": fixture.org.practitioner.id.json, "motive": fixture.followUp.id.json,
                    "start": String(Int64(start.timeIntervalSince1970)), "_csrf": session.csrf,
                ], cookie: session.cookie)
                let form = try #require(held.headers[.location])
                #expect(form.hasPrefix("/staff/book/"))
                let page = try await client.execute(uri: form, method: .get, headers: headers)
                let key = try #require(Pages.hidden("key", in: page.text))

                let patient = fixture.org.patient
                let query = "\(patient.lastName) \(patient.firstName) \(patient.birthDate.description)"
                let found = try await Pages.post(client, form, form: ["patientQuery": query, "action": "search_patient", "key": key, "_csrf": session.csrf], cookie: session.cookie)
                #expect(found.text.contains("value=\"\(patient.id.json)\" checked"))
                #expect(try await test.store.entries(patientID: patient.id).contains { $0.action == "search_patients" })

                let fields = ["patientId": patient.id.json, "reason": "Rappel du résultat", "action": "book", "key": key, "_csrf": session.csrf]
                let booked = try await Pages.post(client, form, form: fields, cookie: session.cookie)
                let again = try await Pages.post(client, form, form: fields, cookie: session.cookie)
                #expect(booked.status == .seeOther)
                #expect(booked.headers[.location] == "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23")
                #expect(again.headers[.location] == booked.headers[.location])
                let appointments = try await test.store.appointments(patientID: patient.id)
                #expect(appointments.count == 1)
                #expect(appointments.first?.channel == .phone && appointments.first?.startsAt == start)
            }
        }
    }

    @Test("a caller not on file is created with the booking; missing details are asked for without losing the slot")
    func bookNewCaller() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await StaffPagesTests.secretarySession(client, test, department: fixture.org.department.id)
                let held = try await Pages.post(client, "/staff/book/hold", form: [
                    "practitioner": fixture.org.practitioner.id.json, "motive": fixture.org.motive.id.json,
                    "start": String(Int64(BookingFixture.monday(11).timeIntervalSince1970)), "_csrf": session.csrf,
                ], cookie: session.cookie)
                let form = try #require(held.headers[.location])
                let incomplete = try await Pages.post(client, form, form: ["firstName": "Jean", "action": "book", "key": "k", "_csrf": session.csrf], cookie: session.cookie)
                #expect(incomplete.status == .unprocessableContent)
                #expect(incomplete.text.contains("value=\"Jean\""))
                let done = try await Pages.post(client, form, form: [
                    "firstName": "Jean", "lastName": "Valjean", "birthDate": "1950-02-02", "phone": "06 12 34 56 78",
                    "referringDoctor": fixture.doctor.id.json, "action": "book", "key": "k", "_csrf": session.csrf,
                ], cookie: session.cookie)
                #expect(done.status == .seeOther)
                let day = try await client.execute(uri: try #require(done.headers[.location]), method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(day.text.contains("VALJEAN Jean (1950-02-02)"))
                #expect(day.text.contains("téléphone"))
            }
        }
    }

    @Test("a practitioner sees their own day and books the follow-up of the patient in front of them, on their own channel")
    func practitionerFollowUp() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await test.store.insert(KnownPatient(departmentID: fixture.org.department.id, patientID: fixture.org.patient.id, source: .importedIndex, since: Fixtures.now))
            // Dr Lefèvre's own account.
            let id = UUID(), password = "correct horse battery staple"
            try await test.store.insert(Account(id: id, email: "lefevre@hopital.test", displayName: "Dr Lefèvre", passwordHash: Bcrypt.hash(password, cost: 4),
                                                practitionerID: fixture.org.practitioner.id, createdAt: Fixtures.now))
            try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: .practitioner, scope: .department(fixture.org.department.id)))
            let secret = Authenticator.newTOTPSecret()
            try await test.store.setTOTPSecret(secret, accountID: id)
            let doctor = AuthAPITests.Staff(email: "lefevre@hopital.test", password: password, secret: secret, id: id)
            // Today's visit, booked earlier by phone.
            let visit = try await fixture.service(store: test.store).book(
                fixture.request(at: BookingFixture.monday(9), motive: fixture.followUp, patient: .existing(fixture.org.patient.id), channel: .phone),
                by: Booker(.staff(accountID: id, role: .practitioner))).appointment
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let body: [String: Any] = ["email": doctor.email, "password": password, "code": AuthAPITests().code(doctor, at: Fixtures.now), "session": "browser"]
                let signedIn = try await PatientAccountsAPITests.post(client, "/api/v1/sessions", body)
                let cookie = String(try #require(signedIn.headers[.setCookie]).prefix { $0 != ";" })
                let csrf = try #require(try signedIn.decode(BrowserSessionAPITests.SignedIn.self).csrfToken)
                let headers: HTTPFields = [.cookie: cookie, .accept: "text/html"]

                let home = try await client.execute(uri: "/staff", method: .get, headers: headers)
                let mine = "/staff/agenda?department=\(fixture.org.department.id.json)&amp;practitioner=\(fixture.org.practitioner.id.json)"
                #expect(home.text.contains("Mon agenda"))
                #expect(home.text.contains(mine))
                let day = try await client.execute(uri: mine.replacingOccurrences(of: "&amp;", with: "&") + "&day=2026-11-23", method: .get, headers: headers)
                let next = "/staff/book?practitioner=\(fixture.org.practitioner.id.json)&amp;patient=\(fixture.org.patient.id.json)"
                #expect(day.text.contains(next))
                #expect(day.text.contains(visit.id.json))

                let slots = try await client.execute(uri: next.replacingOccurrences(of: "&amp;", with: "&") + "&motive=\(fixture.followUp.id.json)", method: .get, headers: headers)
                #expect(slots.text.contains("name=\"patient\" value=\"\(fixture.org.patient.id.json)\""))
                let start = BookingFixture.monday(11).addingTimeInterval(7 * 86_400)
                let held = try await Pages.post(client, "/staff/book/hold", form: [
                    "practitioner": fixture.org.practitioner.id.json, "motive": fixture.followUp.id.json, "start": String(Int64(start.timeIntervalSince1970)),
                    "patient": fixture.org.patient.id.json, "_csrf": csrf,
                ], cookie: cookie)
                let form = try #require(held.headers[.location])
                #expect(form.hasSuffix("?patient=\(fixture.org.patient.id.json)"))
                let page = try await client.execute(uri: form, method: .get, headers: headers)
                #expect(page.text.contains("value=\"\(fixture.org.patient.id.json)\" checked"))
                let key = try #require(Pages.hidden("key", in: page.text))
                let booked = try await Pages.post(client, String(form.prefix { $0 != "?" }), form: [
                    "patientId": fixture.org.patient.id.json, "action": "book", "key": key, "_csrf": csrf,
                ], cookie: cookie)
                #expect(booked.status == .seeOther)
                let followUp = try await test.store.appointments(patientID: fixture.org.patient.id).first { $0.startsAt == start }
                #expect(followUp?.channel == .practitioner)
            }
        }
    }
}
