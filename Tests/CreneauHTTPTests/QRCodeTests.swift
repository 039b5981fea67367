import CreneauDomain
import CreneauTestSupport
import Foundation
import Testing

/// The enrolment page's QR code, read back by a decoder nobody on the project wrote (zbar).
@Suite("QR codes read by zbar", .enabled(if: Peers.qrDecoder, "\(Peers.qrDecoderMissing)"))
struct QRCodeTests {
    func decoded(_ code: QRCode) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pbm")
        try code.pbm().write(to: file, atomically: true, encoding: .ascii)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--raw", "-q", "-Sbinary", file.path]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    @Test("every version from 1 to 10 encodes and reads back, accents included",
          arguments: [1, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213])
    func roundTrip(length: Int) throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/?=&%.-é")
        var generator = SystemRandomNumberGenerator()
        var text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        while text.utf8.count > length { text.removeLast() }
        let code = try #require(QRCode(text))
        #expect(code.size == code.version * 4 + 17)
        #expect(try decoded(code) == text)
    }

    @Test("an enrolment address reads back exactly; text beyond version 10 is refused, not truncated")
    func enrolment() throws {
        let uri = "otpauth://totp/Creneau:sandrine.leroy%40avoine.demo?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Creneau&digits=6&period=30"
        let code = try #require(QRCode(uri))
        #expect(try decoded(code) == uri)
        #expect(QRCode(String(repeating: "x", count: 214)) == nil)
        #expect(code.svg(label: "QR").hasPrefix("<svg"))
    }
}
