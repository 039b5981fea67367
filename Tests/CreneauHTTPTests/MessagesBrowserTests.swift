import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Logging
import Testing

/// Patients' messages end to end on the real server (`serve --demo`, which writes emails and SMS
/// as files): in a real browser for scenarios 1, 4 and 9 and the survey, on a training clock for a
/// reminder due at 10:00.
@Suite("Messages end to end: confirmation, SMS-only phone booking, the hospital cancels, a reminder at D-1, the survey",
       .enabled(if: Peers.browser && Peers.icalendar, Comment(rawValue: Peers.browserMissing)))
struct MessagesBrowserTests {
    static func data(_ server: BrowserTests.DemoServer) -> String { server.folder.appendingPathComponent("data").path }

    @Test("scenario 1: booked online, confirmed at once by email (with an .ics invitation) and SMS; the SMS link cancels without an account")
    func confirmation() async throws {
        try await BrowserTests.withDemoServer { server in
            try await BrowserTests.scenario("patient_messages.py", ["confirmation", server.url, server.shots, Self.data(server)])
        }
    }

    @Test("scenario 4: a phone booking for a caller with a mobile and no email: an SMS whose link cancels in the browser")
    func phoneBookingBySMS() async throws {
        try await BrowserTests.withDemoServer { server in
            try await BrowserTests.scenario("patient_messages.py", ["phone", server.url, server.shots, Self.data(server)])
        }
    }

    @Test("scenario 9: an absence for a day; the secretary cancels what it hits with a reason; every patient is told or listed to call")
    func absence() async throws {
        try await BrowserTests.withDemoServer { server in
            try await BrowserTests.scenario("patient_messages.py", ["absence", server.url, server.shots, Self.data(server)])
        }
    }

    @Test("the survey of a fulfilled visit from its signed link: a score and a comment, once")
    func survey() async throws {
        try await BrowserTests.withDemoServer { server in
            let data = server.folder.appendingPathComponent("data")
            let keys = try String(contentsOf: data.appendingPathComponent("creneau.keys"), encoding: .utf8)
            let database = try Database.sqlite(path: data.appendingPathComponent("creneau.sqlite").path, logger: Logger(label: "test"))
            let url: String
            do {
                let store = SQLStore(database: database, cipher: try FieldCipher(keyRing: keys))
                let since = Int64(Date().addingTimeInterval(-20 * 86_400).timeIntervalSince1970)
                let rows = try await database.withConnection { db in
                    try await db.raw("SELECT id FROM appointments WHERE status = 'fulfilled' AND ends_at > \(bind: since) ORDER BY ends_at DESC LIMIT 1").all()
                }
                let text = try #require(try rows.first?.decode(column: "id", as: String.self))
                let id = try #require(UUID(uuidString: text))
                let appointment = try #require(try await store.appointment(id: id))
                url = AppointmentLinks(signer: try store.linkSigner(), publicURL: server.url).surveyURL(appointment)
                await database.shutdown()
            } catch {
                await database.shutdown()
                throw error
            }
            try await BrowserTests.scenario("patient_messages.py", ["survey", server.url, server.shots, url])
        }
    }
}

/// A reminder due at 10:00 goes at 10:00 on the server's clock (a training clock set to 09:59).
@Suite("Messages on a training clock: the D-1 reminder at 10:00", .serialized)
struct ReminderClockTests {
    @Test("creneau reminders plans the seeded visits' reminders; at 10:00 the server sends tomorrow's, in the patient's language, with a link")
    func reminderAtTen() async throws {
        // Monday 23 November 2026, 09:59 in Paris, the demo seeded for that day.
        let start = "2026-11-23T09:59:00+01:00"
        try await BrowserTests.withDemoServer(environment: ["CRENEAU_DEMO_START": start]) { server in
            let planned = try await ChildProcess.run(ServerProcessTests.executable, ["reminders", "--days", "2"], in: server.folder,
                                                     environment: ProcessInfo.processInfo.environment.merging(["CRENEAU_DEMO_START": start]) { $1 })
            #expect(planned.status == 0 && planned.text.contains("reminders planned"), "\(planned.text)")

            let mail = server.folder.appendingPathComponent("data/mail")
            var reminder: String?
            // Bounded: the server's clock reaches 10:00 about a minute after it started.
            for _ in 0..<480 where reminder == nil {
                try await Task.sleep(for: .milliseconds(250))
                let files = (try? FileManager.default.contentsOfDirectory(at: mail, includingPropertiesForKeys: nil)) ?? []
                reminder = files.lazy.compactMap { try? String(contentsOf: $0, encoding: .utf8) }.first { $0.contains("Subject: =?UTF-8?B?") && $0.contains("token=3Dv1.") && Self.decodedSubject($0).hasPrefix("Rappel : rendez-vous le mardi 24 novembre 2026") }
            }
            let found = try #require(reminder, "no reminder for Tuesday's visits was sent at 10:00")
            #expect(found.contains("Auto-Submitted: auto-generated"))
        }
    }

    /// The Subject header decoded from its RFC 2047 encoded words.
    static func decodedSubject(_ message: String) -> String {
        guard let start = message.range(of: "\r\nSubject: ") else { return "" }
        var lines: [Substring] = []
        for line in message[start.upperBound...].split(separator: "\r\n", omittingEmptySubsequences: false) {
            if lines.isEmpty || line.hasPrefix(" ") { lines.append(line) } else { break }
        }
        return lines.map { word in
            let trimmed = word.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("=?UTF-8?B?"), trimmed.hasSuffix("?="), let data = Data(base64Encoded: String(trimmed.dropFirst(10).dropLast(2))) else { return trimmed }
            return String(decoding: data, as: UTF8.self)
        }.joined()
    }
}

/// Scenario 8 on the real server, its SMS going to the gateway peer, offers held one minute.
@Suite("Waiting list end to end: a cancellation refills the slot", .enabled(if: Peers.browser, Comment(rawValue: Peers.browserMissing)))
struct WaitlistBrowserTests {
    @Test("scenario 8: Paul cancels from his link; Inès, first on the list, is offered the slot by SMS at once; she does not answer; Marc, next, accepts and is booked")
    func refill() async throws {
        let sms = try await SMSPeer()
        defer { sms.stop() }
        try await BrowserTests.withDemoServer(environment: ["CRENEAU_SMS_URL": sms.url.absoluteString, "CRENEAU_WAITLIST_OFFER_MINUTES": "1"]) { server in
            // Inès and Marc are in the hospital's records (callers the secretary puts on the list).
            let data = server.folder.appendingPathComponent("data")
            let keys = try String(contentsOf: data.appendingPathComponent("creneau.keys"), encoding: .utf8)
            let database = try Database.sqlite(path: data.appendingPathComponent("creneau.sqlite").path, logger: Logger(label: "test"))
            do {
                let store = SQLStore(database: database, cipher: try FieldCipher(keyRing: keys))
                for (first, last, birth, phone) in [("Inès", "Roux", LocalDate(year: 1990, month: 4, day: 4), "06 11 22 33 44"),
                                                    ("Marc", "Lambert", LocalDate(year: 1985, month: 9, day: 9), "06 22 33 44 55")] {
                    try await store.insert(Patient(id: UUID(), firstName: first, lastName: last, birthDate: try #require(birth), phone: phone, createdAt: Date()))
                }
                await database.shutdown()
            } catch {
                await database.shutdown()
                throw error
            }
            let today = LocalDate(Date(), in: Site.defaultZone)
            try await BrowserTests.scenario("waitlist.py", [server.url, server.shots, sms.directory.path, today.description, today.adding(days: 30).description])
            let measured = try? String(contentsOfFile: "\(server.shots)/waitlist-first-offer.txt", encoding: .utf8)
            print("scenario 8: first offer \(measured?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?") s after the cancellation")
            for name in ["waitlist-desk", "waitlist-offer-phone", "waitlist-accepted-phone", "waitlist-desk-after"] {
                #expect(FileManager.default.fileExists(atPath: "\(server.shots)/\(name).png"), "no screenshot \(name)")
            }
        }
    }
}
