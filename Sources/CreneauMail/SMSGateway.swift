import CreneauDomain
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to post text messages: French aggregators all take an HTTP POST with the
/// number, the text and a sender name, authenticated by a header.
public struct SMSGatewayConfiguration: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable {
        /// `{"to": "+336…", "text": "…", "sender": "HOPITAL", "reference": "…"}`
        case json
        /// The same fields as `application/x-www-form-urlencoded`.
        case form
    }

    public var url: URL
    /// A whole header line, as the gateway asks: "Authorization: Bearer …", "X-Api-Key: …".
    public var authHeader: String?
    /// What the phone shows as the sender: up to 11 letters and digits (operators' rule).
    public var sender: String
    public var format: Format
    public var timeout: TimeAmount
    /// PEM certificates to trust instead of the system's.
    public var trustRootsFile: String?

    public init(url: URL, authHeader: String? = nil, sender: String = "Creneau", format: Format = .json, timeout: TimeAmount = .seconds(15),
                trustRootsFile: String? = nil) {
        self.url = url
        self.authHeader = authHeader
        self.sender = sender
        self.format = format
        self.timeout = timeout
        self.trustRootsFile = trustRootsFile
    }

    /// A sender name operators accept: 3 to 11 letters or digits, at least one letter.
    public static func isValidSender(_ name: String) -> Bool {
        (3...11).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } && name.contains(where: \.isLetter)
    }
}

/// Posts each SMS to the gateway over HTTP/1.1 (one connection per message, closed after the
/// answer; TLS for https). 2xx: sent. 408, 429 and 5xx: try again later. Another 4xx: the gateway
/// will never take it (given up at once).
public struct HTTPSMSGateway: SMSSender {
    public let configuration: SMSGatewayConfiguration
    let group: any EventLoopGroup

    public init(configuration: SMSGatewayConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    public func send(_ message: SMSMessage) async throws {
        let request = try Self.request(message, configuration: configuration)
        let configuration = self.configuration
        let status = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await self.exchange(request) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(configuration.timeout.nanoseconds))
                throw SMSError(status: nil, summary: "The SMS gateway did not answer in time.", isPermanent: false)
            }
            defer { group.cancelAll() }
            guard let status = try await group.next() else { throw SMSError(status: nil, summary: "No answer.", isPermanent: false) }
            return status
        }
        guard (200..<300).contains(status) else {
            let retryable = status == 408 || status == 429 || status >= 500
            throw SMSError(status: status, summary: "The SMS gateway answered \(status)", isPermanent: !retryable)
        }
    }

    /// The whole request, headers and body.
    static func request(_ message: SMSMessage, configuration: SMSGatewayConfiguration) throws -> String {
        let url = configuration.url
        guard let host = url.host, !host.isEmpty else { throw SMSError(status: nil, summary: "The SMS gateway address has no host.", isPermanent: true) }
        let fields: [(String, String)] = [("to", message.to), ("text", message.text), ("sender", configuration.sender), ("reference", message.reference)]
        let body: String, type: String
        switch configuration.format {
        case .json:
            let object = Dictionary(uniqueKeysWithValues: fields)
            body = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            type = "application/json; charset=utf-8"
        case .form:
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            type = "application/x-www-form-urlencoded"
        }
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?\(query)" }
        let defaultPort = url.scheme == "https" ? 443 : 80
        var lines = [
            "POST \(path) HTTP/1.1",
            "Host: \(host)\(url.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")",
            "User-Agent: Creneau",
            "Content-Type: \(type)",
            "Content-Length: \(body.utf8.count)",
            "Accept: application/json",
            "Connection: close",
        ]
        if let header = configuration.authHeader, !header.isEmpty {
            guard !header.contains(where: \.isNewline), header.contains(":") else {
                throw SMSError(status: nil, summary: "The SMS gateway's authentication header must be one line, “Name: value”.", isPermanent: true)
            }
            lines.append(header)
        }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Sends the request and reads the answer's status line (the body is read and dropped).
    private func exchange(_ request: String) async throws -> Int {
        let url = configuration.url
        let secure = url.scheme == "https"
        guard let host = url.host else { throw SMSError(status: nil, summary: "The SMS gateway address has no host.", isPermanent: true) }
        let port = url.port ?? (secure ? 443 : 80)
        var tlsContext: NIOSSLContext?
        if secure {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let file = configuration.trustRootsFile { tls.trustRoots = .file(file) }
            tlsContext = try NIOSSLContext(configuration: tls)
        }
        let hostname = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: hostname))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMSError(status: nil, summary: "The SMS gateway could not be reached.", isPermanent: false)
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received: [UInt8] = []
            for try await var buffer in inbound {
                received += buffer.readBytes(length: buffer.readableBytes) ?? []
                if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
                    return try Self.status(String(decoding: received[..<end], as: UTF8.self))
                }
                guard received.count < 8_192 else { break }
            }
            throw SMSError(status: nil, summary: "The SMS gateway closed the connection without an answer.", isPermanent: false)
        }
    }

    /// "HTTP/1.1 202 Accepted" → 202.
    static func status(_ line: String) throws -> Int {
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]), (100...599).contains(code) else {
            throw SMSError(status: nil, summary: "The SMS gateway's answer is not HTTP.", isPermanent: false)
        }
        return code
    }
}
