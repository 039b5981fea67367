import CreneauStorage
import Foundation
import Logging

/// `creneau backup FILE` and `creneau restore FILE`, with the database settings `serve` uses.
/// SQLite: a consistent copy while serving (`VACUUM INTO`), restored by copying it into place
/// (never over a database that has tables). PostgreSQL: `pg_dump --format=custom`, restored by
/// `pg_restore` into an empty database. The key ring is not in the backup (it must not travel
/// with the data it protects): a restore checks that the configured ring holds every key the
/// data's sealed texts were made with, and says which are missing.
extension Commands {
    public struct BackupReport: Sendable, CustomStringConvertible {
        public var file: String
        public var bytes: Int64
        public var migrations: Int
        public var keys: Set<String>
        public var seconds: Double

        public var description: String {
            String(format: "Backed up to %@: %.1f MB, %d migrations applied, in %.1f s.\n", file, Double(bytes) / 1e6, migrations, seconds)
                + "Its sealed texts need the key\(keys.count == 1 ? "" : "s") \(keys.sorted().joined(separator: ", ")) of the key ring, which is not in the backup: keep the key file (CRENEAU_ENCRYPTION_KEY_FILE) safe, apart from it."
        }
    }

    public static func backup(to path: String, _ configuration: Configuration) async throws -> BackupReport {
        let logger = LogSetup.bootstrap(configuration)
        guard !FileManager.default.fileExists(atPath: path) else { throw CommandError("\(path) exists already: back up to a new file.") }
        let started = Date()
        return try await Storage.with(configuration, logger: logger) { storage in
            let migrations = try await storage.store.appliedMigrations().count
            let keys = try await storage.store.sealedKeyIDs()
            switch configuration.database {
            case .sqlite:
                try await storage.store.backupSQLite(to: path)
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            case .postgres:
                guard let url = configuration.postgresURL else { throw CommandError("The PostgreSQL URL is needed to back up.") }
                try runTool("pg_dump", ["--format=custom", "--no-owner", "--file=\(path)", "--dbname=\(url)"])
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            return BackupReport(file: path, bytes: bytes, migrations: migrations, keys: keys, seconds: Date().timeIntervalSince(started))
        }
    }

    /// Restores `path` into the configured database, which must be empty; then applies the
    /// migrations a newer Creneau brings and checks the key ring.
    public static func restore(from path: String, _ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        guard FileManager.default.fileExists(atPath: path) else { throw CommandError("Cannot open \(path) for reading.") }
        switch configuration.database {
        case .sqlite(let target, _):
            if FileManager.default.fileExists(atPath: target) {
                let empty = try await Storage.with(configuration, logger: logger) { try await $0.store.isEmptyDatabase() }
                guard empty else { throw CommandError("\(target) holds a database already: restore into a new file (or move it away first).") }
                try? FileManager.default.removeItem(atPath: target)
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            }
            // Checked in a copy beside the target, then moved into place: a refused restore leaves nothing behind.
            let staging = target + ".restoring"
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.copyItem(atPath: path, toPath: staging)
            var staged = configuration
            staged.database = .sqlite(path: staging, createDirectory: false)
            do {
                try await check(staged, logger: logger, source: path)
            } catch {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
                throw error
            }
            try FileManager.default.moveItem(atPath: staging, toPath: target)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        case .postgres:
            guard let url = configuration.postgresURL else { throw CommandError("The PostgreSQL URL is needed to restore.") }
            let empty = try await Storage.with(configuration, logger: logger) { try await $0.store.isEmptyDatabase() }
            guard empty else { throw CommandError("The database holds tables already: restore into an empty database (createdb, then restore).") }
            try runTool("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", "--dbname=\(url)", path])
            try await check(configuration, logger: logger, source: path)
        }
        return "Restored \(path) into \(configuration.databaseSummary); its sealed texts open with the configured key ring."
    }

    /// Brings the restored data to this version's schema and checks the key ring opens it.
    static func check(_ configuration: Configuration, logger: Logger, source: String) async throws {
        try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let missing = try await storage.store.missingKeys()
            guard missing.isEmpty else {
                throw CommandError("""
                    The key ring (CRENEAU_ENCRYPTION_KEY_FILE) lacks the key\(missing.count == 1 ? "" : "s") \(missing.sorted().joined(separator: ", ")) \
                    that \(source)'s health texts were sealed with: restore with the key file of the server that made the backup.
                    """)
            }
        }
    }

    /// Runs a PostgreSQL client tool (Debian's wrapper on the PATH, else the newest installed).
    static func runTool(_ name: String, _ arguments: [String]) throws {
        let candidates = ["/usr/bin/\(name)"] + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CommandError("\(name) is needed (apt-get install postgresql-client).")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError("\(name) failed (exit \(process.terminationStatus)): \(said.suffix(600).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
