import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

/// At least once, never lost: `creneau worker` is killed with SIGKILL while it sends, started
/// again, and every message reaches the SMTP peer (aiosmtpd) under its one Message-ID.
@Suite("Sender crash: kill -9 mid-dispatch, restart, every message delivered under one Message-ID", .serialized)
struct SenderCrashTests {
    func worker(_ test: TestDatabase, smtpPort: Int, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = ServerProcessTests.executable
        process.arguments = ["worker"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CRENEAU_DATABASE_PATH": test.sqlitePath ?? "", "CRENEAU_ENCRYPTION_KEYS": test.keyRing,
            "CRENEAU_SMTP_URL": "smtp://127.0.0.1:\(smtpPort)", "CRENEAU_MAIL_FROM": "rdv@hopital.test",
            "CRENEAU_SMS_DIR": log.deletingLastPathComponent().appendingPathComponent("sms").path,
            // A short lease: what the killed worker had taken is due again 3 s later.
            "CRENEAU_OUTBOX_LEASE_SECONDS": "5",
        ]) { $1 }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    @Test("400 emails, the worker killed after the first ones, restarted: all 400 delivered, repeats carry the same Message-ID, none left")
    func killAndRestart() async throws {
        // The worker opens the test's database file; on PostgreSQL the two-instance test covers the senders.
        guard TestDatabase.engine == .sqlite, Peers.smtp else { return }
        try await TestDatabase.with { test in
            let smtp = try await SMTPPeer()
            defer { smtp.stop() }
            let now = Date()
            var expected: Set<String> = []
            for n in 0..<400 {
                let message = OutboxMessage(id: UUID(), dedupeKey: "crash:\(n)", email: EmailMessage(to: "p\(n)@example.org", subject: "Message \(n)", text: "n° \(n)"),
                                            nextAttemptAt: now, createdAt: now)
                #expect(try await test.store.enqueue(message))
                expected.insert("<\(message.messageID)>")
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }

            let first = try worker(test, smtpPort: smtp.port, log: folder.appendingPathComponent("first.log"))
            var seen = 0
            for _ in 0..<600 where seen < 40 {
                try await Task.sleep(for: .milliseconds(20))
                seen = try smtp.all().count
            }
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            #expect(first.terminationReason == .uncaughtSignal)
            let atKill = try smtp.all().count
            #expect(atKill > 0 && atKill < 400, "the worker sent \(atKill) before it was killed")

            let second = try worker(test, smtpPort: smtp.port, log: folder.appendingPathComponent("second.log"))
            defer { second.terminate(); second.waitUntilExit() }
            var received: [SMTPPeer.Received] = []
            for _ in 0..<600 {
                received = try smtp.all()
                if Set(received.map(\.message_id)) == expected { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(Set(received.map(\.message_id)) == expected)
            // A repeat (sent, then killed before it was marked) arrives with the Message-ID it had: the receiver drops it.
            let repeats = received.count - expected.count
            #expect(repeats >= 0 && repeats <= 50, "\(repeats) repeats")
            for (id, copies) in Dictionary(grouping: received, by: \.message_id) where copies.count > 1 {
                #expect(Set(copies.map(\.rcpt_tos)).count == 1, "\(id) went to two recipients")
            }
            // Every row marked sent in the end.
            for _ in 0..<50 {
                if try await test.rows("SELECT id FROM outbox_messages WHERE state <> 'sent'").isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await test.rows("SELECT id FROM outbox_messages WHERE state <> 'sent'").isEmpty)
        }
    }
}
