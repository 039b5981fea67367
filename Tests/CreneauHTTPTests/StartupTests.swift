import CreneauApp
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Starting the server")
struct StartupTests {
    var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creneau-start-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a database folder that does not exist is a clear error")
    func missingFolder() throws {
        let configuration = try Configuration.load(environment: ["CRENEAU_DATABASE_PATH": "/nonexistent/creneau/db.sqlite"])
        #expect(throws: DatabaseOpenError.missingDirectory("/nonexistent/creneau")) {
            _ = try Storage.open(configuration, logger: logger)
        }
        #expect(DatabaseOpenError.missingDirectory("/nonexistent/creneau").description.contains("/nonexistent/creneau does not exist"))
    }

    @Test("a PostgreSQL server that is down is a clear error naming where, without the password")
    func databaseDown() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Port 1 on loopback: nothing listens there.
        let configuration = try Configuration.load(environment: [
            "DATABASE_URL": "postgres://creneau:hunter22@127.0.0.1:1/creneau?sslmode=disable",
            "CRENEAU_ENCRYPTION_KEY_FILE": folder.appendingPathComponent("keys").path,
        ])
        try FieldCipher.newKeyRingLine(id: "k1").write(to: folder.appendingPathComponent("keys"), atomically: true, encoding: .utf8)
        let storage = try Storage.open(configuration, logger: logger)
        do {
            _ = try await storage.migrate(configuration)
            Issue.record("migrated against a closed port")
        } catch let error as StartupError {
            #expect(error.description.contains("PostgreSQL at 127.0.0.1:1/creneau"))
            #expect(!error.description.contains("hunter22"))
        }
        await storage.database.shutdown()
    }

    @Test("a key file that is not a key ring is a clear error")
    func badKeys() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = folder.appendingPathComponent("keys")
        try "k1:not-base64".write(to: keys, atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(environment: [
            "CRENEAU_DATABASE_PATH": folder.appendingPathComponent("db.sqlite").path,
            "CRENEAU_ENCRYPTION_KEY_FILE": keys.path,
        ])
        #expect(throws: ConfigurationError.self) { _ = try Storage.open(configuration, logger: logger) }
    }

    @Test("serve --demo on a fresh embedded database: the real server answers with the avoine demo")
    func demoServer() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = try Configuration.load(environment: ["CRENEAU_DATABASE_PATH": folder.appendingPathComponent("creneau.sqlite").path])
        configuration.port = 0
        let app = try await buildApplication(configuration, demo: true, logger: logger)
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("MSP d&#39;Avoine"))
                #expect(String(buffer: response.body).contains("Kinésithérapie"))
            }
        }
        // the key file was made beside the database, readable by its owner only
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("creneau.keys").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
