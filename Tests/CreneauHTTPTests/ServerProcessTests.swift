import Foundation
import CreneauTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `creneau` executable as a person runs it: real process, real signals.
@Suite("The creneau executable", .serialized)
struct ServerProcessTests {
    /// `swift build` puts the executable beside the test runner.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("creneau")
    }

    struct Run {
        let status: Int32
        let output: String
    }

    func run(_ arguments: [String], environment: [String: String] = [:], in folder: URL) async throws -> Run {
        let run = try await ChildProcess.run(Self.executable, arguments, in: folder,
                                             environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path].merging(environment) { $1 })
        return Run(status: run.status, output: run.text)
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-exe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("bad configuration stops with one clear line, no trace")
    func badConfiguration() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let production = try await run(["serve"], environment: ["CRENEAU_ENV": "production"], in: folder)
        #expect(production.status == 1)
        #expect(production.output.contains("DATABASE_URL is required in production"))
        #expect(!production.output.contains("Backtrac"))

        let missing = try await run(["migrate", "--database-path", "/nonexistent/dir/db.sqlite"], in: folder)
        #expect(missing.status == 1)
        #expect(missing.output.contains("/nonexistent/dir does not exist"))

        let down = try await run(["migrate", "--database-url", "postgres://creneau:pw-not-shown@127.0.0.1:1/creneau?sslmode=disable"], in: folder)
        #expect(down.status == 1)
        #expect(down.output.contains("Cannot use the database (PostgreSQL at 127.0.0.1:1/creneau)"))
        #expect(!down.output.contains("pw-not-shown"))
    }

    @Test("migrate creates the embedded database, then finds it up to date")
    func migrate() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await run(["migrate"], in: folder)
        #expect(first.status == 0)
        #expect(first.output.contains("Applied: 0001_create_organisation"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("data/creneau.sqlite").path))
        // Health data: the folder and the database are the server user's alone.
        let mode = { (path: String) in
            (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(path).path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(mode("data") == 0o700)
        #expect(mode("data/creneau.sqlite") == 0o600)
        let second = try await run(["migrate"], in: folder)
        #expect(second.output.contains("up to date"))
        // The retention purge by hand: the policy it applied, what it did (nothing, on an empty database).
        let purge = try await run(["purge"], environment: ["CRENEAU_RETENTION_AUDIT_MONTHS": "6"], in: folder)
        #expect(purge.status == 0 && purge.output.contains("access audit 6 months") && purge.output.contains("0 patients anonymised"), "\(purge.output)")
        let refused = try await run(["purge"], environment: ["CRENEAU_RETENTION_AUDIT_MONTHS": "3"], in: folder)
        #expect(refused.status != 0 && refused.output.contains("CRENEAU_RETENTION_AUDIT_MONTHS"), "\(refused.output)")
    }

    @Test("serve --demo answers, then stops cleanly on SIGTERM")
    func serveAndStop() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = 18_000 + Int.random(in: 0..<2_000)
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--demo", "--port", String(port)]
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()

        // Bounded wait for the first answer: 240 tries, 0.25 s apart (the demo is seeded first, by a debug
        // build, while the rest of the suite runs beside it: 15 s was not always enough in CI's PostgreSQL run).
        var health: Int?
        for _ in 0..<240 where health == nil {
            try await Task.sleep(for: .milliseconds(250))
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!) {
                health = (response as? HTTPURLResponse)?.statusCode
            }
        }
        #expect(health == 200)
        let (page, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/")!)
        #expect(String(decoding: page, as: UTF8.self).contains("Kinésithérapie"))

        process.terminate() // SIGTERM
        // In-flight work finishes first; with the whole suite beside it a debug build may take a while.
        for _ in 0..<240 where process.isRunning { try await Task.sleep(for: .milliseconds(250)) }
        if process.isRunning {
            // Foundation traps on `terminationStatus` of a running process: stop it for good, then say so.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("serve did not stop within 60 s of SIGTERM:\n\((try? String(contentsOf: log, encoding: .utf8))?.suffix(2_000) ?? "")")
            return
        }
        #expect(process.terminationStatus == 0)
        try handle.close()
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(output.contains("Loaded the avoine demo"))
        #expect(!output.contains("Program crashed"))
    }
}
