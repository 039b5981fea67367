import CreneauDomain
import Foundation
import Logging
import NIOCore
import NIOPosix
import CreneauTestSupport
import Testing

@testable import CreneauMail

@Suite("SMTP client against a real SMTP server (aiosmtpd)", .enabled(if: Peers.smtp, Comment(rawValue: Peers.smtpMissing)))
struct SMTPClientTests {
    static let from = try! MIMEMessage.Mailbox("Hôpital Avoine — rendez-vous <rdv@avoine.example.fr>")

    static let accented = EmailMessage(
        to: "lea.martin@example.org",
        subject: "Votre code de connexion : 042917 — valable 10 minutes, ne le donnez à personne, même à l'accueil",
        text: """
            Bonjour Léa,

            Votre rendez-vous de cardiologie est confirmé. Voici une très longue ligne qui dépasse largement soixante-seize caractères et doit être coupée proprement.
            .Une ligne qui commence par un point ne doit pas terminer le message.
            .
            Espaces à la fin   \("")
            Égalité = 100 % ✓
            """)

    @Test("a plain relay: UTF-8 subject and body, long lines, leading dots and trailing spaces arrive as written")
    func plainRelay() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let mailer = try SMTPMailer(client: SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: peer.port)), from: Self.from)

        try await mailer.send(Self.accented)

        let received = try #require(try await peer.received().first)
        #expect(received.mail_from == "rdv@avoine.example.fr")
        #expect(received.rcpt_tos == ["lea.martin@example.org"])
        #expect(received.subject == Self.accented.subject)
        #expect(received.from == "Hôpital Avoine — rendez-vous <rdv@avoine.example.fr>")
        #expect(received.to == "lea.martin@example.org")
        #expect(received.content_type == "text/plain")
        #expect(received.charset == "utf-8")
        #expect(received.body.replacingOccurrences(of: "\r\n", with: "\n") == Self.accented.text + "\n")
        #expect(received.defects.isEmpty)
        #expect(received.max_line_length <= 78)
        #expect(received.tls == false && received.authenticated == false)
        #expect(received.message_id.hasSuffix("@avoine.example.fr>"))
        #expect(!received.date.isEmpty)
    }

    @Test("STARTTLS with a private CA, then AUTH: the server sees TLS and a signed-in client")
    func startTLSAndAuth() async throws {
        let certificate = try await SMTPPeer.makeCertificate()
        let peer = try await SMTPPeer(tlsCertificate: certificate, auth: "creneau:relay-secret-2026")
        defer { peer.stop() }
        let configuration = SMTPConfiguration(
            host: "localhost", port: peer.port, security: .startTLS, username: "creneau", password: "relay-secret-2026",
            trustRootsFile: certificate.cert)
        let mailer = try SMTPMailer(client: SMTPClient(configuration: configuration), from: Self.from)

        try await mailer.send(EmailMessage(to: "hugo@example.org", subject: "Test", text: "Bonjour"))

        let received = try #require(try await peer.received().first)
        #expect(received.tls && received.authenticated)
        #expect(received.body.replacingOccurrences(of: "\r\n", with: "\n") == "Bonjour\n")
    }

    @Test("a wrong SMTP password is a permanent failure naming AUTH, never the credentials")
    func wrongPassword() async throws {
        let certificate = try await SMTPPeer.makeCertificate()
        let peer = try await SMTPPeer(tlsCertificate: certificate, auth: "creneau:relay-secret-2026")
        defer { peer.stop() }
        let configuration = SMTPConfiguration(
            host: "localhost", port: peer.port, security: .startTLS, username: "creneau", password: "not-the-password",
            trustRootsFile: certificate.cert)
        let mailer = try SMTPMailer(client: SMTPClient(configuration: configuration), from: Self.from)

        let error = try #require(await #expect(throws: SMTPError.self) {
            try await mailer.send(EmailMessage(to: "hugo@example.org", subject: "Test", text: "Bonjour"))
        })
        guard case .unexpectedReply(let command, let code, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(command == "AUTH" && code == 535 && error.isPermanent)
        #expect(!error.summary.contains("not-the-password"))
        #expect(try await peer.received(count: 1).isEmpty)
    }

    @Test("kept-open connections: messages one after the other share one connection, concurrent ones open more, an idle one is replaced, all arrive")
    func reusedConnections() async throws {
        guard Peers.smtp else { return }
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: peer.port))
        let pool = try SMTPSessionPool(client: client, maximumIdle: 0.5)
        func render(_ n: Int) throws -> String {
            try MIMEMessage.render(EmailMessage(to: "p\(n)@example.org", subject: "Message \(n)", text: "n° \(n)"), from: Self.from, date: Date(),
                                   messageID: "m\(n)@creneau")
        }
        for n in 0..<5 { try await pool.send(rendered: try render(n), from: Self.from.address, to: "p\(n)@example.org") }
        let sequential = try await peer.received(count: 5)
        #expect(sequential.count == 5 && Set(sequential.map(\.client_port)).count == 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 5..<13 { group.addTask { try await pool.send(rendered: try render(n), from: Self.from.address, to: "p\(n)@example.org") } }
            try await group.waitForAll()
        }
        let all = try await peer.received(count: 13)
        #expect(all.count == 13 && Set(all.map(\.message_id)).count == 13 && all.allSatisfy { $0.defects.isEmpty })
        try await Task.sleep(for: .seconds(1))
        try await pool.send(rendered: try render(13), from: Self.from.address, to: "p13@example.org")
        let last = try #require(try await peer.received(count: 14).first { $0.message_id == "<m13@creneau>" })
        #expect(!Set(all.map(\.client_port)).contains(last.client_port))
        await pool.closeAll()
    }

    @Test("a certificate nobody vouches for is refused (no delivery over an unverified TLS)")
    func untrustedCertificate() async throws {
        let certificate = try await SMTPPeer.makeCertificate()
        let peer = try await SMTPPeer(tlsCertificate: certificate)
        defer { peer.stop() }
        let mailer = try SMTPMailer(
            client: SMTPClient(configuration: SMTPConfiguration(host: "localhost", port: peer.port, security: .startTLS)), from: Self.from)
        await #expect(throws: (any Error).self) {
            try await mailer.send(EmailMessage(to: "hugo@example.org", subject: "Test", text: "Bonjour"))
        }
        #expect(try await peer.received(count: 1).isEmpty)
    }

    @Test("STARTTLS required but not offered: refused before any address is sent")
    func startTLSRequired() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let mailer = try SMTPMailer(
            client: SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: peer.port, security: .startTLS)), from: Self.from)
        await #expect(throws: SMTPError.startTLSUnavailable) {
            try await mailer.send(EmailMessage(to: "hugo@example.org", subject: "Test", text: "Bonjour"))
        }
    }

    @Test("a server that never answers times out instead of hanging the queue")
    func timeout() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // Accepts connections and says nothing.
        let silent = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, timeout: .milliseconds(300)))
        let started = ContinuousClock.now
        await #expect(throws: SMTPError.timedOut) {
            try await client.send(rendered: "Subject: x\r\n\r\nx\r\n", from: "a@example.org", to: "b@example.org")
        }
        // Far below the 30-second default: the configured timeout, not some other limit, ended it
        // (the bound is loose on purpose: a busy CI machine is slow, a hang is forever).
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}

@Suite("MIME rendering and the mail queue")
struct MIMEAndQueueTests {
    @Test("a line break in a subject or an address cannot add headers")
    func headerInjection() throws {
        let from = try MIMEMessage.Mailbox("rdv@avoine.example.fr")
        #expect(throws: MIMEMessage.InvalidHeader.self) {
            try MIMEMessage.render(EmailMessage(to: "a@example.org", subject: "Hi\r\nBcc: all@example.org", text: "x"), from: from, date: Date(), messageID: "1@x")
        }
        #expect(throws: MIMEMessage.InvalidHeader.self) {
            try MIMEMessage.render(EmailMessage(to: "a@example.org\r\nBcc: b@example.org", subject: "Hi", text: "x"), from: from, date: Date(), messageID: "1@x")
        }
        #expect(throws: MIMEMessage.InvalidHeader.self) { try MIMEMessage.Mailbox("Léa <léa@example.org>") }
    }

    @Test("dot-stuffing doubles leading dots only")
    func dotStuffing() {
        #expect(SMTPClient.dotStuffed("a\r\n.b\r\n.\r\nc.d\r\n") == "a\r\n..b\r\n..\r\nc.d\r\n")
    }

    @Test("RFC 5322 dates")
    func dates() {
        #expect(MIMEMessage.rfc5322Date(Date(timeIntervalSince1970: 1_795_420_800)) == "Mon, 23 Nov 2026 08:00:00 +0000")
    }
}
