import CreneauTestSupport
import Foundation
import Testing

/// A primary and a synchronous standby of its own (Tests/multi/failover.py): during a booking
/// storm on two instances the primary is killed with SIGKILL and the standby promoted; the
/// instances find it through their two-server URL without a restart, and every booking that
/// answered 201 is on the new primary.
@Suite("Standby and failover", .enabled(if: Peers.postgresBin != nil && Peers.python3 && (getuid() != 0 || Peers.setpriv),
                                        Comment(rawValue: Peers.postgresMissing)))
struct FailoverTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("multi/failover.py")

    @Test("the primary killed mid-storm, the standby promoted: instances carry on, no confirmed booking lost",
          .enabled(if: ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL", default: ""].isEmpty == false,
                   "runs with the PostgreSQL tests (CRENEAU_TEST_DATABASE_URL)"))
    func failover() async throws {
        // Two servers, two clusters and sixteen clients: both demo-server places.
        await DemoServerSlots.shared.acquire(2)
        defer { Task { await DemoServerSlots.shared.release(2) } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-failover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await ChildProcess.python([Self.script.path, ServerProcessTests.executable.path, try #require(Peers.postgresBin), folder.path],
                                                timeout: 600)
        #expect(run.status == 0 && run.text.hasPrefix("ok"), "\(run.text.suffix(3_000))")
    }
}
