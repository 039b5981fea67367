import CreneauTestSupport
import Foundation
import Testing

/// The whole of "run a hospital on it", as its people would: from an empty database and the
/// first administrator's link to a patient, a referring doctor and a secretary at work.
@Suite("Browser: a hospital set up from an empty database", .enabled(if: Peers.browser, Comment(rawValue: Peers.browserMissing)))
struct HospitalSetupBrowserTests {
    /// Runs `creneau ARGUMENTS` in `folder` (bounded: 60 s) and answers its output.
    static func creneau(_ arguments: [String], in folder: URL) async throws -> (status: Int32, output: String) {
        let run = try await ChildProcess.run(ServerProcessTests.executable, arguments, in: folder, timeout: 60)
        return (run.status, run.text)
    }

    @Test("the first administrator sets up a site, departments, practitioners, templates and staff; a patient and a referring doctor book; the secretary sees both")
    func setUpFromNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = 22_000 + Int.random(in: 0..<10_000)
        let made = try await Self.creneau(["admin", "create", "--email", "direction@hopital-pontoise.test", "--name", "Marc Direction",
                                     "--group-name", "Hôpital de Pontoise"], in: folder)
        #expect(made.status == 0, "\(made.output)")
        let token = try #require(made.output.range(of: "token=").map { String(made.output[$0.upperBound...].prefix { !$0.isWhitespace }) })

        let server = Process()
        server.executableURL = ServerProcessTests.executable
        server.arguments = ["serve", "--port", String(port)]
        server.currentDirectoryURL = folder
        server.environment = ProcessInfo.processInfo.environment.merging(["CRENEAU_RATE_LIMITS": "off"]) { $1 }
        let log = folder.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        server.standardOutput = handle
        server.standardError = handle
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try #require(try await CrashRecoveryTests().waitUntilHealthy(port: port))
        let base = "http://127.0.0.1:\(port)"
        let shots = ProcessInfo.processInfo.environment["CRENEAU_SCREENSHOTS"] ?? folder.path
        try await BrowserTests.scenario("hospital_setup.py", [base, shots, folder.appendingPathComponent("data/mail").path, "\(base)/staff/welcome?token=\(token)"])
    }
}
