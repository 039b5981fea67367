import CreneauDomain
import CreneauHTTP
import CreneauMail
import CreneauSeed
import CreneauStorage
import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import ServiceLifecycle

/// The opened storage of a running Creneau: database, cipher and store.
public struct Storage: Sendable {
    public let database: Database
    public let store: SQLStore

    /// Opens the database and the key ring named by `configuration`. Nothing
    /// is written to the database here.
    /// `serving`: a server's connections, with the configured timeouts (`DatabaseTimeouts`);
    /// seeds and migrations from the command line run without a statement limit.
    public static func open(_ configuration: Configuration, logger: Logger, serving: Bool = false) throws -> Storage {
        // Check the folder, then the keys (the default key file lives in that
        // folder), then open the pool: once made, a pool must be shut down, so
        // nothing may fail after it.
        if case .sqlite(let path, let createDirectory) = configuration.database {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if createDirectory {
                // Health data: the folder we make is the server user's alone.
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                // A default folder left 0755 by an older version is closed too.
                try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder)
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DatabaseOpenError.missingDirectory(folder)
            }
            restrictDataFiles(database: path)
        }
        let cipher = try KeyRing.load(configuration.keys)
        let database: Database
        switch configuration.database {
        case .sqlite(let path, _):
            database = try Database.sqlite(path: path, logger: logger)
        case .postgres(let postgres, _):
            let limits = configuration.databaseTimeouts
            database = Database.postgres(servers: postgres, logger: logger,
                                         timeouts: serving ? .init(connect: limits.connect, statement: limits.statement) : nil)
        }
        // A server may answer from versions read a moment ago (other instances' changes show within
        // the lag); a command reads them on every call.
        let peerLag: Duration = serving ? .milliseconds(configuration.databaseTimeouts.peerLagMilliseconds) : .zero
        return Storage(database: database, store: SQLStore(database: database, cipher: cipher, peerLag: peerLag))
    }

    /// Applies pending migrations, turning "cannot connect" into a message that
    /// says where Creneau looked.
    public func migrate(_ configuration: Configuration) async throws -> [String] {
        do {
            let applied = try await Migrator(database: database).migrate()
            _ = try await store.backfillPatientSearch()
            _ = try await store.backfillDoctorNameKeys()
            try await store.ensureDirectoryIndexes()
            _ = try await store.sealCancellationReasons()
            return applied
        } catch let error as RepositoryError {
            throw StartupError.databaseUnreachable(where: configuration.databaseSummary, detail: "\(error)")
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw StartupError.databaseUnreachable(where: configuration.databaseSummary, detail: String(describing: type(of: error)))
        }
    }
}

/// The database file and its WAL and shared-memory files are readable by the server's
/// user only (0600): created so before SQLite opens them (it gives its WAL and SHM the
/// database file's mode), and set so if an older version left them 0644.
func restrictDataFiles(database path: String) {
    let files = FileManager.default
    if !files.fileExists(atPath: path) { files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) }
    for file in [path, path + "-wal", path + "-shm"] where files.fileExists(atPath: file) {
        try? files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    }
}

extension Storage {
    /// Opens storage, runs `body`, and closes the pool whatever happens.
    public static func with<R: Sendable>(_ configuration: Configuration, logger: Logger, _ body: (Storage) async throws -> R) async throws -> R {
        let storage = try open(configuration, logger: logger)
        do {
            let result = try await body(storage)
            await storage.database.shutdown()
            return result
        } catch {
            await storage.database.shutdown()
            throw error
        }
    }
}

extension Configuration {
    /// Where the database is, safe to print.
    public var databaseSummary: String {
        switch database {
        case .sqlite(let path, _): "SQLite file \(path)"
        case .postgres(_, let summary): "PostgreSQL at \(summary)"
        }
    }
}

public enum StartupError: Error, CustomStringConvertible, Sendable {
    case databaseUnreachable(where: String, detail: String)

    public var description: String {
        switch self {
        case .databaseUnreachable(let location, let detail):
            "Cannot use the database (\(location)). Check that it is running and that the settings are right. (\(detail))"
        }
    }
}

/// Seeds the avoine demo into an empty database, for `serve --demo`.
public func seedDemoIfEmpty(_ storage: Storage, clock: Clock = .live, logger: Logger) async throws -> Bool {
    guard try await storage.store.isEmpty() else { return false }
    let now = clock.now()
    let options = SeedOptions(
        profile: .avoine, seed: 1, today: LocalDate(now, in: Site.defaultZone), now: now,
        demoPasswordHash: Bcrypt.hash(DemoAccounts.password, cost: 12))
    let report = try await Seeder(store: storage.store, logger: logger).seed(options)
    logger.info("Loaded the avoine demo", metadata: ["rows": "\(report)"])
    return true
}
