import Foundation

/// A peer the tests start from `scripts/` (Debian's Python): it listens on 127.0.0.1, says
/// "ready PORT" on its standard output, records what it receives as JSON files in a folder of its
/// own, and stops when its standard input closes (so a crashed test never leaves it running).
public final class PeerProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    public let directory: URL
    public let port: Int

    public struct Failed: Error { public let message: String }

    public init(script name: String, arguments: [String] = [], hint: String = "") async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/\(name)")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, "--port", "0", "--out", directory.path] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // Waiting for the "ready" line blocks a thread: one of its own, not the tests' cooperative pool.
        let reader = output.fileHandleForReading
        let line: Data = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var line = Data()
                while !line.contains(UInt8(ascii: "\n")) {
                    let chunk = reader.availableData
                    guard !chunk.isEmpty else {
                        return continuation.resume(throwing: Failed(message: "\(name) exited before it was ready\(hint)"))
                    }
                    line += chunk
                }
                continuation.resume(returning: line)
            }
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ready "), let port = Int(text.dropFirst(6)) else { throw Failed(message: "\(name) said \(text)") }
        self.port = port
    }

    /// The JSON files recorded so far (not `mode.json`, a peer's instructions).
    public func records<T: Decodable>(_ type: T.Type) throws -> [T] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent != "mode.json" }
            .map { try JSONDecoder().decode(T.self, from: Data(contentsOf: $0)) }
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
