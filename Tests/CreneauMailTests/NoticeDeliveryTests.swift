import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import Testing

@testable import CreneauMail

/// Patients' messages end to end on a real database, against real peers: aiosmtpd (the email
/// as a mail client parses it, its .ics attachment) and a local HTTP server as the SMS gateway.
@Suite("Patient messages: confirmation, reminders, hospital changes, from the outbox to the peers")
struct NoticeDeliveryTests {
    /// Léa books for herself, with an email and a mobile written the French way.
    func details(_ fixture: BookingFixture, email: String? = "lea@example.org", phone: String? = "06 12 34 56 78") -> PatientDetails {
        PatientDetails(firstName: "Léa", lastName: "Martin", birthDate: LocalDate(year: 1992, month: 5, day: 14)!, email: email, phone: phone)
    }

    func secretary(_ test: TestDatabase, _ fixture: BookingFixture) async throws -> Booker {
        let id = UUID()
        try await test.store.insert(Account(id: id, email: "sandrine.\(id.uuidString.prefix(8))@hopital.test", displayName: "Sandrine", createdAt: Fixtures.now))
        return Booker(.staff(accountID: id, role: .secretary), departments: [fixture.org.department.id])
    }

    func rows(_ test: TestDatabase) async throws -> [(kind: String, channel: String, state: String, due: Int64)] {
        try await test.rows("SELECT kind, channel, state, next_attempt_at FROM outbox_messages ORDER BY next_attempt_at, kind, channel").map {
            (try $0.decode(column: "kind", as: String.self), try $0.decode(column: "channel", as: String.self),
             try $0.decode(column: "state", as: String.self), try $0.decode(column: "next_attempt_at", as: Int64.self))
        }
    }

    /// Monday 7 December 2026 at 09:00 in Paris, two weeks after the fixed clock.
    static let visit = BookingFixture.monday(9).addingTimeInterval(14 * 86_400)
    /// 10:00 in Paris on the day `days` before the visit.
    static func reminderTime(_ days: Int) -> Int64 { Int64(visit.addingTimeInterval(TimeInterval(-days * 86_400 + 3_600)).timeIntervalSince1970) }

    @Test("a booking writes its confirmation and reminders with it; they reach aiosmtpd (with the .ics) and the gateway; a hospital cancellation skips the reminders and tells the patient why")
    func lifecycle() async throws {
        guard Peers.smtp else { return }
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            let links = AppointmentLinks(signer: try test.store.linkSigner(), publicURL: "https://rdv.example.org")
            var deps = fixture.service(store: test.store, clock: time.clock).dependencies
            deps.links = links
            let service = BookingService(deps)
            let smtp = try await SMTPPeer()
            defer { smtp.stop() }
            let sms = try await SMSPeer()
            defer { sms.stop() }
            let mailer = try SMTPMailer(client: SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: smtp.port)),
                                    from: try MIMEMessage.Mailbox("Hôpital <rdv@hopital.test>"))
            let gateway = try HTTPSMSGateway(configuration: SMSGatewayConfiguration(url: sms.url, authHeader: "Authorization: Bearer sms-key", sender: "HOPITAL"))
            let sender = try OutboxSender.forTests(test.store, email: mailer, sms: gateway, clock: time.clock)

            let (appointment, _) = try await service.book(fixture.request(at: Self.visit, patient: .new(details(fixture))), by: .visitor)
            // In the same transaction: two confirmations now, the reminders at 10:00 on D-7 (email), D-2 (SMS), D-1 (email).
            let planned = try await rows(test)
            let now = Int64(Fixtures.now.timeIntervalSince1970)
            #expect(planned.map { "\($0.kind)/\($0.channel)/\($0.due)" } == [
                "confirmation/email/\(now)", "confirmation/sms/\(now)", "reminder/email/\(Self.reminderTime(7))",
                "reminder/sms/\(Self.reminderTime(2))", "reminder/email/\(Self.reminderTime(1))",
            ])

            #expect(try await sender.sendDue() == 2)
            let email = try #require(try await smtp.received(count: 1).first)
            #expect(email.rcpt_tos == ["lea@example.org"] && email.defects.isEmpty)
            #expect(email.subject.hasPrefix("Rendez-vous confirmé le lundi 7 décembre 2026 à 09:00"))
            #expect(email.body.contains("Dr") || email.body.contains(fixture.org.practitioner.lastName))
            #expect(email.body.contains("Apportez") || email.body.contains("Motif"))
            #expect(email.html?.contains("<table") == true)
            let ics = try #require(email.attachments?.first { $0.content_type == "text/calendar" })
            #expect(ics.method == "REQUEST" && ics.filename == "rendez-vous.ics")
            let calendar = try #require(ics.content)
            #expect(calendar.contains("METHOD:REQUEST") && calendar.contains("UID:\(appointment.id.uuidString.lowercased())@creneau") && calendar.contains("SEQUENCE:0"))
            if Peers.icalendar {
                let event = try await ICalendarPeer.parse(calendar)
                #expect(event["status"] == "CONFIRMED" && event["dtstart"] == "2026-12-07T08:00:00+00:00")
            }

            let text = try #require(try await sms.received(count: 1).first)
            #expect(text.authorization == "Bearer sms-key" && text.parsed && text.content_type.hasPrefix("application/json"))
            #expect(text.fields["to"] == "+33612345678" && text.fields["sender"] == "HOPITAL")
            let words = try #require(text.fields["text"])
            #expect(words.hasPrefix("RDV confirmé le lundi 7 décembre 2026 à 09:00") && SMSText.encoding(of: words) == .gsm7)
            // Its link opens the appointment without an account.
            let token = try #require(words.components(separatedBy: "token=").last?.split(separator: " ").first.map(String.init))
            #expect(try await service.appointment(id: appointment.id, by: .visitor, manageToken: token).id == appointment.id)

            // Nothing more until the first reminder's time.
            #expect(try await sender.sendDue() == 0)
            time.advance(by: TimeInterval(Self.reminderTime(7) - now))
            #expect(try await sender.sendDue() == 1)
            let reminder = try #require(try await smtp.received(count: 2).first { $0.subject.hasPrefix("Rappel") })
            #expect(reminder.body.contains("dans 7 jours") && reminder.body.contains("token="))

            // The secretary cancels: the pending reminders are skipped, both channels say why, with a link to book again.
            let secretary = try await secretary(test, fixture)
            _ = try await service.perform(.cancel(reason: "Le Dr Lefèvre est appelé en congrès"), appointmentID: appointment.id, by: secretary, manageToken: nil)
            let after = try await rows(test)
            #expect(after.filter { $0.kind == "reminder" }.map(\.state) == ["sent", "skipped", "skipped"])
            #expect(after.filter { $0.kind == "cancelled" }.map(\.channel).sorted() == ["email", "sms"])
            // The old link died with the change.
            await #expect(throws: BookingError.self) { try await service.appointment(id: appointment.id, by: .visitor, manageToken: token) }

            #expect(try await sender.sendDue() == 2)
            let cancellation = try #require(try await smtp.received(count: 3).first { $0.subject.contains("annulé") })
            #expect(cancellation.subject.hasPrefix("L’hôpital a annulé votre rendez-vous du lundi 7 décembre 2026"))
            #expect(cancellation.body.contains("Raison : Le Dr Lefèvre est appelé en congrès") && cancellation.body.contains("https://rdv.example.org/practitioners/"))
            let cancel = try #require(cancellation.attachments?.first { $0.content_type == "text/calendar" })
            #expect(cancel.method == "CANCEL" && cancel.content?.contains("STATUS:CANCELLED") == true && cancel.content?.contains("SEQUENCE:1") == true)
            let cancelText = try #require(try await sms.received(count: 2).last?.fields["text"])
            #expect(cancelText.contains("annulé") && cancelText.contains("congrès"))
            // Nothing is left to send: the skipped reminders never go.
            time.advance(by: 8 * 86_400)
            #expect(try await sender.sendDue() == 0)
        }
    }

    @Test("a patient booked by phone with a mobile and no email gets SMS only, reminders included; STOP silences them")
    func smsOnly() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            var deps = fixture.service(store: test.store, clock: time.clock).dependencies
            deps.links = AppointmentLinks(signer: try test.store.linkSigner(), publicURL: "https://rdv.example.org")
            let service = BookingService(deps)
            let secretary = try await secretary(test, fixture)
            let phoneOnly = PatientDetails(firstName: "Marcel", lastName: "Girard", birthDate: LocalDate(year: 1945, month: 3, day: 2)!, phone: "+33 (0)6 98 76 54 32")
            let (appointment, _) = try await service.book(fixture.request(at: Self.visit, patient: .new(phoneOnly), channel: .phone), by: secretary)
            let planned = try await rows(test)
            #expect(planned.map { "\($0.kind)/\($0.channel)" } == ["confirmation/sms", "reminder/sms"])
            let mail = RecordingMailer(), texts = RecordingSMS()
            let sender = try OutboxSender.forTests(test.store, email: mail, sms: texts, clock: time.clock)
            #expect(try await sender.sendDue() == 1)
            #expect(mail.messages.isEmpty && texts.sent.map(\.to) == ["+33698765432"])
            #expect(texts.sent.first?.text.contains("https://rdv.example.org/appointments/\(appointment.id.uuidString.lowercased())?token=v1.") == true)
            // He answers STOP: the reminder is skipped, not sent.
            var patient = try #require(try await test.store.patient(id: appointment.patientID))
            patient.smsStoppedAt = time.clock.now()
            try await test.store.update(patient)
            time.advance(by: 13 * 86_400)
            #expect(try await sender.sendDue() == 1)
            #expect(texts.sent.count == 1)
            #expect(try await rows(test).map(\.state) == ["sent", "skipped"])
        }
    }

    @Test("a gateway that fails, throttles or hangs never loses a message: retried later, sent once it answers")
    func gatewayTrouble() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let time = MovableClock()
            let service = fixture.service(store: test.store, clock: time.clock)
            let sms = try await SMSPeer()
            defer { sms.stop() }
            let gateway = try HTTPSMSGateway(configuration: SMSGatewayConfiguration(url: sms.url, format: .form, timeout: .seconds(1)))
            let sender = try OutboxSender.forTests(test.store, email: RecordingMailer(), sms: gateway, clock: time.clock)
            _ = try await service.book(fixture.request(at: Self.visit, patient: .new(details(fixture, email: nil))), by: .visitor)
            for (status, delay) in [(500, 0.0), (429, 0.0), (202, 3.0)] {
                try sms.answer(status: status, delay: delay)
                #expect(try await sender.sendDue() == 1)
                let state = try await rows(test).first { $0.kind == "confirmation" }
                #expect(state?.state == "pending")
                time.advance(by: 3_600)
            }
            try sms.answer(status: 202)
            #expect(try await sender.sendDue() == 1)
            #expect(try await rows(test).first { $0.kind == "confirmation" }?.state == "sent")
            let received = try await sms.received(count: 4)
            #expect(received.count == 4 && received.allSatisfy { $0.parsed && $0.content_type == "application/x-www-form-urlencoded" })
            // Every attempt carried the same reference: a gateway can drop a repeat.
            #expect(Set(received.map { $0.fields["reference"] ?? "" }).count == 1)
            // A refusal for good (400) is given up at once and listed for the administrators.
            _ = try await service.book(fixture.request(at: Self.visit.addingTimeInterval(1_800), patient: .new(PatientDetails(
                firstName: "Inès", lastName: "Roux", birthDate: LocalDate(year: 1980, month: 1, day: 1)!, phone: "07 11 22 33 44"))), by: .visitor)
            try sms.answer(status: 400)
            #expect(try await sender.sendDue() == 1)
            #expect(try await test.store.failedMessages(limit: 5).first?.lastError == "The SMS gateway answered 400")
        }
    }

    @Test("two senders on two instances drain one outbox together: the SMTP peer receives each message once")
    func twoInstances() async throws {
        guard Peers.smtp else { return }
        try await TestDatabase.with { test in
            let smtp = try await SMTPPeer()
            defer { smtp.stop() }
            let now = Fixtures.now
            for n in 0..<40 {
                _ = try await test.store.enqueue(OutboxMessage(id: UUID(), dedupeKey: "account:\(n)",
                    email: EmailMessage(to: "p\(n)@example.org", subject: "Code \(n)", text: "Votre code : \(n)"), nextAttemptAt: now, createdAt: now))
            }
            let mailer = try SMTPMailer(client: SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: smtp.port)),
                                    from: try MIMEMessage.Mailbox("rdv@hopital.test"))
            try await test.withSecondInstance { other in
                let one = try OutboxSender.forTests(test.store, email: mailer, clock: .fixed(now), concurrency: 4)
                let two = try OutboxSender.forTests(other, email: mailer, clock: .fixed(now), concurrency: 4)
                async let a: Void = { while try await one.sendDue() > 0 {} }()
                async let b: Void = { while try await two.sendDue() > 0 {} }()
                _ = try await (a, b)
            }
            let received = try await smtp.received(count: 40)
            #expect(received.count == 40)
            #expect(Set(received.map(\.message_id)).count == 40)
        }
    }
}
