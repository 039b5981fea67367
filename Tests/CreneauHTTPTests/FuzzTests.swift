import CreneauDomain
@testable import CreneauHTTP
import CreneauTestSupport
import Foundation
import Hummingbird
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

    @Test("3,000 malformed requests over every route: no 5xx, none slower than 5 s, the server still answers")
    func everyRoute() async throws {
        let routes = try await Self.routes()
        #expect(routes.count > 60)
        #expect(routes.contains { $0["path"] == "/api/v1/holds/{id}" && $0["method"] == "DELETE" })
        try await BrowserTests.withDemoServer { server in
            let file = server.folder.appendingPathComponent("routes.json")
            try JSONSerialization.data(withJSONObject: routes).write(to: file)
            let run = try await BrowserTests.python(Self.script.path, arguments: [server.url, file.path, "3000", "2026"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.hasPrefix("ok"), "\(run.output)")
            print(run.output.prefix(300))
            let log = (try? String(contentsOf: server.folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            #expect(!log.contains("Fatal error") && !log.contains("Program crashed"))
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
