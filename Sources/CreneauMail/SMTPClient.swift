import CreneauDomain
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to hand email over: a hospital's relay (often port 25 on the internal
/// network, no TLS) or a submission server (587 with STARTTLS, or 465 with TLS) with a login.
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// Plain TCP: only for a relay on a trusted network or this machine.
        case none
        /// Upgrade with STARTTLS (RFC 3207) before anything else; refuse a server that cannot.
        case startTLS = "starttls"
        /// TLS from the first byte (RFC 8314, port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name this host gives in EHLO.
    public var heloName: String
    /// PEM certificates to trust instead of the system's (a hospital's private CA).
    public var trustRootsFile: String?
    /// One whole delivery, connection included.
    public var timeout: TimeAmount

    public init(
        host: String, port: Int, security: Security = .none, username: String? = nil, password: String? = nil,
        heloName: String = "creneau.localhost", trustRootsFile: String? = nil, timeout: TimeAmount = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.trustRootsFile = trustRootsFile
        self.timeout = timeout
    }
}

/// Why a delivery failed. `isPermanent` (a 5xx reply) means retrying will not help.
public enum SMTPError: Error, Equatable, CustomStringConvertible {
    case unexpectedReply(command: String, code: Int, text: String)
    case startTLSUnavailable
    case authenticationUnavailable
    /// Credentials are never sent in clear to another machine.
    case cleartextCredentials
    case connectionClosed
    case timedOut
    case lineTooLong

    public var isPermanent: Bool {
        switch self {
        case .unexpectedReply(_, let code, _): code >= 500
        case .startTLSUnavailable, .authenticationUnavailable, .cleartextCredentials: true
        case .connectionClosed, .timedOut, .lineTooLong: false
        }
    }

    /// For logs: the reply's text is left out, since servers echo addresses in it.
    public var summary: String {
        if case .unexpectedReply(let command, let code, _) = self { return "\(command) answered \(code)" }
        return description
    }

    public var description: String {
        switch self {
        case .unexpectedReply(let command, let code, let text): "The mail server answered \(command) with \(code) \(text)"
        case .startTLSUnavailable: "The mail server does not offer STARTTLS, which the configuration requires."
        case .authenticationUnavailable: "The mail server offers neither AUTH PLAIN nor AUTH LOGIN."
        case .cleartextCredentials: "Refusing to send the SMTP password without TLS to a server that is not on this machine."
        case .connectionClosed: "The mail server closed the connection."
        case .timedOut: "The mail server did not answer in time."
        case .lineTooLong: "The mail server sent a line longer than SMTP allows."
        }
    }
}

/// A small SMTP client (RFC 5321): one message per connection, EHLO, STARTTLS, AUTH
/// PLAIN or LOGIN, MAIL/RCPT/DATA with dot-stuffing, QUIT.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup

    public init(configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Delivers one rendered message (`MIMEMessage.render`) to one recipient.
    public func send(rendered: String, from: String, to: String) async throws {
        let configuration = self.configuration
        let tlsContext = try configuration.security == .none ? nil : Self.tlsContext(configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.deliver(rendered: rendered, from: from, to: to, tlsContext: tlsContext)
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(configuration.timeout.nanoseconds))
                throw SMTPError.timedOut
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    static func tlsContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustRootsFile { tls.trustRoots = .file(file) }
        return try NIOSSLContext(configuration: tls)
    }

    /// The name to check the certificate against (SNI cannot carry an IP address).
    var serverHostname: String? {
        configuration.host.contains(":") || configuration.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : configuration.host
    }

    var isLoopback: Bool { ["localhost", "127.0.0.1", "::1"].contains(configuration.host) }

    private func deliver(rendered: String, from: String, to: String, tlsContext: NIOSSLContext?) async throws {
        try await withSession(tlsContext: tlsContext) { conversation in
            try await Self.transaction(&conversation, rendered: rendered, from: from, to: to)
        }
    }

    /// Connects, reads the greeting, says EHLO, upgrades with STARTTLS and signs in as configured,
    /// runs `body` on the conversation (one message or many), then QUIT and close.
    func withSession<R: Sendable>(tlsContext: NIOSSLContext?, _ body: (inout SMTPConversation) async throws -> R) async throws -> R {
        let configuration = self.configuration
        let implicitTLS = configuration.security == .tls
        let hostname = serverHostname
        let isLoopback = self.isLoopback
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS, let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: hostname))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var conversation = SMTPConversation(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await conversation.expect("greeting", [220])
            var extensions = try await conversation.ehlo(configuration.heloName)

            if configuration.security == .startTLS {
                guard extensions.contains("STARTTLS") else { throw SMTPError.startTLSUnavailable }
                try await conversation.command("STARTTLS", expect: [220])
                guard let tlsContext else { throw SMTPError.startTLSUnavailable }
                // Nothing is in flight: the server waits for our ClientHello.
                try await channel.channel.eventLoop.submit {
                    try channel.channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: tlsContext, serverHostname: hostname), position: .first)
                }.get()
                extensions = try await conversation.ehlo(configuration.heloName)
            }

            if let username = configuration.username, let password = configuration.password {
                guard configuration.security != .none || isLoopback else { throw SMTPError.cleartextCredentials }
                try await conversation.authenticate(username: username, password: password, extensions: extensions)
            }
            let result = try await body(&conversation)
            // The messages are accepted; a failed QUIT changes nothing.
            try? await conversation.command("QUIT", expect: [221])
            return result
        }
    }

    /// One message on an open session: MAIL, RCPT, DATA, the dot-stuffed message, and its 250.
    /// A failure before the message is sent is `SMTPSessionFailure.beforeMessage` (nothing can have
    /// been delivered: safe to try again on another connection).
    static func transaction(_ conversation: inout SMTPConversation, rendered: String, from: String, to: String) async throws {
        do {
            try await conversation.command("MAIL FROM:<\(from)>", expect: [250])
        } catch let error as SMTPError where !error.isPermanent {
            throw SMTPSessionFailure.beforeMessage(error)
        }
        try await conversation.command("RCPT TO:<\(to)>", expect: [250, 251])
        try await conversation.command("DATA", expect: [354])
        try await conversation.send(Self.dotStuffed(rendered) + ".\r\n")
        try await conversation.expect("message", [250])
    }

    /// RFC 5321 §4.5.2: a line that starts with "." gets one more, so no line of the
    /// message can end the DATA. Lines end in CRLF.
    static func dotStuffed(_ text: String) -> String {
        var lines = text.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n"
    }
}

/// One SMTP reply: its code and the text of its lines.
struct SMTPReply {
    var code: Int
    var lines: [String]
}

/// The client's half of a conversation: writes commands, reads (multi-line) replies.
struct SMTPConversation {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending: [UInt8] = []

    mutating func readLine() async throws -> String {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<end])
                pending.removeSubrange(...end)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard pending.count < 4_096 else { throw SMTPError.lineTooLong }
            guard var buffer = try await inbound.next() else { throw SMTPError.connectionClosed }
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
    }

    /// "250-first\r\n250-second\r\n250 last": lines with "-" after the code continue.
    mutating func reply() async throws -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try await readLine()
            let utf8 = Array(line.utf8)
            guard utf8.count >= 3, let code = Int(String(decoding: utf8[0..<3], as: UTF8.self)) else {
                throw SMTPError.unexpectedReply(command: "reply", code: 0, text: String(line.prefix(200)))
            }
            lines.append(utf8.count > 4 ? String(decoding: utf8[4...], as: UTF8.self) : "")
            if utf8.count < 4 || utf8[3] != UInt8(ascii: "-") { return SMTPReply(code: code, lines: lines) }
        }
    }

    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    @discardableResult
    mutating func expect(_ what: String, _ codes: Set<Int>) async throws -> SMTPReply {
        let reply = try await reply()
        guard codes.contains(reply.code) else {
            throw SMTPError.unexpectedReply(command: what, code: reply.code, text: String(reply.lines.joined(separator: " ").prefix(300)))
        }
        return reply
    }

    @discardableResult
    mutating func command(_ line: String, named name: String? = nil, expect codes: Set<Int>) async throws -> SMTPReply {
        try await send(line + "\r\n")
        // Errors name the verb only: arguments may hold addresses or credentials.
        return try await expect(name ?? String(line.prefix(while: { $0 != " " && $0 != ":" })), codes)
    }

    /// The server's extensions, upper-cased keywords with their parameters ("AUTH PLAIN LOGIN").
    mutating func ehlo(_ name: String) async throws -> Set<String> {
        let reply = try await command("EHLO \(name)", expect: [250])
        var extensions: Set<String> = []
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            guard let keyword = words.first else { continue }
            extensions.insert(String(keyword))
            for parameter in words.dropFirst() { extensions.insert("\(keyword) \(parameter)") }
        }
        return extensions
    }

    mutating func authenticate(username: String, password: String, extensions: Set<String>) async throws {
        if extensions.contains("AUTH PLAIN") {
            let credentials = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await command("AUTH PLAIN \(credentials)", named: "AUTH", expect: [235])
        } else if extensions.contains("AUTH LOGIN") {
            try await command("AUTH LOGIN", expect: [334])
            try await command(Data(username.utf8).base64EncodedString(), named: "AUTH", expect: [334])
            try await command(Data(password.utf8).base64EncodedString(), named: "AUTH", expect: [235])
        } else {
            throw SMTPError.authenticationUnavailable
        }
    }
}
