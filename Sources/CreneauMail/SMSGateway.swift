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

/// Posts each SMS to the gateway over HTTP/1.1, on connections kept open between messages (TLS
/// for https, negotiated once per connection). 2xx: sent. 408, 429 and 5xx: try again later.
/// Another 4xx: the gateway will never take it (given up at once).
public struct HTTPSMSGateway: SMSSender {
    public let configuration: SMSGatewayConfiguration
    let pool: HTTPKeepAlivePool

    public init(configuration: SMSGatewayConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        let url = configuration.url
        guard let host = url.host, !host.isEmpty else { throw SMSError(status: nil, summary: "The SMS gateway address has no host.", isPermanent: true) }
        let secure = url.scheme == "https"
        var tlsContext: NIOSSLContext?
        if secure {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let file = configuration.trustRootsFile { tls.trustRoots = .file(file) }
            tlsContext = try NIOSSLContext(configuration: tls)
        }
        self.configuration = configuration
        self.pool = HTTPKeepAlivePool(host: host, port: url.port ?? (secure ? 443 : 80), tlsContext: tlsContext, group: group)
    }

    public func send(_ message: SMSMessage) async throws {
        let request = try Self.request(message, configuration: configuration)
        let status: Int
        do {
            status = try await pool.exchange(ByteBuffer(string: request), timeout: configuration.timeout).status
        } catch let error as HTTPExchangeError {
            switch error {
            case .timedOut: throw SMSError(status: nil, summary: "The SMS gateway did not answer in time.", isPermanent: false)
            case .closedBeforeAnswer, .closedMidAnswer: throw SMSError(status: nil, summary: "The SMS gateway closed the connection without an answer.", isPermanent: false)
            case .notHTTP, .answerTooLarge: throw SMSError(status: nil, summary: "The SMS gateway's answer is not HTTP.", isPermanent: false)
            }
        } catch {
            throw SMSError(status: nil, summary: "The SMS gateway could not be reached.", isPermanent: false)
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
        ]
        if let header = configuration.authHeader, !header.isEmpty {
            guard !header.contains(where: \.isNewline), header.contains(":") else {
                throw SMSError(status: nil, summary: "The SMS gateway's authentication header must be one line, “Name: value”.", isPermanent: true)
            }
            lines.append(header)
        }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}
