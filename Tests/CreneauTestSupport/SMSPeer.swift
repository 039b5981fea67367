import Foundation

/// `scripts/sms-peer.py`: a local HTTP server standing for an SMS gateway. It records each
/// POST as JSON and answers as `answer(status:delay:)` last said (accept, fail, 429, slow).
public final class SMSPeer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    public let directory: URL
    public private(set) var port = 0

    public struct Received: Decodable, Sendable {
        public let path: String
        public let authorization: String?
        public let content_type: String
        public let fields: [String: String]
        public let parsed: Bool
        public let status: Int
        public let at: Double
    }

    public struct PeerFailed: Error { public let message: String }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-sms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/sms-peer.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, "--port", "0", "--out", directory.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerFailed(message: "sms-peer.py exited before it was ready") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ready "), let port = Int(text.dropFirst(6)) else { throw PeerFailed(message: "sms-peer.py said \(text)") }
        self.port = port
    }

    public var url: URL { URL(string: "http://127.0.0.1:\(port)/v1/messages")! }

    /// How the gateway answers from now on.
    public func answer(status: Int = 202, delay: Double = 0) throws {
        let data = try JSONSerialization.data(withJSONObject: ["status": status, "delay": delay])
        try data.write(to: directory.appendingPathComponent("mode.json"), options: .atomic)
    }

    /// Every request received so far, oldest first, waiting up to five seconds for `count` of them.
    public func received(count: Int = 0) async throws -> [Received] {
        var all: [Received] = []
        for _ in 0..<500 {
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" && $0.lastPathComponent != "mode.json" }
            all = try files.map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: $0)) }.sorted { $0.at < $1.at }
            if all.count >= count { return all }
            try await Task.sleep(for: .milliseconds(10))
        }
        return all
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
