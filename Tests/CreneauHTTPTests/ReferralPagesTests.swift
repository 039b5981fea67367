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
                let (signedIn, cookie) = try await Pages.signInThroughPage(client, email: doctor.email, secret: doctor.secret)
                #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/referrals")
                let session = try #require(cookie)
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

    @Test("signing in returns to the page that asked for it — a page of this site only; the waiting list sends a signed-out visitor there")
    func signInReturns() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let doctor = try await AccessMatrixTests().account(test, email: "dr.dupont@cabinet.test", role: .referringDoctor, scope: .everywhere,
                                                               referringDoctor: fixture.doctor.id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let waitlist = try await client.execute(uri: "/account/waitlist?motive=\(fixture.org.motive.id.json)", method: .get, headers: Pages.html)
                #expect(waitlist.status == .seeOther)
                #expect(waitlist.headers[.location] == "/signin?next=/account/waitlist%3Fmotive%3D\(fixture.org.motive.id.json)")

                // Two sign-ins (a code is good once: the second uses the next one).
                func signIn(next: String, at instant: Date) async throws -> String? {
                    let page = try await client.execute(uri: "/signin?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                                                        method: .get, headers: Pages.html)
                    let csrf = try #require(Pages.hidden("_csrf", in: page.text))
                    let formCookie = try #require(Pages.cookie(page, named: "creneau_form"))
                    let code = String(format: "%06d", TOTP(secret: doctor.secret).compute(date: instant))
                    var form = ["email": doctor.email, "password": "correct horse battery staple", "code": code, "_csrf": csrf]
                    // What the form carries on, as a browser sends it back.
                    if let carried = Pages.hidden("next", in: page.text) { form["next"] = carried.replacingOccurrences(of: "&amp;", with: "&") }
                    let signedIn = try await Pages.post(client, "/signin", form: form, cookie: formCookie)
                    #expect(signedIn.status == .seeOther)
                    return signedIn.headers[.location]
                }
                #expect(try await signIn(next: "/referrals?specialty=cardiologie&day=2026-12-01", at: Fixtures.now)
                        == "/referrals?specialty=cardiologie&day=2026-12-01")
                // Elsewhere is never a destination: the visitor lands on their own home page.
                #expect(try await signIn(next: "//evil.example/x", at: Fixtures.now.addingTimeInterval(30)) == "/referrals")
            }
        }
    }

    @Test("only a path of this site is a place to return to after signing in")
    func safeNext() {
        #expect(SignInPagesController.safeNext("/account/waitlist?motive=1&x=2") == "/account/waitlist?motive=1&x=2")
        for elsewhere in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/a b", "/é", "evil",
                          "/" + String(repeating: "a", count: 500), "/a\u{0}b"] {
            #expect(SignInPagesController.safeNext(elsewhere) == nil, "\(elsewhere)")
        }
        #expect(SignInPagesController.safeNext(nil) == nil)
    }
}
