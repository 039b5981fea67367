import CreneauTestSupport
import Foundation
import Testing

/// Production's shape: two `creneau serve` instances on one PostgreSQL behind nginx (TLS, the
/// repository's deploy/nginx/creneau-proxy.conf), driven by Tests/multi/instances.py: the
/// 200-way race on one slot, a booking storm while one instance is killed with SIGKILL and
/// started again (clients retry with their Idempotency-Key; nothing answered 201 is lost, no
/// overlap, replays give the first answer), a session across instances, and limits shared
/// through X-Forwarded-For.
@Suite("Two instances behind nginx on one PostgreSQL", .enabled(if: Peers.nginx, Comment(rawValue: Peers.nginxMissing)))
struct MultiInstanceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("multi/instances.py")

    @Test("race through the proxy, kill -9 storm, sessions and limits across instances",
          .enabled(if: ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL", default: ""].isEmpty == false, "needs PostgreSQL (CRENEAU_TEST_DATABASE_URL)"))
    func behindNginx() async throws {
        // Two servers, nginx and 200 clients: both demo-server places, so no browser test runs beside it on two cores.
        await DemoServerSlots.shared.acquire(2)
        defer { Task { await DemoServerSlots.shared.release(2) } }
        try await FuzzTests.withEngine { environment in
            let url = try #require(environment["DATABASE_URL"])
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-multi-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // One key ring for both instances, as production shares one file.
            let keys = try await FuzzTests.runExecutable(["keygen"])
            try #require(keys.status == 0, "\(keys.output)")
            try Data(keys.output.utf8).write(to: folder.appendingPathComponent("creneau.keys"))
            let seeded = try await ChildProcess.run(ServerProcessTests.executable, ["seed", "--profile", "avoine", "--database-url", url], in: folder,
                                                    environment: ProcessInfo.processInfo.environment.merging(
                                                        ["CRENEAU_ENCRYPTION_KEY_FILE": folder.appendingPathComponent("creneau.keys").path]) { $1 },
                                                    timeout: 600)
            try #require(seeded.status == 0, "\(seeded.text.suffix(600))")
            let run = try await ChildProcess.python([Self.script.path, ServerProcessTests.executable.path, url, folder.path, try #require(Peers.psql)],
                                                    timeout: 600)
            #expect(run.status == 0 && run.text.hasPrefix("ok"), "\(run.text.suffix(3_000))")
        }
    }
}
