import CreneauStorage
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Shared by the storm's clients.
final class Storm: Sendable {
    private let next = Mutex(0)
    private let list = Mutex<[CrashRecoveryTests.Confirmed]>([])
    private let killed = Mutex(false)

    func take() -> Int { next.withLock { value in defer { value += 1 }; return value } }
    func confirm(_ booking: CrashRecoveryTests.Confirmed) -> Int { list.withLock { $0.append(booking); return $0.count } }
    /// True for the one caller that gets to kill.
    func markKilled() -> Bool { killed.withLock { done in defer { done = true }; return !done } }
    var wasKilled: Bool { killed.withLock { $0 } }
    var confirmed: [CrashRecoveryTests.Confirmed] { list.withLock { $0 } }
}

/// Durability as a patient sees it: a 201 means the booking is on disk. The
/// real server is killed with SIGKILL in the middle of a booking storm and
/// started again on the same database.
@Suite("Crash recovery: kill -9 during a booking storm", .serialized)
struct CrashRecoveryTests {
    struct Candidate: Sendable {
        let practitioner: String
        let motive: String
        let start: String
    }

    struct Confirmed: Sendable {
        let id: String
        let token: String
    }

    func startServer(in folder: URL, port: Int, log: String, environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = ServerProcessTests.executable
        process.arguments = ["serve", "--demo", "--port", String(port)]
        process.currentDirectoryURL = folder
        // The storm comes from one address; the per-address booking limit would answer 429.
        process.environment = ProcessInfo.processInfo.environment.merging(["CRENEAU_RATE_LIMITS": "off"].merging(extra) { $1 }) { $1 }
        let url = folder.appendingPathComponent(log)
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    func waitUntilHealthy(port: Int, process: Process? = nil) async throws -> Bool {
        // Bounded: 480 tries, 0.25 s apart (the demo is seeded on first start, and on a loaded
        // two-core machine, with browsers and other servers starting beside it, that once took over 30 s).
        // A server that exited will not answer: no use waiting for it.
        for _ in 0..<480 where process?.isRunning ?? true {
            try await Task.sleep(for: .milliseconds(250))
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 { return true }
        }
        return false
    }

    func getJSON(_ port: Int, _ path: String, headers: [String: String] = [:]) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// Free online slots of the demo's practitioners, for motives a new patient may book.
    func candidates(port: Int) async throws -> [Candidate] {
        let (_, list) = try await getJSON(port, "/api/v1/practitioners?limit=40")
        var result: [Candidate] = []
        for practitioner in (list["practitioners"] as? [[String: Any]] ?? []).compactMap({ $0["id"] as? String }) {
            let (_, motives) = try await getJSON(port, "/api/v1/practitioners/\(practitioner)/motives")
            guard let motive = (motives["motives"] as? [[String: Any]] ?? []).first(where: {
                ($0["channels"] as? [String] ?? []).contains("online") && ($0["patients"] as? String) != "known"
            })?["id"] as? String else { continue }
            let (_, availability) = try await getJSON(port, "/api/v1/availability?practitioner=\(practitioner)&motive=\(motive)&days=14")
            for slot in (availability["slots"] as? [[String: Any]] ?? []).prefix(25) {
                if let start = slot["start"] as? String { result.append(Candidate(practitioner: practitioner, motive: motive, start: start)) }
            }
        }
        return result
    }

    func book(_ candidate: Candidate, doctor: String, port: Int, index: Int) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/appointments")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(UUID().uuidString, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = try JSONSerialization.data(withJSONObject: [
            "practitioner": candidate.practitioner, "motive": candidate.motive, "start": candidate.start, "referringDoctor": doctor,
            "patient": ["firstName": "Patient", "lastName": "Tempête \(index)", "birthDate": "1980-01-01", "phone": "0600000000"],
        ] as [String: Any])
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    @Test("every 201 survives SIGKILL; nothing overlaps; nothing is half-written")
    func killDuringStorm() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = 20_000 + Int.random(in: 0..<2_000)

        let server = try startServer(in: folder, port: port, log: "first.log")
        #expect(try await waitUntilHealthy(port: port))
        let (_, doctors) = try await getJSON(port, "/api/v1/referring-doctors?q=dupont%20pontoise")
        let doctor = try #require((doctors["referringDoctors"] as? [[String: Any]])?.first?["id"] as? String)
        // Each slot twice, shuffled: concurrent clients race for the same slots as well as for different ones.
        let slots = try await candidates(port: port)
        #expect(slots.count >= 100)
        let queue = (slots + slots).shuffled()

        let storm = Storm()
        let pid = server.processIdentifier
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while true {
                        let index = storm.take()
                        guard index < queue.count else { return }
                        guard let (status, body) = try? await book(queue[index], doctor: doctor, port: port, index: index) else { return }
                        if status == 201, let id = body["id"] as? String, let token = body["manageToken"] as? String {
                            // Kill in the middle: other clients have requests in flight.
                            if storm.confirm(Confirmed(id: id, token: token)) == 60, storm.markKilled() { kill(pid, SIGKILL) }
                        }
                    }
                }
            }
        }
        server.waitUntilExit()
        #expect(storm.wasKilled)
        #expect(server.terminationReason == .uncaughtSignal)
        let bookedBeforeCrash = storm.confirmed
        #expect(bookedBeforeCrash.count >= 60)

        let restarted = try startServer(in: folder, port: port, log: "second.log")
        #expect(try await waitUntilHealthy(port: port))
        for booking in bookedBeforeCrash {
            let (status, body) = try await getJSON(port, "/api/v1/appointments/\(booking.id)", headers: ["Creneau-Manage-Token": booking.token])
            #expect(status == 200, "appointment \(booking.id) confirmed before the crash is missing")
            #expect(body["status"] as? String == "booked")
        }
        restarted.terminate()
        restarted.waitUntilExit()

        // Beneath the API: the file is sound, no two live visits overlap, and occupancy matches the appointments.
        var logger = Logger(label: "crash-test")
        logger.logLevel = .warning
        let database = try Database.sqlite(path: folder.appendingPathComponent("data/creneau.sqlite").path, logger: logger)
        func count(_ sql: String) async throws -> Int {
            try await database.withConnection { db in
                try await db.raw("\(unsafeRaw: sql)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
        }
        let integrity = try await database.withConnection { db in
            try await db.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
        }
        #expect(integrity == "ok")
        #expect(try await count("""
            SELECT COUNT(*) AS n FROM appointments a JOIN appointments b ON a.practitioner_id = b.practitioner_id AND a.id < b.id
            JOIN motives m ON m.id = a.motive_id
            WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            AND NOT (m.capacity > 1 AND a.motive_id = b.motive_id AND a.starts_at = b.starts_at)
            """) == 0)
        #expect(try await count("""
            SELECT COUNT(*) AS n FROM appointments a WHERE a.status <> 'cancelled'
            AND NOT EXISTS (SELECT 1 FROM occupancy_claims c WHERE c.holder_id = a.id)
            """) == 0)
        #expect(try await count("""
            SELECT COUNT(*) AS n FROM occupancy_claims c
            WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = c.holder_id AND a.status <> 'cancelled')
            AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.id = c.holder_id)
            """) == 0)
        #expect(try await count("""
            SELECT COUNT(*) AS n FROM appointments a WHERE NOT EXISTS (SELECT 1 FROM appointment_events e WHERE e.appointment_id = a.id)
            AND a.created_at > 0 AND a.manage_token_hash IS NOT NULL
            """) == 0)
        await database.shutdown()
    }
}
