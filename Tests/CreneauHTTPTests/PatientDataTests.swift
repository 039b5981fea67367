import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// A patient downloads a copy of their data (GDPR access and portability) from their account.
@Suite("Patients' rights: a copy of the account's data")
struct PatientDataTests {
    typealias API = PatientAccountsAPITests

    @Test("the copy holds the account, each person, their appointments with the reason they wrote, messages and survey answers — nobody else's; audited; patients only")
    func export() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                #expect(try await client.execute(uri: "/api/v1/me/data", method: .get).status == .unauthorized)
                let token = try await API.patient(client, mailer, email: "lea.martin@example.org")
                let other = try await API.patient(client, mailer, email: "paul.dubois@example.org")
                let added = try await API.post(client, "/api/v1/me/patients",
                                               ["firstName": "Zoé", "lastName": "Martin", "birthDate": "2019-06-02", "relationship": "child"], bearer: token)
                let zoe = try added.decode(API.Relative.self)
                let body: [String: Any] = [
                    "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString, "start": "2026-11-25T09:00:00+01:00",
                    "patientId": zoe.id, "referringDoctor": fixture.doctor.id.uuidString, "reason": "Toux depuis une semaine",
                ]
                let booked = try await API.post(client, "/api/v1/appointments", body, bearer: token)
                #expect(booked.status == .created, "\(booked.text)")
                let appointment = try booked.decode(BookingAPITests.Booked.self)
                let appointmentID = try #require(UUID(uuidString: appointment.id))
                try await test.store.saveAnswer(SurveyAnswer(appointmentID: appointmentID, practitionerID: fixture.org.practitioner.id,
                                                             departmentID: fixture.org.department.id, score: 9, comment: "Très à l'écoute",
                                                             answeredAt: Fixtures.now))

                let answer = try await API.get(client, "/api/v1/me/data", bearer: token)
                #expect(answer.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView)) as? [String: Any])
                #expect(json["format"] as? String == "creneau-patient-data/1")
                #expect((json["account"] as? [String: Any])?["email"] as? String == "lea.martin@example.org")
                let people = try #require(json["people"] as? [[String: Any]])
                #expect(people.map { $0["firstName"] as? String } == ["Léa", "Zoé"])
                #expect(people.map { $0["relationship"] as? String } == ["self", "child"])
                let visits = try #require(people[1]["appointments"] as? [[String: Any]])
                #expect(visits.count == 1)
                let visit = try #require(visits.first)
                #expect(visit["reason"] as? String == "Toux depuis une semaine")         // opened, not the ciphertext
                #expect(visit["motive"] as? String == "Première consultation" && visit["site"] as? String == "Hôpital Test")
                #expect(visit["practitioner"] as? String == fixture.org.practitioner.displayName)
                #expect((visit["survey"] as? [String: Any])?["comment"] as? String == "Très à l'écoute")
                #expect(((visit["messages"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "confirmation" })
                #expect((json["notIncluded"] as? String)?.contains("Staff notes") == true)
                #expect(!answer.text.contains("paul.dubois"))

                // Paul's copy has only Paul.
                let his = try await API.get(client, "/api/v1/me/data", bearer: other)
                #expect(his.text.contains("paul.dubois@example.org") && !his.text.contains("Zoé") && !his.text.contains("Toux"))

                // The account page links the file; the file comes as a download.
                let file = try await client.execute(uri: "/account/data.json", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(file.status == .ok && file.headers[.contentDisposition]?.contains("attachment; filename=\"creneau-donnees-") == true)

                let audited = try await test.store.database.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM access_audit WHERE action = 'account:export_data'").first()?.decode(column: "n", as: Int.self)
                }
                #expect(audited == 3)
            }
        }
    }

    @Test("staff have no patient copy to download")
    func staffRefused() async throws {
        try await TestDatabase.with { test in
            let fixture = try await StatisticsFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let cookie = try await StatisticsHTTPTests.session(client, test, role: .secretary, scope: .department(fixture.org.department.id),
                                                                   email: "secretariat@hopital.test")
                #expect(try await client.execute(uri: "/api/v1/me/data", method: .get, headers: [.cookie: cookie]).status == .forbidden)
            }
        }
    }

    @Test("closing an account: the password again; visits to come cancelled and told; people never seen anonymised, those seen kept; signed out; a visit too close stops it")
    func close() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let token = try await API.patient(client, mailer, email: "lea.martin@example.org")
                let people = try await API.get(client, "/api/v1/me/patients", bearer: token).decode([API.Relative].self)
                let first = try #require(people.first)
                let lea = try #require(UUID(uuidString: first.id))
                let zoe = try await API.post(client, "/api/v1/me/patients",
                                             ["firstName": "Zoé", "lastName": "Martin", "birthDate": "2019-06-02", "relationship": "child"], bearer: token)
                    .decode(API.Relative.self)
                let booked = try await API.post(client, "/api/v1/appointments", [
                    "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString, "start": "2026-11-25T09:00:00+01:00",
                    "patientId": zoe.id, "referringDoctor": fixture.doctor.id.uuidString,
                ], bearer: token).decode(BookingAPITests.Booked.self)
                // Léa was seen last month: the hospital keeps her record.
                try await test.store.insert(Appointment(
                    id: UUID(), departmentID: fixture.org.department.id, motiveID: fixture.followUp.id, practitionerID: fixture.org.practitioner.id,
                    patientID: lea, startsAt: Fixtures.now.addingTimeInterval(-30 * 86_400), endsAt: Fixtures.now.addingTimeInterval(-30 * 86_400 + 900),
                    status: .fulfilled, channel: .phone, createdAt: Fixtures.now.addingTimeInterval(-40 * 86_400)))

                func delete(_ body: [String: Any], bearer: String) async throws -> TestResponse {
                    try await client.execute(uri: "/api/v1/me", method: .delete,
                                             headers: [.authorization: "Bearer \(bearer)", .contentType: "application/json"],
                                             body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
                }
                let wrong = try await delete(["password": "not my password at all"], bearer: token)
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("wrong_password"))
                // The page's form: unticked, or a wrong password: nothing changes.
                let unticked = try await client.execute(uri: "/account/close", method: .post,
                                                        headers: [.authorization: "Bearer \(token)", .contentType: "application/x-www-form-urlencoded", .accept: "text/html"],
                                                        body: ByteBuffer(string: "password=\(API.password)"))
                #expect(unticked.status == .unprocessableContent && unticked.text.contains("Cochez la case"))
                let visitID = try #require(UUID(uuidString: booked.id))
                #expect(try await test.store.appointment(id: visitID)?.status == .booked)

                let closed = try await delete(["password": API.password], bearer: token)
                #expect(closed.status == .ok, "\(closed.text)")
                #expect(closed.text.contains("\"cancelled\":1") && closed.text.contains("\"anonymised\":1"))
                let visit = try #require(try await test.store.appointment(id: visitID))
                #expect(visit.status == .cancelled && visit.cancelledBy == .patient)
                let told = try await test.store.messages(appointmentIDs: [visit.id])[visit.id] ?? []
                #expect(told.contains { $0.kind == .cancelled })
                let zoeID = try #require(UUID(uuidString: zoe.id))
                let zoeAfter = try #require(try await test.store.patient(id: zoeID))
                #expect(zoeAfter.firstName == "Anonyme" && zoeAfter.email == nil && zoeAfter.birthDate.description == "2019-01-01")
                #expect(try await test.store.patient(id: lea)?.firstName == "Léa")
                #expect(try await test.store.account(email: "lea.martin@example.org") == nil)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
                let signIn = try await API.post(client, "/api/v1/sessions", ["email": "lea.martin@example.org", "password": API.password])
                #expect(signIn.status == .unauthorized)

                // Another account whose visit is in two hours: refused, nothing changed.
                let paul = try await API.patient(client, mailer, email: "paul.dubois@example.org")
                let paulSelf = try #require(try await API.get(client, "/api/v1/me/patients", bearer: paul).decode([API.Relative].self).first)
                let soon = try await API.post(client, "/api/v1/appointments", [
                    "practitioner": fixture.org.practitioner.id.uuidString, "motive": fixture.org.motive.id.uuidString,
                    "start": "2026-11-23T11:00:00+01:00", "referringDoctor": fixture.doctor.id.uuidString, "patientId": paulSelf.id,
                ], bearer: paul)
                #expect(soon.status == .created, "\(soon.text)")
                let tooClose = try await delete(["password": API.password], bearer: paul)
                #expect(tooClose.status == .conflict && tooClose.text.contains("visit_too_close"))
                #expect(try await test.store.account(email: "paul.dubois@example.org") != nil)
            }
        }
    }
}
