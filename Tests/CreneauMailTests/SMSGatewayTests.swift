@testable import CreneauMail
import CreneauDomain
import CreneauTestSupport
import Foundation
import NIOCore
import Testing

@Suite("SMS gateway over kept-open HTTP/1.1 connections")
struct SMSGatewayTests {
    static func answer(_ text: String) throws -> HTTPAnswer? {
        try HTTPExchangeHandler.parse(ByteBuffer(string: text))
    }

    @Test("an answer ends after its Content-Length; without one the connection is not reused")
    func parsing() throws {
        #expect(try Self.answer("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}") == HTTPAnswer(status: 202, keepAlive: true))
        #expect(try Self.answer("HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\n{}") == nil)
        #expect(try Self.answer("HTTP/1.1 202 Accepted\r\nContent-Le") == nil)
        #expect(try Self.answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n") == HTTPAnswer(status: 200, keepAlive: false))
        #expect(try Self.answer("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == HTTPAnswer(status: 200, keepAlive: false))
        #expect(try Self.answer("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n") == HTTPAnswer(status: 200, keepAlive: true))
        #expect(try Self.answer("HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello") == HTTPAnswer(status: 500, keepAlive: false))
        // More bytes than announced: something is off, the connection is not trusted again.
        #expect(try Self.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra") == HTTPAnswer(status: 200, keepAlive: false))
        #expect(throws: HTTPExchangeError.notHTTP) { try Self.answer("SSH-2.0-OpenSSH\r\n\r\n") }
        #expect(throws: HTTPExchangeError.answerTooLarge) { try Self.answer("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n") }
        #expect(throws: HTTPExchangeError.answerTooLarge) { try Self.answer("HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: 1\r\n", count: 2_000)) }
    }

    @Test("messages one after the other share one connection; a gateway that drops it is met with a new one and each SMS arrives once")
    func keepAlive() async throws {
        let peer = try await SMSPeer()
        defer { peer.stop() }
        let gateway = try HTTPSMSGateway(configuration: SMSGatewayConfiguration(url: peer.url, sender: "HOPITAL", timeout: .seconds(5)))
        for n in 0..<5 {
            try await gateway.send(SMSMessage(to: "+33612345678", text: "Rappel \(n)", reference: "keep-\(n)"))
        }
        let kept = try await peer.received(count: 5)
        #expect(kept.count == 5 && Set(kept.map(\.client_port)).count == 1)

        try peer.answer(status: 202, drop: true)
        for n in 0..<4 {
            try await gateway.send(SMSMessage(to: "+33612345678", text: "Rappel \(n)", reference: "drop-\(n)"))
            // Let the peer's close arrive sometimes before, sometimes after, the next message.
            if n % 2 == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        let all = try await peer.received(count: 9)
        let dropped = all.filter { $0.fields["reference"]?.hasPrefix("drop-") == true }
        #expect(dropped.map { $0.fields["reference"] ?? "" } == ["drop-0", "drop-1", "drop-2", "drop-3"])
        #expect(Set(dropped.map(\.client_port)).count == 4)
    }
}
