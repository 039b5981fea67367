import Foundation

/// `scripts/smtp-peer.py`: a real SMTP server (Python's aiosmtpd, from Debian's
/// python3-aiosmtpd) that records what it understood of each message as JSON.
final class SMTPPeer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let directory: URL
    private(set) var port = 0

    struct Received: Decodable {
        let mail_from: String
        let rcpt_tos: [String]
        let tls: Bool
        let authenticated: Bool
        let subject: String
        let from: String
        let to: String
        let date: String
        let message_id: String
        let content_type: String
        let charset: String?
        let body: String
        let html: String?
        let attachments: [Attachment]?
        let defects: [String]
        let max_line_length: Int
    }

    struct Attachment: Decodable {
        let content_type: String
        let filename: String?
        let method: String?
        let content: String?
    }

    init(tlsCertificate: (cert: String, key: String)? = nil, auth: String? = nil) throws {
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

    struct PeerFailed: Error { let message: String }

    /// The messages received so far, waiting up to two seconds for `count` of them.
    func received(count: Int = 1) async throws -> [Received] {
        for _ in 0..<200 {
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
            if files.count >= count {
                return try files.map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: $0)) }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return []
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A self-signed certificate for "localhost" made with openssl.
    static func makeCertificate() throws -> (cert: String, key: String) {
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
