import CreneauTestSupport
import Foundation
import Testing

/// `scripts/test` (and so CI) sets CRENEAU_REQUIRE_PEERS: there, a suite skipped for a
/// missing peer would be a silent pass, so a missing peer fails instead.
@Suite("The test peers are all here when the test script runs",
       .enabled(if: ProcessInfo.processInfo.environment["CRENEAU_REQUIRE_PEERS"] == "1", "only under scripts/test, which installs them"))
struct PeersTests {
    @Test("browser, axe-core, SMTP server, iCalendar parser, QR decoder, nginx, PostgreSQL server programs, FHIR validators, schemathesis and python3 are present")
    func present() {
        #expect(Peers.browser, "\(Peers.browserMissing)")
        #expect(Peers.axe(at: BrowserTests.axePath), "\(Peers.axeMissing)")
        #expect(Peers.smtp, "\(Peers.smtpMissing)")
        #expect(Peers.icalendar, "\(Peers.icalendarMissing)")
        #expect(Peers.python3, "\(Peers.python3Missing)")
        #expect(Peers.qrDecoder, "\(Peers.qrDecoderMissing)")
        #expect(Peers.nginx, "\(Peers.nginxMissing)")
        #expect(Peers.postgresBin != nil && (getuid() != 0 || Peers.setpriv), "\(Peers.postgresMissing)")
        #expect(FHIRValidatorPeer.available, "\(FHIRValidatorPeer.missing)")
        #expect(OpenAPITests.peer, "\(OpenAPITests.peerMissing)")
    }
}
