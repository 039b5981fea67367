import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What the desk sees of the messages, the survey a patient answers, the no-show rule, STOP and
/// patients' choices, through the real router.
@Suite("Web: messages at the desk, the survey, the no-show rule, STOP, message choices")
struct PatientMessagesHTTPTests {
    typealias Pages = AccountPagesTests
    static let gatewaySecret = "gateway-secret-0123456789abcdef"

    static func secretary(_ test: TestDatabase, _ fixture: BookingFixture) async throws -> Booker {
        let id = UUID()
        try await test.store.insert(Account(id: id, email: "sandrine.\(id.uuidString.prefix(8))@hopital.test", displayName: "Sandrine", createdAt: Fixtures.now))
        return Booker(.staff(accountID: id, role: .secretary), departments: [fixture.org.department.id])
    }

    /// Marks every due message sent, as a sender would.
    static func sendAll(_ test: TestDatabase, at now: Date) async throws {
        for message in try await test.store.claim(limit: 100, now: now, leaseUntil: now.addingTimeInterval(60)) {
            try await test.store.markSent(id: message.id, at: now)
        }
    }

    @Test("the day list says who was told by which channel and whom nobody could reach; the appointment lists its messages")
    func desk() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            let reached = try await service.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            let secretary = try await Self.secretary(test, fixture)
            let silent = PatientDetails(firstName: "Marcel", lastName: "Girard", birthDate: LocalDate(year: 1945, month: 3, day: 2)!, phone: "01 45 67 89 10")
            let unreached = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .new(silent), channel: .phone), by: secretary).appointment
            try await Self.sendAll(test, at: Fixtures.now)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let agenda = try await client.execute(uri: "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23", method: .get, headers: headers)
                #expect(agenda.text.contains("Prévenu par E-mail"))
                #expect(agenda.text.components(separatedBy: "Injoignable par message").count == 2)
                let page = try await client.execute(uri: "/staff/appointments/\(reached.id.json)", method: .get, headers: headers)
                #expect(page.text.contains("Messages au patient") && page.text.contains("<td>Confirmation</td><td>E-mail</td><td>envoyé</td>"),
                        "\(page.text.components(separatedBy: "Messages au patient").last?.prefix(600) ?? "")")
                let other = try await client.execute(uri: "/staff/appointments/\(unreached.id.json)", method: .get, headers: headers)
                #expect(other.text.contains("appelez le patient"))
            }
        }
    }

    @Test("the survey: the message's link opens it without sign-in; a score is required; one answer per visit; a forged link is refused; administrators see the NPS")
    func survey() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            let service = fixture.service(store: test.store, clock: time.clock)
            let appointment = try await service.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            time.advance(by: 3 * 3_600)
            let secretary = try await Self.secretary(test, fixture)
            _ = try await service.perform(.arrive, appointmentID: appointment.id, by: secretary, manageToken: nil)
            _ = try await service.perform(.fulfil, appointmentID: appointment.id, by: secretary, manageToken: nil)
            let planned = try await test.rows("SELECT kind, next_attempt_at FROM outbox_messages WHERE kind = 'survey'")
            #expect(planned.count == 1)
            let seen = try #require(try await test.store.appointment(id: appointment.id))
            let links = AppointmentLinks(signer: try test.store.linkSigner(), publicURL: "http://127.0.0.1")
            let token = links.token(for: seen, purpose: .survey)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let html: HTTPFields = [.accept: "text/html"]
                let form = try await client.execute(uri: "/survey/\(appointment.id.json)?token=\(token)", method: .get, headers: html)
                #expect(form.status == .ok && form.text.contains("Recommanderiez-vous ce service") && form.text.contains("value=\"10\""))
                let csrf = try #require(Pages.hidden("_csrf", in: form.text))
                let cookie = try #require(Pages.cookie(form, named: "creneau_form"))
                let forged = try await client.execute(uri: "/survey/\(appointment.id.json)?token=v1.9999999999.0.AAAA", method: .get, headers: html)
                #expect(forged.status == .notFound && forged.text.contains("pas valide"))
                let noScore = try await Pages.post(client, "/survey/\(appointment.id.json)", form: ["token": token, "_csrf": csrf, "comment": "Très bien"], cookie: cookie)
                #expect(noScore.status == .unprocessableContent && noScore.text.contains("Choisissez une note") && noScore.text.contains("Très bien"))
                let outOfRange = try await Pages.post(client, "/survey/\(appointment.id.json)", form: ["token": token, "_csrf": csrf, "score": "11"], cookie: cookie)
                #expect(outOfRange.status == .unprocessableContent)
                let answered = try await Pages.post(client, "/survey/\(appointment.id.json)",
                                                    form: ["token": token, "_csrf": csrf, "score": "9", "comment": "Accueil très aimable, attente courte."], cookie: cookie)
                #expect(answered.status == .ok && answered.text.contains("Merci"))
                let again = try await Pages.post(client, "/survey/\(appointment.id.json)", form: ["token": token, "_csrf": csrf, "score": "2"], cookie: cookie)
                #expect(again.status == .conflict && again.text.contains("déjà donné votre avis"))
                // Sealed at rest.
                let stored = try await test.rows("SELECT score, comment_sealed FROM survey_answers")
                #expect(stored.count == 1)
                #expect(try stored[0].decode(column: "comment_sealed", as: String.self).contains("aimable") == false)

                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let results = try await client.execute(uri: "/admin/surveys", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(results.status == .ok && results.text.contains("<td>1</td><td>9.0</td><td>100</td>") && results.text.contains("Accueil très aimable"),
                        "\(results.text.components(separatedBy: "<tbody>").last?.prefix(700) ?? "")")
                let audit = try await test.rows("SELECT action FROM access_audit WHERE action = 'admin:read_survey_comments'")
                #expect(audit.count == 1)
            }
        }
    }

    @Test("the no-show rule: after the site's limit online booking refuses with too_many_no_shows; the desk sees the count and lifts it; the phone still books")
    func noShows() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            var site = fixture.org.site
            site.noShowPolicy = NoShowPolicy(limit: 2, windowDays: 365)
            try await test.store.update(site)
            // Noon: the morning's two visits are past (missed, as the desk marks them).
            let time = MovableClock()
            let dependencies = test.dependencies(clock: time.clock)
            let service = dependencies.booking
            let first = try await service.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            let patientID = first.patientID
            let second = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .new(fixture.newPatient())), by: .visitor).appointment
            #expect(second.patientID == patientID)
            time.advance(by: 4 * 3_600)
            try await test.run("UPDATE appointments SET status = 'noshow' WHERE patient_id = '\(patientID.json)'")
            let account = UUID()
            try await test.store.insert(Account(id: account, email: "lea@example.org", displayName: "Léa Martin", createdAt: Fixtures.now))
            try await test.store.link(ManagedPatient(accountID: account, patientID: patientID, relationship: .self))
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id, at: time.clock.now())
                let online = fixture.request(at: BookingFixture.monday(9, 30).addingTimeInterval(86_400), patient: .existing(patientID))
                do {
                    _ = try await service.book(online, by: Booker(.patient(accountID: account)))
                    Issue.record("booked despite two no-shows")
                } catch BookingError.refused(let violation) {
                    #expect(violation.code == .tooManyNoShows && violation.message.contains("Call the secretariat"))
                }
                let secretary = try await Self.secretary(test, fixture)
                _ = try await service.book(fixture.request(at: BookingFixture.monday(9, 30).addingTimeInterval(86_400), patient: .existing(patientID), channel: .phone),
                                           by: secretary)
                let page = try await client.execute(uri: "/staff/appointments/\(first.id.json)", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(page.text.contains("2 rendez-vous manqué(s)") && page.text.contains("Rouvrir la réservation en ligne"))
                let lifted = try await Pages.post(client, "/staff/appointments/\(first.id.json)/noshows/lift", form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(lifted.status == .seeOther)
                let after = try await client.execute(uri: "/staff/appointments/\(first.id.json)", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(after.text.contains("0 rendez-vous manqué(s)") && after.text.contains("Règle levée le"))
                _ = try await service.book(fixture.request(at: BookingFixture.monday(10, 30).addingTimeInterval(2 * 86_400), patient: .existing(patientID)),
                                           by: Booker(.patient(accountID: account)))
            }
            #expect(try await test.rows("SELECT action FROM access_audit WHERE action = 'lift_no_shows'").count == 1)
        }
    }

    @Test("STOP from the gateway (with its secret) silences every record with that number; START resumes; a wrong secret is 401")
    func stop() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            let details = PatientDetails(firstName: "Inès", lastName: "Roux", birthDate: LocalDate(year: 1980, month: 1, day: 1)!, phone: "06 98 76 54 32")
            let appointment = try await service.book(fixture.request(at: BookingFixture.monday(10), patient: .new(details)), by: .visitor).appointment
            var dependencies = test.dependencies()
            dependencies.smsReplies = (SMSReplies(consent: test.store, clock: .fixed(Fixtures.now)), Self.gatewaySecret)
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                func reply(_ text: String, token: String = Self.gatewaySecret, from: String = "+33698765432") async throws -> TestResponse {
                    try await client.execute(uri: "/api/v1/sms/inbound", method: .post,
                                             headers: [.contentType: "application/json", HTTPField.Name("Creneau-Inbound-Token")!: token],
                                             body: ByteBuffer(string: "{\"from\":\"\(from)\",\"text\":\"\(text)\"}"))
                }
                #expect(try await reply("STOP", token: "wrong").status == .unauthorized)
                #expect(try await reply("STOP", from: "nonsense").status == .unprocessableContent)
                let stopped = try await reply("Stop SMS")
                #expect(stopped.status == .ok && stopped.text.contains("stopped"))
                #expect(try await test.store.patient(id: appointment.patientID)?.smsStoppedAt != nil)
                #expect(try await reply("Merci, à lundi").text.contains("ignored"))
                #expect(try await reply("START").text.contains("resumed"))
                #expect(try await test.store.patient(id: appointment.patientID)?.smsStoppedAt == nil)
            }
        }
    }

    @Test("administrators set a site's reminders and no-show rule and a motive's reminders; text that is not a schedule is explained; bookings follow")
    func settings() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let site = fixture.org.site
                let form = ["name": site.name, "slug": site.slug, "city": site.city, "timeZone": site.timeZone, "holidays": "metropolitan", "active": "on",
                            "_csrf": session.csrf]
                let wrong = try await Pages.post(client, "/admin/sites/\(site.id.json)", form: form.merging(["reminders": "pigeon:2"]) { $1 }, cookie: session.cookie)
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("email:7 sms:2 email:1"))
                let limit = try await Pages.post(client, "/admin/sites/\(site.id.json)", form: form.merging(["noShowLimit": "50"]) { $1 }, cookie: session.cookie)
                #expect(limit.status == .unprocessableContent)
                let saved = try await Pages.post(client, "/admin/sites/\(site.id.json)",
                                                 form: form.merging(["reminders": "sms:3", "noShowLimit": "3", "noShowMonths": "6"]) { $1 }, cookie: session.cookie)
                #expect(saved.status == .seeOther)
                let stored = try #require(try await test.store.site(id: site.id))
                #expect(stored.reminders == ReminderSchedule([.init(.sms, daysBefore: 3)]) && stored.noShowPolicy == NoShowPolicy(limit: 3, windowDays: 180))

                let motive = fixture.followUp
                let values = ["name": motive.name, "duration": "15", "patients": "known", "channel-online": "1", "channel-phone": "1", "horizon": "90",
                              "notice": "60", "cutoff": "240", "before": "", "after": "Apportez vos résultats.", "_csrf": session.csrf]
                let off = try await Pages.post(client, "/admin/motives/\(motive.id.json)", form: values.merging(["reminders": "off"]) { $1 }, cookie: session.cookie)
                #expect(off.status == .seeOther)
                #expect(try await test.store.motive(id: motive.id)?.reminders == .off)
            }
            // A first visit (the site's "sms:3") plans its SMS three days before; none for the follow-up motive ("off").
            let service = fixture.service(store: test.store)
            let visit = BookingFixture.monday(9).addingTimeInterval(14 * 86_400)
            let details = PatientDetails(firstName: "Léa", lastName: "Martin", birthDate: LocalDate(year: 1992, month: 5, day: 14)!, phone: "06 12 34 56 78")
            _ = try await service.book(fixture.request(at: visit, patient: .new(details)), by: .visitor)
            let reminders = try await test.rows("SELECT channel, next_attempt_at FROM outbox_messages WHERE kind = 'reminder'")
            #expect(reminders.count == 1)
            #expect(try reminders.first?.decode(column: "next_attempt_at", as: Int64.self) == Int64(visit.addingTimeInterval(-3 * 86_400 + 3_600).timeIntervalSince1970))
        }
    }

    @Test("a patient chooses channels and language for each person of the account; leaving no way to reach them is explained")
    func preferences() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let (cookie, _, csrf) = try await BrowserSessionAPITests.browserPatient(client, mailer, email: "lea@example.org")
                let account = try await client.execute(uri: "/account", method: .get, headers: [.cookie: cookie, .accept: "text/html"])
                #expect(account.text.contains("Messages sur les rendez-vous"))
                let action = try #require(account.text.range(of: "action=\"/account/patients/").map { String(account.text[$0.upperBound...].prefix(36)) })
                let patientID = try #require(UUID(uuidString: action))
                let none = try await Pages.post(client, "/account/patients/\(action)/messages", form: ["language": "fr", "_csrf": csrf], cookie: cookie)
                #expect(none.status == .unprocessableContent && none.text.contains("Gardez au moins un moyen"))
                let english = try await Pages.post(client, "/account/patients/\(action)/messages", form: ["email": "on", "language": "en", "_csrf": csrf], cookie: cookie)
                #expect(english.status == .seeOther)
                let patient = try #require(try await test.store.patient(id: patientID))
                #expect(patient.language == .en && patient.wantsEmail && !patient.wantsSMS)
                let other = try await Pages.post(client, "/account/patients/\(UUID().json)/messages", form: ["email": "on", "language": "fr", "_csrf": csrf], cookie: cookie)
                #expect(other.status == .notFound)
            }
        }
    }
}
