import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// What an HTTP/1.1 server answered, as far as a sender cares: the status, and whether the
/// connection may carry the next request.
struct HTTPAnswer: Sendable, Equatable {
    var status: Int
    var keepAlive: Bool
}

enum HTTPExchangeError: Error, Equatable {
    /// The connection closed before the first byte of an answer: on a reused connection the
    /// server most likely dropped it while idle, and the request can go on a new one.
    case closedBeforeAnswer
    case closedMidAnswer
    case notHTTP
    case answerTooLarge
    case timedOut
}

/// Reads the answers of one kept-open HTTP/1.1 connection, one request at a time. An answer ends
/// after its `Content-Length` bytes; one without a length (chunked, or read to the end) is taken
/// at its status line and the connection is not reused, so nothing of it can be mistaken for the
/// next answer.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Exchange
    typealias OutboundOut = ByteBuffer

    struct Exchange: Sendable {
        let request: ByteBuffer
        let answer: EventLoopPromise<HTTPAnswer>
    }

    /// Headers larger than this are not an SMS gateway's answer.
    static let maximumHead = 16_384
    static let maximumBody = 1 << 20

    private var waiting: EventLoopPromise<HTTPAnswer>?
    private var received = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard waiting == nil else {
            // One request at a time: the pool never does otherwise.
            exchange.answer.fail(HTTPExchangeError.notHTTP)
            promise?.fail(HTTPExchangeError.notHTTP)
            return
        }
        waiting = exchange.answer
        received.clear()
        context.write(wrapOutboundOut(exchange.request), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard let promise = waiting else { return }
        do {
            guard let answer = try Self.parse(received) else { return }
            waiting = nil
            received.clear()
            promise.succeed(answer)
        } catch {
            waiting = nil
            promise.fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let promise = waiting {
            waiting = nil
            promise.fail(received.readableBytes == 0 ? HTTPExchangeError.closedBeforeAnswer : HTTPExchangeError.closedMidAnswer)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let promise = waiting {
            waiting = nil
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    /// The answer once all of it is in `bytes`; nil while more is to come.
    static func parse(_ bytes: ByteBuffer) throws -> HTTPAnswer? {
        let view = bytes.readableBytesView
        guard let headEnd = view.firstRange(of: [13, 10, 13, 10]) else {
            if view.count > maximumHead { throw HTTPExchangeError.answerTooLarge }
            return nil
        }
        let head = String(decoding: view[view.startIndex..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw HTTPExchangeError.notHTTP }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]), (100...599).contains(status) else {
            throw HTTPExchangeError.notHTTP
        }
        var length: Int?, keepAlive = statusLine[0] == "HTTP/1.1", chunked = false
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            switch name {
            case "content-length":
                guard let number = Int(value), number >= 0, number <= maximumBody else { throw HTTPExchangeError.answerTooLarge }
                length = number
            case "transfer-encoding": chunked = value != "identity"
            case "connection": keepAlive = value.contains("keep-alive") || (keepAlive && !value.contains("close"))
            default: break
            }
        }
        // 1xx answers (100 Continue) come before the real one; we never send Expect, so take it as odd but harmless.
        guard !chunked, let length else { return HTTPAnswer(status: status, keepAlive: false) }
        let bodyStart = view.distance(from: view.startIndex, to: headEnd.upperBound)
        guard view.count - bodyStart >= length else { return nil }
        return HTTPAnswer(status: status, keepAlive: keepAlive && view.count - bodyStart == length)
    }
}

/// HTTP/1.1 connections to one server kept open between requests, as a bulk sender should: each
/// request goes on an idle connection when one is fresh, else on a new one; a connection the
/// server closed while idle is replaced and the request sent again on the new one (the server
/// never saw it). At most `maximumIdle` connections wait for the next request; one idle longer
/// than `idleLifetime` is closed rather than reused.
actor HTTPKeepAlivePool {
    let host: String
    let port: Int
    let tlsContext: NIOSSLContext?
    let serverHostname: String?
    let group: any EventLoopGroup
    let maximumIdle: Int
    let idleLifetime: TimeInterval
    private var idle: [(channel: any Channel, since: Date)] = []

    init(host: String, port: Int, tlsContext: NIOSSLContext?, group: any EventLoopGroup, maximumIdle: Int = 16, idleLifetime: TimeInterval = 15) {
        self.host = host
        self.port = port
        self.tlsContext = tlsContext
        self.serverHostname = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
        self.group = group
        self.maximumIdle = maximumIdle
        self.idleLifetime = idleLifetime
    }

    /// Sends `request` (a whole HTTP/1.1 request) and returns the answer; throws
    /// `HTTPExchangeError.timedOut` when none came within `timeout` (the connection is closed).
    func exchange(_ request: ByteBuffer, timeout: TimeAmount) async throws -> HTTPAnswer {
        while let (channel, since) = idle.popLast() {
            guard channel.isActive, since.timeIntervalSinceNow > -idleLifetime else {
                channel.close(promise: nil)
                continue
            }
            do {
                return try await exchange(request, on: channel, timeout: timeout)
            } catch HTTPExchangeError.closedBeforeAnswer {
                break
            }
        }
        return try await exchange(request, on: try await connect(), timeout: timeout)
    }

    private func connect() async throws -> any Channel {
        let tlsContext = self.tlsContext, serverHostname = self.serverHostname
        return try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
                }
            }
            .connect(host: host, port: port)
            .get()
    }

    private func exchange(_ request: ByteBuffer, on channel: any Channel, timeout: TimeAmount) async throws -> HTTPAnswer {
        let answer = channel.eventLoop.makePromise(of: HTTPAnswer.self)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            answer.fail(HTTPExchangeError.timedOut)
            channel.close(promise: nil)
        }
        // A write that fails never reached the server: the request may go on another connection.
        channel.writeAndFlush(HTTPExchangeHandler.Exchange(request: request, answer: answer)).whenFailure { _ in
            answer.fail(HTTPExchangeError.closedBeforeAnswer)
        }
        let result: HTTPAnswer
        do {
            result = try await answer.futureResult.get()
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            throw error
        }
        timer.cancel()
        if result.keepAlive, idle.count < maximumIdle {
            idle.append((channel, Date()))
        } else {
            channel.close(promise: nil)
        }
        return result
    }

    /// Closes every idle connection, e.g. on shutdown.
    func closeAll() {
        for (channel, _) in idle { channel.close(promise: nil) }
        idle.removeAll()
    }
}
