import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import Logging
import PostgresKit
import Testing

/// Every route of the router, fuzzed on the real executable with the demo data: wrong
/// types, far and malformed dates, huge numbers and strings, control characters, bad ids,
/// missing fields, every content type (`Tests/fuzz/fuzz_routes.py`). Fails on any 5xx, any
/// answer slower than five seconds, or a server that is gone.
@Suite("Fuzz: every route, any input, on the real server", .serialized)
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

    @Test("3,000 malformed requests over every route: no 5xx, none slower than 5 s, the server still answers")
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
}
