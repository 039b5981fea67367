import CreneauTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The pages in a real browser: Debian's chromium driven by Selenium (python3-selenium),
/// against the real server started from the build with the demo data. The scenarios are
/// Python scripts in Tests/browser; screenshots go to CRENEAU_SCREENSHOTS when set
/// (`scripts/screenshots.sh` refreshes docs/screenshots), else to a temporary folder.
@Suite("Browser: patients book, download the .ics, cancel — on a phone-sized screen",
       .enabled(if: Peers.browser, Comment(rawValue: Peers.browserMissing)))
struct BrowserTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("browser")

    /// A demo server of its own (a fresh folder, a port of its own), for one scenario.
    struct DemoServer {
        let folder: URL
        let port: Int
        /// When the process was started (a training clock starts then).
        let launched: TimeInterval
        var url: String { "http://127.0.0.1:\(port)" }
        var shots: String { ProcessInfo.processInfo.environment["CRENEAU_SCREENSHOTS"] ?? folder.path }
    }

    static func withDemoServer(environment: [String: String] = [:], _ body: (DemoServer) async throws -> Void) async throws {
        // At most two demo servers (each with its chromium) at once: more, on two cores, starved
        // the timing-sensitive tests running beside them.
        await DemoServerSlots.shared.acquire()
        defer { Task { await DemoServerSlots.shared.release() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = 22_000 + Int.random(in: 0..<10_000)
        let launched = Date().timeIntervalSince1970
        let server = try CrashRecoveryTests().startServer(in: folder, port: port, log: "server.log", environment: environment)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        guard try await CrashRecoveryTests().waitUntilHealthy(port: port, process: server) else {
            // What the server said is the only clue to a start that failed on a loaded machine.
            let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            Issue.record("the demo server did not become healthy (running: \(server.isRunning)); its log ends with:\n\(log.suffix(3_000))")
            return
        }
        try await body(DemoServer(folder: folder, port: port, launched: launched))
    }

    /// Runs a scenario; it prints "ok…" when every check passed.
    static func scenario(_ name: String, _ arguments: [String]) async throws {
        let run = try await python(scripts.appendingPathComponent(name).path, arguments: arguments)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.hasPrefix("ok"), "\(run.output)")
    }

    @Test("a new patient finds their GP by typing “dupont pontoise” in a directory imported from an RPPS extract (Windows-1252, from standard input)")
    func importedDirectory() async throws {
        try await Self.withDemoServer { server in
            let file = server.folder.appendingPathComponent("rpps.txt").path
            let written = try await FuzzTests.runExecutable(["bench", "rpps-file", file, "--lines", "3000", "--edge-cases", "--encoding", "windows-1252"])
            #expect(written.status == 0, "\(written.output)")
            // As an administrator pipes a download into it, while the server runs on the same database.
            let imported = try await FuzzTests.runExecutable(["import-rpps", "-", "--log-level", "warning"], in: server.folder, input: file)
            #expect(imported.status == 2, "the two bad lines make the exit status 2: \(imported.output)")
            #expect(imported.output.contains("3000 lines read (Windows-1252)"), "\(imported.output)")
            #expect(imported.output.contains("line 5: 20 fields") && imported.output.contains("line 6: The national identifier"), "\(imported.output)")
            try await Self.scenario("rpps_directory.py", [server.url, server.shots])
            #expect(FileManager.default.fileExists(atPath: "\(server.shots)/rpps-doctor-phone.png"))
        }
    }

    @Test("a visitor is refused without a referring doctor, books with one, downloads the .ics, cancels, switches to English")
    func patientBooking() async throws {
        try await Self.withDemoServer { server in
            try await Self.scenario("patient_booking.py", [server.url, server.shots])
            for name in ["home-phone", "booking-refused-phone", "confirmation-phone", "cancelled-english-phone"] {
                #expect(FileManager.default.fileExists(atPath: "\(server.shots)/\(name).png"), "no screenshot \(name)")
            }
        }
    }

    @Test("a signed-out patient asks for a waiting list, signs in with the emailed code and is back on it; books for her son, downloads the .ics, finds it on her account, cancels")
    func patientAccount() async throws {
        try await Self.withDemoServer { server in
            // Without CRENEAU_SMTP_URL the demo writes its emails beside its database.
            try await Self.scenario("patient_account.py", [server.url, server.shots, server.folder.appendingPathComponent("data/mail").path])
        }
    }

    @Test("a secretary signs in with her authenticator code and finds an online booking on the agenda, marked, with the patient's reason")
    func secretaryAgenda() async throws {
        try await Self.withDemoServer { server in try await Self.scenario("secretary_agenda.py", [server.url, server.shots]) }
    }

    @Test("an administrator adds a held-back Saturday to a weekly template: a backwards range is explained and kept, the preview shows it, saving keeps it")
    func adminTemplate() async throws {
        try await Self.withDemoServer { server in try await Self.scenario("admin_template.py", [server.url, server.shots]) }
    }

    @Test("a secretary finds a caller, books her follow-up by phone and records the arrival (the demo on a Monday-evening training clock)")
    func secretaryPhoneBooking() async throws {
        // Monday 23 November 2026, 21:00 in Paris, on the demo seeded for that day (the same data
        // every run): the first follow-up slot is Tuesday morning, within the 12 hours in which
        // an arrival can be recorded.
        let start = "2026-11-23T21:00:00+01:00", startSeconds = 1_795_464_000
        try await Self.withDemoServer(environment: ["CRENEAU_DEMO_START": start]) { server in
            try await Self.scenario("secretary_phone.py", [server.url, server.shots, String(startSeconds), String(server.launched)])
        }
    }

    static let axePath = ProcessInfo.processInfo.environment["CRENEAU_AXE_JS"]
        ?? scripts.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/axe/axe.min.js").path

    @Test("scenario 12: the director reads the online share per hospital and department, no-shows by channel and new/known, the third next available slot, the survey, and downloads the CSV")
    func statistics() async throws {
        try await Self.withDemoServer { server in try await Self.scenario("statistics.py", [server.url, server.shots]) }
    }

    @Test("axe finds no serious or critical accessibility violation on the key pages",
          .enabled(if: Peers.axe(at: axePath), Comment(rawValue: Peers.axeMissing)))
    func accessibility() async throws {
        try await Self.withDemoServer { server in try await Self.scenario("accessibility.py", [server.url, server.folder.path, Self.axePath]) }
    }

    @Test("a surge: the waiting page (place, estimate, no script, axe clean) refreshes itself and lets the patient in",
          .enabled(if: Peers.axe(at: axePath), Comment(rawValue: Peers.axeMissing)))
    func waitingRoom() async throws {
        // The room on, with one place on the path: a small crowd fills it.
        try await Self.withDemoServer(environment: ["CRENEAU_WAITING_ROOM": "on", "CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT": "1"]) { server in
            try await Self.scenario("waiting_room.py", [server.url, server.shots, Self.axePath])
        }
    }

    /// Runs a Python script (bounded: 180 s), off the tests' cooperative threads.
    static func python(_ script: String, arguments: [String]) async throws -> (status: Int32, output: String) {
        let run = try await ChildProcess.python([script] + arguments, timeout: 180)
        return (run.status, run.text)
    }
}

/// A counting semaphore for the demo servers the browser and process tests start.
actor DemoServerSlots {
    static let shared = DemoServerSlots()
    static let limit = 2
    private var free = DemoServerSlots.limit
    private var waiting: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// Takes `count` places at once (a test with two servers takes both: taking them one at a time,
    /// two such tests each holding one waited for each other forever). First come, first served.
    func acquire(_ count: Int = 1) async {
        let count = min(count, Self.limit)
        if waiting.isEmpty && free >= count {
            free -= count
            return
        }
        await withCheckedContinuation { waiting.append((count, $0)) }
    }

    func release(_ count: Int = 1) {
        free += min(count, Self.limit)
        while let first = waiting.first, free >= first.count {
            free -= first.count
            waiting.removeFirst().continuation.resume()
        }
    }
}
