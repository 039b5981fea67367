import CreneauApp
import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdOTP
import HummingbirdTesting
import Testing

/// An administrator invites a secretary, who enrols from the emailed link; access is listed,
/// a second factor reset, an account closed with its sessions.
@Suite("Web and API: staff invitations, enrolment, resets, closed accounts")
struct StaffAccountsTests {
    typealias Pages = AccountPagesTests

    @Test("invited in a page, the secretary sets a password and scans the QR code, then signs in; closed, her session ends at once")
    func inviteAndEnrol() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            let time = MovableClock()
            try await Application(router: buildRouter(test.dependencies(clock: time.clock, mailer: mailer))).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let list = try await client.execute(uri: "/admin/staff", method: .get, headers: headers)
                #expect(list.status == .ok && list.text.contains("Inviter un collègue"))
                #expect(list.text.contains("value=\"department:\(fixture.org.department.id.json)\""))

                let email = "nadia.secretaire@hopital.test"
                let bad = try await Pages.post(client, "/admin/staff/invite", form: [
                    "name": "Nadia", "email": "pas-une-adresse", "role": "secretary", "scope": "department:\(fixture.org.department.id.json)",
                    "_csrf": session.csrf], cookie: session.cookie)
                #expect(bad.status == .unprocessableContent && bad.text.contains("value=\"Nadia\""))
                // A site administrator cannot make group administrators.
                let tooHigh = try await Pages.post(client, "/admin/staff/invite", form: [
                    "name": "Nadia", "email": email, "role": "group_admin", "scope": "site:\(fixture.org.site.id.json)", "_csrf": session.csrf], cookie: session.cookie)
                #expect(tooHigh.status == .forbidden)
                let invited = try await Pages.post(client, "/admin/staff/invite", form: [
                    "name": "Nadia Benali", "email": email, "role": "secretary", "scope": "department:\(fixture.org.department.id.json)",
                    "_csrf": session.csrf], cookie: session.cookie)
                #expect(invited.status == .seeOther)
                let token = try #require(mailer.lastLinkParameter("token", to: email))
                let listed = try await client.execute(uri: "/admin/staff", method: .get, headers: headers)
                #expect(listed.text.contains("Nadia Benali") && listed.text.contains("invité"))

                // The invitee's page: a QR code, the key as text, and a form.
                let welcome = try await client.execute(uri: "/staff/welcome?token=\(token)", method: .get, headers: Pages.html)
                #expect(welcome.status == .ok && welcome.text.contains("<svg") && welcome.text.contains("otpauth://totp/Creneau:"))
                let secret = try #require(Pages.hidden("secret", in: welcome.text))
                let csrf = try #require(Pages.hidden("_csrf", in: welcome.text))
                let cookie = try #require(Pages.cookie(welcome, named: "creneau_form"))
                let password = "quatre mots bien longs"
                let right = String(format: "%06d", TOTP(secret: secret).compute(date: time.clock.now()))
                let wrong = String(format: "%06d", (Int(right)! + 1) % 1_000_000)
                let refused = try await Pages.post(client, "/staff/welcome", form: ["token": token, "secret": secret, "password": password, "code": wrong, "_csrf": csrf],
                                                   cookie: cookie)
                #expect(refused.status == .unprocessableContent && refused.text.contains("Le code ne correspond pas"))
                #expect(Pages.hidden("secret", in: refused.text) == secret)
                let weak = try await Pages.post(client, "/staff/welcome", form: ["token": token, "secret": secret, "password": "azerty", "code": right, "_csrf": csrf],
                                                cookie: cookie)
                #expect(weak.status == .unprocessableContent)
                let done = try await Pages.post(client, "/staff/welcome", form: ["token": token, "secret": secret, "password": password, "code": right, "_csrf": csrf],
                                                cookie: cookie)
                #expect(done.status == .ok && done.text.contains("Votre accès est prêt"))
                let reused = try await client.execute(uri: "/staff/welcome?token=\(token)", method: .get, headers: Pages.html)
                #expect(reused.status == .unprocessableContent)

                // She signs in with the next code (the enrolment code is spent).
                time.advance(by: 30)
                let staff = AuthAPITests.Staff(email: email, password: password, secret: secret, id: UUID())
                let signedIn = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: time.clock.now()))
                #expect(signedIn.status == .created, "\(signedIn.text)")
                let bearer = try signedIn.decode(AuthAPITests.Token.self).token
                #expect(try await PatientAccountsAPITests.get(client, "/api/v1/patients/duplicates", bearer: bearer).status == .ok)

                // Closed by the administrator: her session ends at once.
                let account = try #require(try await test.store.account(email: email))
                let closed = try await Pages.post(client, "/admin/staff/\(account.id.json)/close", form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(closed.status == .seeOther)
                #expect(try await PatientAccountsAPITests.get(client, "/api/v1/patients/duplicates", bearer: bearer).status == .unauthorized)
                // Reopened and given a new authenticator: a new link goes out.
                _ = try await Pages.post(client, "/admin/staff/\(account.id.json)/reopen", form: ["_csrf": session.csrf], cookie: session.cookie)
                _ = try await Pages.post(client, "/admin/staff/\(account.id.json)/reset", form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(try await test.store.totpSecret(accountID: account.id) == nil)
                #expect(mailer.lastLinkParameter("token", to: email) != token)
            }
        }
    }

    @Test("through the API: invite, list, refuse a role the administrator cannot grant")
    func api() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let id = UUID(), password = "correct horse battery staple"
                try await test.store.insert(Account(id: id, email: "admin@hopital.test", displayName: "Admin", passwordHash: Bcrypt.hash(password, cost: 4),
                                                    createdAt: Fixtures.now))
                try await test.store.insert(RoleGrant(id: UUID(), accountID: id, role: .siteAdmin, scope: .site(fixture.org.site.id)))
                let secret = Authenticator.newTOTPSecret()
                try await test.store.setTOTPSecret(secret, accountID: id)
                let admin = AuthAPITests.Staff(email: "admin@hopital.test", password: password, secret: secret, id: id)
                let bearer = try await AuthAPITests().signIn(client, admin, code: AuthAPITests().code(admin, at: Fixtures.now)).decode(AuthAPITests.Token.self).token
                let invited = try await PatientAccountsAPITests.post(client, "/api/v1/admin/staff", [
                    "email": "dr.roux@hopital.test", "name": "Dr Roux", "role": "practitioner", "department": fixture.org.department.id.json], bearer: bearer)
                #expect(invited.status == .created, "\(invited.text)")
                #expect(mailer.lastLinkParameter("token", to: "dr.roux@hopital.test") != nil)
                let forbidden = try await PatientAccountsAPITests.post(client, "/api/v1/admin/staff", [
                    "email": "x@hopital.test", "name": "X", "role": "group_admin", "group": fixture.org.group.id.json], bearer: bearer)
                #expect(forbidden.status == .forbidden)
                // A department head reads one department's statistics: granted for a department, never a whole site.
                let head = try await PatientAccountsAPITests.post(client, "/api/v1/admin/staff", [
                    "email": "chef@hopital.test", "name": "Pr Chef", "role": "department_head", "department": fixture.org.department.id.json], bearer: bearer)
                #expect(head.status == .created, "\(head.text)")
                let siteWide = try await PatientAccountsAPITests.post(client, "/api/v1/admin/staff", [
                    "email": "chef2@hopital.test", "name": "Pr Chef", "role": "department_head", "site": fixture.org.site.id.json], bearer: bearer)
                #expect(siteWide.status == .forbidden)
                let members = try await PatientAccountsAPITests.get(client, "/api/v1/admin/staff", bearer: bearer)
                #expect(members.text.contains("dr.roux@hopital.test") && members.text.contains("\"enrolled\":false"))
            }
        }
    }
}

/// The messages the outbox gave up on, in a page for administrators.
@Suite("Web: messages not delivered")
struct AdminMessagesTests {
    @Test("a message given up is listed with a masked address and its error, and queued again by a button (audited)")
    func retry() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let now = Fixtures.now
            let message = OutboxMessage(id: UUID(), email: EmailMessage(to: "lea.martin@example.org", subject: "Votre code de connexion", text: "123456"),
                                        nextAttemptAt: now, createdAt: now)
            #expect(try await test.store.enqueue(message))
            _ = try await test.store.claim(limit: 5, now: now, leaseUntil: now.addingTimeInterval(60))
            try await test.store.markFailed(id: message.id, error: "RCPT 550 no such user", retryAt: nil)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let page = try await client.execute(uri: "/admin/messages", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
                #expect(page.status == .ok && page.text.contains("l•••@example.org") && page.text.contains("550"))
                #expect(!page.text.contains("lea.martin@example.org"))
                let retried = try await AccountPagesTests.post(client, "/admin/messages/\(message.id.json)/retry", form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(retried.status == .seeOther)
                #expect(try await test.store.failedMessages(limit: 5).isEmpty)
                #expect(try await test.store.claim(limit: 5, now: now, leaseUntil: now.addingTimeInterval(60)).map(\.id) == [message.id])
                let again = try await AccountPagesTests.post(client, "/admin/messages/\(message.id.json)/retry", form: ["_csrf": session.csrf], cookie: session.cookie)
                #expect(again.status == .notFound)
            }
        }
    }
}
