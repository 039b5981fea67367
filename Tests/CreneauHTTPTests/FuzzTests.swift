import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Synchronization
import Hummingbird
import Logging
import PostgresKit
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every route of the router, fuzzed on the real executable with the demo data: wrong
/// types, far and malformed dates, huge numbers and strings, control characters, bad ids,
/// missing fields, every content type (`Tests/fuzz/fuzz_routes.py`). Fails on any 5xx, any
/// answer slower than ten seconds (CI's two cores are shared), or a server that is gone.
@Suite("Fuzz: every route, any input, on the real server", .serialized, .enabled(if: Peers.python3, Comment(rawValue: Peers.python3Missing)))
struct FuzzTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/fuzz_routes.py")

    /// The routes as the router knows them, so a new route is fuzzed without anyone listing it.
    static func routes() async throws -> [[String: String]] {
        try await TestDatabase.with { test in
            buildRouter(test.dependencies()).routes.map { ["method": $0.method.rawValue, "path": "\($0.path)"] }
        }
    }

    /// The environment that puts the demo server on the engine under test: on PostgreSQL a
    /// database of its own, made for the run and dropped after it.
    static func withEngine(_ body: ([String: String]) async throws -> Void) async throws {
        guard let url = ProcessInfo.processInfo.environment["CRENEAU_TEST_DATABASE_URL"], !url.isEmpty,
              var components = URLComponents(string: url) else {
            return try await body([:])
        }
        var logger = Logger(label: "fuzz")
        logger.logLevel = .warning
        let name = "fuzz_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = Database.postgres(configuration: try SQLPostgresConfiguration(url: url), logger: logger, connectionsPerEventLoop: 1)
        // CREATE and DROP DATABASE cannot run inside a transaction.
        func outside(_ sql: String) async throws { try await admin.withConnection { db in try await db.raw("\(unsafeRaw: sql)").run() } }
        components.path = "/" + name
        do {
            try await outside("CREATE DATABASE \(name)")
            try await body(["DATABASE_URL": components.string ?? url])
        } catch {
            try? await outside("DROP DATABASE \(name) WITH (FORCE)")
            await admin.shutdown()
            throw error
        }
        try? await outside("DROP DATABASE \(name) WITH (FORCE)")
        await admin.shutdown()
    }

    @Test("3,000 malformed requests over every route: no 5xx, none slower than 10 s, the server still answers")
    func everyRoute() async throws {
        let routes = try await Self.routes()
        #expect(routes.count > 60)
        #expect(routes.contains { $0["path"] == "/api/v1/holds/{id}" && $0["method"] == "DELETE" })
        try await Self.withEngine { environment in try await Self.fuzz(routes, environment: environment) }
    }

    static func fuzz(_ routes: [[String: String]], environment: [String: String]) async throws {
        try await BrowserTests.withDemoServer(environment: environment) { server in
            let file = server.folder.appendingPathComponent("routes.json")
            try JSONSerialization.data(withJSONObject: routes).write(to: file)
            let run = try await BrowserTests.python(Self.script.path, arguments: [server.url, file.path, "3000", "2026"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.hasPrefix("ok"), "\(run.output)")
            print(run.output.prefix(300))
            let log = (try? String(contentsOf: server.folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            #expect(!log.contains("Fatal error") && !log.contains("Program crashed"))
            // On the engine under test.
            #expect(log.contains(environment["DATABASE_URL"] == nil ? "(SQLite file" : "(PostgreSQL at"), "\(log.prefix(400))")
        }
    }

    @Test("idle connections, half-sent requests and one address's crowd are closed; /healthz answers from elsewhere all along")
    func connectionLimits() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/hold-connections.py")
        let limits = ["CRENEAU_IDLE_TIMEOUT": "1", "CRENEAU_REQUEST_TIMEOUT": "2", "CRENEAU_MAX_CONNECTIONS_PER_ADDRESS": "20"]
        try await BrowserTests.withDemoServer(environment: limits) { server in
            let run = try await BrowserTests.python(script.path, arguments: ["check", server.url, "1", "20"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.hasPrefix("ok"), "\(run.output)")
        }
    }

    /// Resumes a continuation once, whichever of its answers comes first.
    final class FirstAnswer: Sendable {
        let continuation: CheckedContinuation<String?, Never>
        let answered = Mutex(false)

        init(_ continuation: CheckedContinuation<String?, Never>) { self.continuation = continuation }

        func answer(_ line: String?) {
            let first = answered.withLock { done in
                defer { done = true }
                return !done
            }
            if first { continuation.resume(returning: line) }
        }
    }

    /// The first line a process writes to `pipe`, or nil after `seconds` (or at its end).
    static func firstLine(of pipe: Pipe, within seconds: Double) async -> String? {
        await withCheckedContinuation { continuation in
            let once = FirstAnswer(continuation)
            Thread.detachNewThread {
                var data = Data()
                while !data.contains(UInt8(ascii: "\n")) {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    data.append(chunk)
                }
                once.answer(String(decoding: data.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { once.answer(nil) }
        }
    }

    /// Runs the `creneau` executable to its end, on a thread of its own (not the tests' cooperative threads).
    static func runExecutable(_ arguments: [String], in folder: URL? = nil, input: String? = nil) async throws -> (status: Int32, output: String) {
        let run = try await ChildProcess.run(ServerProcessTests.executable, arguments, in: folder, inputFile: input, timeout: 600)
        return (run.status, run.text)
    }

    /// HTTP status and seconds of one request to the demo server.
    static func timed(_ port: Int, _ method: String, _ path: String, body: String? = nil) async -> (Int, Double) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!, timeoutInterval: 60)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let started = ContinuousClock.now
        let status = ((try? await URLSession.shared.data(for: request))?.1 as? HTTPURLResponse)?.statusCode ?? 0
        let elapsed = ContinuousClock.now - started
        return (status, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test("a database that stops answering mid-query (as under SIGSTOP): /healthz 503 within 2 s, requests 503 within the timeouts, never 500; all answers again once it resumes",
          .enabled(if: TestDatabase.engine == .postgres, "needs PostgreSQL: the embedded SQLite cannot freeze apart from the server"))
    func frozenDatabase() async throws {
        try await Self.withEngine { environment in
            guard let url = environment["DATABASE_URL"], var components = URLComponents(string: url), let host = components.host, let port = components.port else {
                Issue.record("no database URL")
                return
            }
            // The demo is loaded straight into the database first: seeding through the proxy is slow on a
            // loaded machine, and what is tested is the server's answers once PostgreSQL stops, not its start.
            let seeded = try await Self.runExecutable(["seed", "--profile", "avoine", "--database-url", url])
            try #require(seeded.status == 0, "\(seeded.output.suffix(400))")
            let flag = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-freeze-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: flag) }
            // The server must find the proxy listening when it starts (it exits if it cannot reach its
            // database): wait for the proxy's "ready" — a fixed second was outlasted once on a loaded
            // CI machine — and take another port if this one was taken.
            var started: (process: Process, port: Int)?
            for _ in 0..<5 where started == nil {
                let candidate = 40_000 + Int.random(in: 0..<10_000)
                let proxy = Process()
                proxy.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                proxy.arguments = [Self.script.deletingLastPathComponent().appendingPathComponent("freeze_proxy.py").path, String(candidate), host, String(port), "600", flag]
                let output = Pipe()
                proxy.standardOutput = output
                proxy.standardError = FileHandle.nullDevice
                try proxy.run()
                if await Self.firstLine(of: output, within: 60) == "ready" { started = (proxy, candidate) } else { proxy.terminate() }
            }
            guard let (proxy, proxyPort) = started else {
                Issue.record("the freezing proxy did not start")
                return
            }
            defer { proxy.terminate() }
            components.port = proxyPort
            let limits = ["DATABASE_URL": components.string ?? url, "CRENEAU_DB_CONNECT_TIMEOUT": "2", "CRENEAU_DB_STATEMENT_TIMEOUT": "2"]
            try await BrowserTests.withDemoServer(environment: limits) { server in
                let hold = #"{"practitioner":"00000000-0000-4000-8000-000000000000","motive":"00000000-0000-4000-8000-000000000000","start":"2026-12-01T09:00:00+01:00"}"#
                #expect(await Self.timed(server.port, "GET", "/healthz").0 == 200)
                let started = (try? String(contentsOf: server.folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                #expect(started.contains("PostgreSQL at 127.0.0.1:\(proxyPort)"), "\(started.prefix(600))")
                FileManager.default.createFile(atPath: flag, contents: nil)
                try await Task.sleep(for: .milliseconds(200))
                async let health = Self.timed(server.port, "GET", "/healthz")
                async let search = Self.timed(server.port, "GET", "/api/v1/search?specialty=cardiologie")
                async let held = Self.timed(server.port, "POST", "/api/v1/holds", body: hold)
                let (h, s, b) = await (health, search, held)
                // Without the deadlines these hang past 60 s. With them: 2 s for /healthz; for a request a pooled
                // connection's wait (2 s), the statement timeout (2 s) and its margin (2 s), twice over for a retry —
                // with room for a loaded CI machine, where timers wake late.
                #expect(h.0 == 503 && h.1 < 10, "healthz \(h)")
                #expect(s.0 == 503 && s.1 < 30, "search \(s)")
                #expect(b.0 == 503 && b.1 < 30, "hold \(b)")
                try? FileManager.default.removeItem(atPath: flag)
                var healthy = false
                for _ in 0..<40 where !healthy {
                    try await Task.sleep(for: .milliseconds(250))
                    healthy = await Self.timed(server.port, "GET", "/healthz").0 == 200
                }
                #expect(healthy)
                #expect(await Self.timed(server.port, "POST", "/api/v1/holds", body: hold).0 == 404)
                let log = (try? String(contentsOf: server.folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                #expect(!log.contains("Unhandled error"), "a 500 was answered")
            }
        }
    }
}
