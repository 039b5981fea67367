import Foundation

/// `scripts/smtp-peer.py`: a real SMTP server (Python's aiosmtpd, from Debian's
/// python3-aiosmtpd) that records what it understood of each message as JSON.
public final class SMTPPeer: @unchecked Sendable {
    let peer: PeerProcess
    public var port: Int { peer.port }

    public struct Received: Decodable, Sendable {
        public let mail_from: String
        public let rcpt_tos: [String]
        public let tls: Bool
        /// The client's port: messages with the same one came over one connection.
        public let client_port: Int
        public let authenticated: Bool
        public let subject: String
        public let from: String
        public let to: String
        public let date: String
        public let message_id: String
        public let content_type: String
        public let charset: String?
        public let body: String
        public let html: String?
        public let attachments: [Attachment]?
        public let defects: [String]
        public let max_line_length: Int
    }

    public struct Attachment: Decodable, Sendable {
        public let content_type: String
        public let filename: String?
        public let method: String?
        public let content: String?
    }

    public init(tlsCertificate: (cert: String, key: String)? = nil, auth: String? = nil) async throws {
        var arguments: [String] = []
        if let tlsCertificate { arguments += ["--tls-cert", tlsCertificate.cert, "--tls-key", tlsCertificate.key] }
        if let auth { arguments += ["--auth", auth] }
        peer = try await PeerProcess(script: "smtp-peer.py", arguments: arguments, hint: " (is python3-aiosmtpd installed?)")
    }

    public typealias PeerFailed = PeerProcess.Failed

    /// The messages received so far, waiting up to two seconds for `count` of them.
    public func received(count: Int = 1) async throws -> [Received] {
        for _ in 0..<200 {
            let received = try peer.records(Received.self)
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(10))
        }
        return []
    }

    /// Every message received so far, without waiting.
    public func all() throws -> [Received] { try peer.records(Received.self) }

    public func stop() { peer.stop() }

    /// A self-signed certificate for "localhost" made with openssl.
    public static func makeCertificate() async throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let openssl = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/openssl"),
                                                 ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                                                  "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], timeout: 60)
        guard openssl.status == 0 else { throw PeerFailed(message: "openssl could not make a certificate") }
        return (cert, key)
    }
}
