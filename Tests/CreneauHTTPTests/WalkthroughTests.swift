import CreneauTestSupport
import Foundation
import Testing

/// RUNBOOK.md followed from nothing (Tests/multi/walkthrough.py): the binary and key ring
/// installed, a PostgreSQL role with a password and its database, the first administrator, two
/// instances in production mode behind nginx with the repository's sample site, and the checks the
/// runbook names. What the runbook tells a newcomer is what this runs.
@Suite("The runbook, from nothing to two instances behind nginx",
       .enabled(if: Peers.nginx && Peers.postgresBin != nil, Comment(rawValue: Peers.nginxMissing + "; " + Peers.postgresMissing)))
struct WalkthroughTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("multi/walkthrough.py")

    @Test("install, PostgreSQL, the first administrator, two instances, nginx, the checks",
          .enabled(if: ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL", default: ""].isEmpty == false,
                   "runs with the PostgreSQL tests (CRENEAU_TEST_DATABASE_URL)"))
    func walkthrough() async throws {
        await DemoServerSlots.shared.acquire(2)
        defer { Task { await DemoServerSlots.shared.release(2) } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-walkthrough-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await ChildProcess.python([Self.script.path, ServerProcessTests.executable.path, try #require(Peers.postgresBin), folder.path],
                                                timeout: 600)
        #expect(run.status == 0 && (run.text.contains("\nok ") || run.text.hasPrefix("ok ")), "\(run.text.suffix(3_000))")
    }
}
