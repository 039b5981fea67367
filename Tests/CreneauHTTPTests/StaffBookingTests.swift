import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
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
}
