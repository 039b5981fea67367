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
            database = Database.postgres(configuration: postgres, logger: logger,
                                         timeouts: serving ? .init(connect: limits.connect, statement: limits.statement) : nil)
        }
        return Storage(database: database, store: SQLStore(database: database, cipher: cipher))
    }

    /// Applies pending migrations, turning "cannot connect" into a message that
    /// says where Creneau looked.
    public func migrate(_ configuration: Configuration) async throws -> [String] {
        do {
            let applied = try await Migrator(database: database).migrate()
            _ = try await store.backfillPatientSearch()
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

extension BookingService {
    /// The service as `creneau serve` runs it: every repository is the SQL store, reads through the caches.
    public static func live(
        store: SQLStore, directory: any DirectoryRepository, availability: any AvailabilityRepository,
        writer: any BookingWriter, clock: Clock, holdDuration: TimeInterval
    ) -> BookingService {
        BookingService(.init(
            directory: directory, motives: store, availability: availability, patients: store, referringDoctors: store,
            appointments: store, bookings: store, writer: writer, audit: store, clock: clock, ids: .random, tokens: .random),
            holdDuration: holdDuration)
    }
}

/// Clears expired holds and idempotency records every 30 seconds. Expired holds
/// already count for nothing; this gives their rows back.
struct ExpiryService: Service {
    let bookings: any BookingRepository
    let clock: Clock
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let purged = try await bookings.purgeExpired(now: clock.now())
                if purged.holds + purged.idempotencyRecords > 0 {
                    logger.debug("Purged expired rows", metadata: ["holds": "\(purged.holds)", "idempotency": "\(purged.idempotencyRecords)"])
                }
            } catch {
                logger.warning("Could not purge expired holds", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(30)) }
        }
    }
}

/// Closes the connection pool when the service group shuts down.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
    }
}

/// Builds the whole server: storage migrated (and seeded with `demo`),
/// router, HTTP server and the services that live as long as it.
public func buildApplication(_ configuration: Configuration, demo: Bool, logger: Logger) async throws -> some ApplicationProtocol {
    let clock = configuration.clock
    if let start = configuration.demoStart { logger.notice("Demonstration clock", metadata: ["clock.start": "\(start)"]) }
    // Migrations and the demo seed may take longer than a request may: they run on a pool of
    // their own, without the serving pool's timeouts, before the server opens.
    try await Storage.with(configuration, logger: logger) { setup in
        let applied = try await setup.migrate(configuration)
        if !applied.isEmpty { logger.info("Applied migrations", metadata: ["migrations": "\(applied.joined(separator: ", "))"]) }
        if demo, try await seedDemoIfEmpty(setup, clock: clock, logger: logger) {
            logger.notice("Demo accounts share the password \(DemoAccounts.password); see README.md")
        }
    }
    let storage = try Storage.open(configuration, logger: logger, serving: true)
    let directory = CachedDirectory(store: storage.store, clock: clock)
    do {
        // The first visitor should not wait for the directory to load (seconds at hospital-group scale).
        try await directory.warm()
    } catch {
        await storage.database.shutdown()
        throw error
    }
    let mailQueue: MailQueue
    do {
        mailQueue = MailQueue(transport: try makeMailer(configuration, logger: logger), logger: logger)
    } catch {
        await storage.database.shutdown()
        throw error
    }
    var served = Composition.live(
        store: storage.store, clock: clock, mailer: mailQueue,
        publicURL: configuration.publicURL?.absoluteString ?? "http://\(configuration.host):\(configuration.port)",
        holdDuration: configuration.holdDuration, limits: configuration.rateLimits ? .standard : .off,
        accountLimits: configuration.rateLimits ? .standard : .off, directory: directory)
    served.strictTransportSecurity = configuration.publicURL?.scheme?.lowercased() == "https"
    served.trustedProxies = configuration.trustedProxies
    served.metricsAccess = configuration.metrics
    served.publicOrigin = configuration.publicURL.flatMap(Origin.init(url:))?.text
    let router = buildRouter(served, logLevel: .info)
    let limits = configuration.connections
    let counter = ConnectionCounter(limits: limits, exempt: configuration.trustedProxies)
    raiseDescriptorLimit(logger: logger)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuardHandler(counter: counter)],
            idleTimeout: .milliseconds(Int64(limits.idleTimeout * 1_000)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Creneau"),
        logger: logger)
    app.addServices(
        DatabaseService(database: storage.database), ExpiryService(bookings: storage.store, clock: clock, logger: logger),
        MailService(queue: mailQueue))
    return app
}

/// SMTP when configured; otherwise `.eml` files in a folder, announced once so a newcomer finds their codes.
func makeMailer(_ configuration: Configuration, logger: Logger) throws -> any Mailer {
    let from = try MIMEMessage.Mailbox(configuration.mailFrom)
    switch configuration.mail {
    case .smtp(let smtp):
        logger.info("Emails go through SMTP", metadata: ["smtp.host": "\(smtp.host)", "smtp.port": "\(smtp.port)", "smtp.security": "\(smtp.security.rawValue)"])
        return SMTPMailer(client: SMTPClient(configuration: smtp), from: from)
    case .drop(let directory):
        logger.notice("No CRENEAU_SMTP_URL: emails are written as .eml files", metadata: ["mail.directory": "\(directory)"])
        return try MailDropMailer(directory: URL(fileURLWithPath: directory), from: from)
    }
}

/// Delivers queued emails for as long as the server runs; on shutdown, sends what is
/// waiting for up to ten seconds (a dead relay must not hold the shutdown).
struct MailService: Service {
    let queue: MailQueue

    func run() async throws {
        let worker = Task { await queue.run() }
        try? await gracefulShutdown()
        queue.finish()
        let deadline = Task {
            try await Task.sleep(for: .seconds(10))
            worker.cancel()
        }
        await worker.value
        deadline.cancel()
    }
}
