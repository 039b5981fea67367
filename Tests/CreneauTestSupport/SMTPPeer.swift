import Foundation

/// `scripts/smtp-peer.py`: a real SMTP server (Python's aiosmtpd, from Debian's
/// python3-aiosmtpd) that records what it understood of each message as JSON.
public final class SMTPPeer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let directory: URL
    public private(set) var port = 0

    public struct Received: Decodable, Sendable {
        public let mail_from: String
        public let rcpt_tos: [String]
        public let tls: Bool
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

    public init(tlsCertificate: (cert: String, key: String)? = nil, auth: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/smtp-peer.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var arguments = [script.path, "--port", "0", "--out", directory.path]
        if let tlsCertificate { arguments += ["--tls-cert", tlsCertificate.cert, "--tls-key", tlsCertificate.key] }
        if let auth { arguments += ["--auth", auth] }
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // "ready PORT" once listening.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerFailed(message: "smtp-peer.py exited before it was ready (is python3-aiosmtpd installed?)") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ready "), let port = Int(text.dropFirst(6)) else { throw PeerFailed(message: "smtp-peer.py said \(text)") }
        self.port = port
    }

    public struct PeerFailed: Error { public let message: String }

    /// The messages received so far, waiting up to two seconds for `count` of them.
    public func received(count: Int = 1) async throws -> [Received] {
        for _ in 0..<200 {
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
            if files.count >= count {
                return try files.map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: $0)) }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return []
    }

    /// Every message received so far, without waiting.
    public func all() throws -> [Received] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
            .map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: $0)) }
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A self-signed certificate for "localhost" made with openssl.
    public static func makeCertificate() throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw PeerFailed(message: "openssl could not make a certificate") }
        return (cert, key)
    }
}
