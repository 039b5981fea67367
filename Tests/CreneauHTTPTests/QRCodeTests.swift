import CreneauDomain
import CreneauTestSupport
import Foundation
import Testing

/// The enrolment page's QR code, read back by a decoder nobody on the project wrote (zbar).
@Suite("QR codes read by zbar", .enabled(if: Peers.qrDecoder, "\(Peers.qrDecoderMissing)"))
struct QRCodeTests {
    func decoded(_ code: QRCode) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pbm")
        try code.pbm().write(to: file, atomically: true, encoding: .ascii)
        defer { try? FileManager.default.removeItem(at: file) }
        let text = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/zbarimg"), ["--raw", "-q", "-Sbinary", file.path],
                                              separateErrors: true, timeout: 60).text
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    @Test("every version from 1 to 10 encodes and reads back, accents included",
          arguments: [1, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213])
    func roundTrip(length: Int) async throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/?=&%.-é")
        var generator = SystemRandomNumberGenerator()
        var text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        while text.utf8.count > length { text.removeLast() }
        let code = try #require(QRCode(text))
        #expect(code.size == code.version * 4 + 17)
        #expect(try await decoded(code) == text)
    }

    @Test("an enrolment address reads back exactly; text beyond version 10 is refused, not truncated")
    func enrolment() async throws {
        let uri = "otpauth://totp/Creneau:sandrine.leroy%40avoine.demo?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Creneau&digits=6&period=30"
        let code = try #require(QRCode(uri))
        #expect(try await decoded(code) == uri)
        #expect(QRCode(String(repeating: "x", count: 214)) == nil)
        #expect(code.svg(label: "QR").hasPrefix("<svg"))
    }
}
