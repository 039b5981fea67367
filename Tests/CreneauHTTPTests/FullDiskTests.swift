import CreneauTestSupport
import Foundation
import Testing

/// The embedded database's disk fills up (Tests/multi/fulldisk.py: the demo server on a small
/// tmpfs, filled to the last byte): bookings answer 503 with a sentence and write nothing, reads go
/// on, the same bookings go through once space is back, without a restart, and SQLite's integrity
/// check passes.
@Suite("A full disk under SQLite", .enabled(if: getuid() == 0 && Peers.python3, "mounts a tmpfs: needs root and python3"))
struct FullDiskTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("multi/fulldisk.py")

    @Test("503 and nothing half-written on a full disk; booked once space is back; integrity ok",
          .enabled(if: ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL", default: ""].isEmpty, "the SQLite run"))
    func fullDisk() async throws {
        await DemoServerSlots.shared.acquire()
        defer { Task { await DemoServerSlots.shared.release() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-fulldisk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await ChildProcess.python([Self.script.path, ServerProcessTests.executable.path, folder.path], timeout: 300)
        #expect(run.status == 0 && run.text.hasPrefix("ok"), "\(run.text.suffix(3_000))")
    }
}
