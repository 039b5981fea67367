import Foundation

/// `scripts/sms-peer.py`: a local HTTP server standing for an SMS gateway. It records each
/// POST as JSON and answers as `answer(status:delay:)` last said (accept, fail, 429, slow).
public final class SMSPeer: @unchecked Sendable {
    let peer: PeerProcess
    public var port: Int { peer.port }
    public var directory: URL { peer.directory }

    public struct Received: Decodable, Sendable {
        public let path: String
        public let authorization: String?
        public let content_type: String
        public let fields: [String: String]
        public let parsed: Bool
        public let status: Int
        public let at: Double
        public let client_port: Int
    }

    public init() async throws { peer = try await PeerProcess(script: "sms-peer.py") }

    public var url: URL { URL(string: "http://127.0.0.1:\(port)/v1/messages")! }

    /// How the gateway answers from now on.
    /// `drop`: close each connection right after answering, as if keeping it (a gateway dropping idle clients).
    public func answer(status: Int = 202, delay: Double = 0, drop: Bool = false) throws {
        let data = try JSONSerialization.data(withJSONObject: ["status": status, "delay": delay, "drop": drop] as [String: Any])
        try data.write(to: directory.appendingPathComponent("mode.json"), options: .atomic)
    }

    /// Every request received so far, oldest first, waiting up to five seconds for `count` of them.
    public func received(count: Int = 0) async throws -> [Received] {
        var all: [Received] = []
        for _ in 0..<500 {
            all = try peer.records(Received.self).sorted { $0.at < $1.at }
            if all.count >= count { return all }
            try await Task.sleep(for: .milliseconds(10))
        }
        return all
    }

    public func stop() { peer.stop() }
}
