import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Testing

/// A city doctor signs in on the web and refers the patient in front of them.
@Suite("Web: the referring doctors' portal")
struct ReferralPagesTests {
    typealias Pages = AccountPagesTests

    @Test("a referring doctor signs in, finds a cardiologist's referral slot, books it for a patient with a note, and sees it listed")
    func refer() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            var referable = fixture.org.motive
            referable.channels = [.online, .phone, .referral]
            try await test.store.update(referable)
            let motive = referable
            let doctor = try await AccessMatrixTests().account(test, email: "dr.dupont@cabinet.test", role: .referringDoctor, scope: .everywhere,
                                                               referringDoctor: fixture.doctor.id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                // Sign in through the pages: to the portal, not back to the sign-in page.
                let signInPage = try await client.execute(uri: "/signin", method: .get, headers: Pages.html)
                let csrf = try #require(Pages.hidden("_csrf", in: signInPage.text))
                let formCookie = try #require(Pages.cookie(signInPage, named: "creneau_form"))
                let code = String(format: "%06d", TOTP(secret: doctor.secret).compute(date: Fixtures.now))
                let signedIn = try await Pages.post(client, "/signin", form: ["email": doctor.email, "password": "correct horse battery staple", "code": code,
                                                                              "_csrf": csrf], cookie: formCookie)
                #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/referrals")
                let session = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("creneau_session=") }.map { String($0.prefix { $0 != ";" }) })
                let headers: HTTPFields = [.cookie: session, .accept: "text/html"]

                let home = try await client.execute(uri: "/referrals?specialty=cardiologie", method: .get, headers: headers)
                #expect(home.status == .ok && home.text.contains("Bérénice Lefèvre"))
                #expect(home.text.contains("aucun adressage en cours"))
                let pageCSRF = try #require(Pages.hidden("_csrf", in: home.text))
                let start = try #require(Pages.hidden("start", in: home.text))
                let held = try await Pages.post(client, "/referrals/hold", form: ["practitioner": fixture.org.practitioner.id.json, "motive": motive.id.json,
                                                                                  "start": start, "_csrf": pageCSRF], cookie: session)
                #expect(held.status == .seeOther)
                let formPath = try #require(held.headers[.location])
                #expect(formPath.hasPrefix("/referrals/book/"))
                let form = try await client.execute(uri: formPath, method: .get, headers: headers)
                let key = try #require(Pages.hidden("key", in: form.text))
                var values = ["firstName": "Hugo", "lastName": "Moreau", "birthDate": "", "phone": "06 11 22 33 44", "note": "Souffle systolique à explorer.",
                              "key": key, "_csrf": pageCSRF]
                let missing = try await Pages.post(client, formPath, form: values, cookie: session)
                #expect(missing.status == .unprocessableContent && missing.text.contains("value=\"Moreau\""))
                values["birthDate"] = "1961-02-03"
                let booked = try await Pages.post(client, formPath, form: values, cookie: session)
                #expect(booked.status == .seeOther && booked.headers[.location] == "/referrals?booked=1")
                let again = try await Pages.post(client, formPath, form: values, cookie: session)
                #expect(again.headers[.location] == "/referrals?booked=1")

                let rows = try await test.rows("SELECT id FROM appointments WHERE referring_doctor_id = '\(fixture.doctor.id.json)' AND channel = 'referral'")
                #expect(rows.count == 1)
                let appointment = try #require(try await test.store.appointments(referringDoctorID: fixture.doctor.id, from: Fixtures.now, limit: 5).first)
                #expect(appointment.notes == "Souffle systolique à explorer.")
                let list = try await client.execute(uri: "/referrals?booked=1", method: .get, headers: headers)
                #expect(list.text.contains("adressage est réservé") && list.text.contains("Première consultation"))
                // A patient's pages are not theirs, nor the staff's.
                let staff = try await client.execute(uri: "/staff", method: .get, headers: headers)
                #expect(staff.status == .seeOther)
            }
        }
    }
}
