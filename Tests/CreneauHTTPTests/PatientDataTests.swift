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
}
