import CreneauDomain
import CreneauMail
import CreneauSeed
import CreneauStorage
import Foundation
import Prometheus
import Hummingbird
import HummingbirdBcrypt
import Logging
import ServiceLifecycle
import Synchronization

/// What the `creneau` subcommands do, so that the CLI only parses: each function takes the
/// typed configuration and does the work with the libraries.
public enum Commands {
    /// Builds the server and runs it until SIGINT or SIGTERM (in-flight requests finish, then the pool closes).
    public static func serve(_ configuration: Configuration, demo: Bool) async throws {
        let logger = LogSetup.bootstrap(configuration)
        checkOpenFileLimit(logger)
        let app = try await buildApplication(configuration, demo: demo, logger: logger)
        logger.notice("Creneau listens on http://\(configuration.host):\(configuration.port)/ (\(configuration.databaseSummary))")
        try await app.runService()
    }

    /// Sends the outbox without serving pages (for deployments that run senders apart from the
    /// web instances); any number may run beside `creneau serve`. Stops on SIGINT or SIGTERM.
    public static func worker(_ configuration: Configuration) async throws {
        let logger = LogSetup.bootstrap(configuration)
        checkOpenFileLimit(logger)
        let storage = try Storage.open(configuration, logger: logger, serving: true)
        let sender: OutboxSender, waitlist: Waitlist
        do {
            _ = try await storage.migrate(configuration)
            waitlist = try Composition.waitlist(store: storage.store, clock: configuration.clock, publicURL: configuration.effectivePublicURL,
                                                offerWindow: configuration.waitlistOfferWindow)
            // A worker serves no /metrics: its counts stay in this registry; the web instances report the queue's depth.
            sender = try makeOutboxSender(configuration, store: storage.store, clock: configuration.clock, logger: logger, registry: PrometheusCollectorRegistry())
        } catch {
            await storage.database.shutdown()
            throw error
        }
        let group = ServiceGroup(
            services: [OutboxService(sender: sender, logger: logger), WaitlistService(waitlist: waitlist, logger: logger),
                       DatabaseService(database: storage.database)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        logger.notice("Creneau worker sends the outbox and offers freed slots (\(configuration.databaseSummary))")
        try await group.run()
    }

    /// A long-running process takes all the open files it is allowed (connections, clients), and
    /// says so when that is still few: the failures it would cause read as a database problem.
    static func checkOpenFileLimit(_ logger: Logger) {
        guard let limit = OpenFileLimit.raiseToHard() else { return }
        if limit < OpenFileLimit.comfortable {
            logger.warning("Only \(limit) open files are allowed to this process; raise it (LimitNOFILE=\(OpenFileLimit.comfortable) or more in the systemd unit, ulimit -n) or busy hours may answer 503")
        }
    }

    /// The migrations applied (empty: up to date).
    public static func migrate(_ configuration: Configuration) async throws -> [String] {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { try await $0.migrate(configuration) }
    }

    /// Loads a dataset into an empty database; answers a one-line report.
    public static func seed(profile name: String, seed: UInt64, today text: String?, _ configuration: Configuration) async throws -> String {
        guard let profile = SeedProfile(rawValue: name) else {
            throw CommandError("--profile must be one of: \(SeedProfile.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let now = Clock.live.now()
        let day: LocalDate
        if let text {
            guard let parsed = LocalDate(text) else { throw CommandError("--today must be a date as YYYY-MM-DD.") }
            day = parsed
        } else {
            day = LocalDate(now, in: Site.defaultZone)
        }
        let logger = LogSetup.bootstrap(configuration)
        let started = ContinuousClock.now
        let options = SeedOptions(profile: profile, seed: seed, today: day, now: now, demoPasswordHash: Bcrypt.hash(DemoAccounts.password, cost: 12))
        let report = try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            return try await Seeder(store: storage.store, logger: logger).seed(options)
        }
        return "Seeded \(profile.rawValue) in \(ContinuousClock.now - started): \(report)"
    }

    /// Imports a hospital's patient index from a CSV file; the report names every bad line.
    public static func importPatients(file: String, acceptBadLines: Bool, _ configuration: Configuration) async throws -> (report: String, complete: Bool) {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let clock = Clock.live
            let index = PatientIndex(index: storage.store, audit: storage.store, clock: clock, ids: .random)
            let importer = PatientIndexImport(index: index, organisation: storage.store, today: LocalDate(clock.now(), in: Site.defaultZone))
            do {
                let report = try await importer.run(file: URL(fileURLWithPath: file), acceptBadLines: acceptBadLines)
                return (report.description, report.bad == 0)
            } catch let problem as ImportProblem {
                throw CommandError("line \(problem.line): \(problem.message)")
            }
        }
    }

    /// Onboards practitioners (and their staff accounts) from a CSV file, all or nothing; the
    /// report names every bad line.
    public static func importPractitioners(file: String, acceptBadLines: Bool, _ configuration: Configuration) async throws -> (report: String, complete: Bool) {
        let logger = LogSetup.bootstrap(configuration)
        let publicURL = configuration.publicURL?.absoluteString ?? "http://\(configuration.host):\(configuration.port)"
        let mailer = try makeMailer(configuration, logger: logger)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file), let size = attributes[.size] as? Int, size <= 50_000_000,
              let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CommandError("Cannot read \(file) as UTF-8 text of at most 50 MB.")
        }
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let store = storage.store
            let staff = StaffAccounts.live(store: store, mailer: mailer, emails: AccountEmails(publicURL: publicURL), clock: .live)
            let importer = PractitionerImport(organisation: store, repository: store, staff: staff, clock: .live, ids: .random)
            let started = ContinuousClock.now
            let report = try await importer.run(text, acceptBadLines: acceptBadLines, write: true, by: nil)
            var lines = ["\(report.lines) lines read: \(report.rows.count) good, \(report.problems.count) bad."]
            if let counts = report.imported {
                lines.append("Imported in \(ContinuousClock.now - started): \(counts.created) new practitioners, \(counts.updated) updated, "
                             + "\(counts.memberships) new department memberships, \(counts.accounts) new staff accounts (\(counts.toInvite.count) enrolment links sent).")
            } else if !report.problems.isEmpty {
                lines.append("Nothing imported: fix the lines below, or import the good ones with --accept-bad-lines.")
            }
            lines += report.problems.prefix(100).map { "  line \($0.line): \($0.message)" }
            return (lines.joined(separator: "\n"), report.problems.isEmpty)
        }
    }

    /// The first administrator of an installation: a group administrator (the group is created,
    /// named `groupName`, when the database has none) and the one-time link that sets their
    /// password and authenticator, also sent by email.
    public static func createAdministrator(email: String, name: String, groupName: String, _ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        let publicURL = configuration.publicURL?.absoluteString ?? "http://\(configuration.host):\(configuration.port)"
        // The link is printed whatever the mail server says: a relay not set up yet must not leave
        // the installation without its first administrator.
        let mailer = UndeliveredMailer(try makeMailer(configuration, logger: logger))
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let store = storage.store
            var group = try await store.groups().first
            if group == nil {
                let slug = SearchText.fold(groupName).replacingOccurrences(of: " ", with: "-")
                let created = HospitalGroup(id: UUID(), name: groupName, slug: slug.isEmpty ? "hopital" : slug)
                try await store.insert(created)
                group = created
            }
            guard let group else { throw CommandError("No hospital group could be created.") }
            let emails = AccountEmails(publicURL: publicURL)
            let accounts = StaffAccounts.live(store: store, mailer: mailer, emails: emails, clock: .live)
            do {
                let token = try await accounts.firstAdministrator(email: email, name: name, groupID: group.id)
                let unsent = mailer.failure.map { "\nThe email could not be sent (\($0)): give them the link yourself." } ?? ""
                return "\(email) administers \(group.name). Open this link within 7 days to choose a password and enrol an authenticator app:\n"
                    + "\(emails.publicURL)/staff/welcome?token=\(token)" + unsent
            } catch AccountError.refused(let problem) {
                throw CommandError(problem.message)
            }
        }
    }

    /// Sends through `base`, remembering a failure instead of throwing it.
    final class UndeliveredMailer: Mailer, Sendable {
        let base: any Mailer
        private let problem = Mutex<String?>(nil)
        init(_ base: any Mailer) { self.base = base }
        var failure: String? { problem.withLock { $0 } }
        func send(_ message: EmailMessage) async throws {
            do {
                try await base.send(message)
            } catch {
                problem.withLock { $0 = String(describing: error) }
            }
        }
    }

    /// A new key ring line (`id:base64`) for `CRENEAU_ENCRYPTION_KEY_FILE`.
    public static func newKeyLine(id: String) -> String { FieldCipher.newKeyRingLine(id: id) }

    /// W1 in-process; with `writeURLs`, the HTTP load's request paths are written there too
    /// (w1.txt, w2.txt, and staff.txt: the largest departments' day and week views).
    public static func benchAvailability(practitioners: Int, days: Int, rounds: Int, writeURLs folder: String?, _ configuration: Configuration) async throws -> [String] {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            let benchmark = AvailabilityBenchmark(store: storage.store)
            var lines = ["\(try await benchmark.run(practitioners: practitioners, days: days, rounds: rounds))"]
            if let folder {
                let urls = try await benchmark.urls(count: 500, days: days)
                try urls.w1.joined(separator: "\n").write(toFile: folder + "/w1.txt", atomically: true, encoding: .utf8)
                try urls.w2.joined(separator: "\n").write(toFile: folder + "/w2.txt", atomically: true, encoding: .utf8)
                let staff = try await benchmark.staffURLs(departments: 5)
                try staff.joined(separator: "\n").write(toFile: folder + "/staff.txt", atomically: true, encoding: .utf8)
                lines.append("Wrote \(urls.w1.count) W1, \(urls.w2.count) W2 and \(staff.count) staff agenda paths to \(folder)")
            }
            return lines
        }
    }

    /// Durable bookings per second on an empty database.
    public static func benchBooking(clients: Int, seconds: Double, practitioners: Int, fsyncFolder: String?, _ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            var folder = fsyncFolder ?? "/tmp"
            if fsyncFolder == nil, case .sqlite(let path, _) = configuration.database {
                folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            }
            return "\(try await BookingBenchmark(storage: storage, fsyncFolder: folder).run(clients: clients, seconds: seconds, practitioners: practitioners))"
        }
    }

    /// Plans reminders and sends a busy day's messages (see `MessagesBenchmark`).
    public static func benchMessages(days: Int, senders: Int, concurrency: Int, plan: Bool, _ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        try await Storage.with(configuration, logger: logger) { storage in _ = try await storage.migrate(configuration) }
        return "\(try await MessagesBenchmark(configuration: configuration, logger: logger).run(days: days, senders: senders, concurrency: concurrency, plan: plan))"
    }

    /// Plans the reminders of booked visits that have none yet (appointments brought in from another system); safe to repeat.
    public static func scheduleReminders(days: Int, _ configuration: Configuration) async throws -> String {
        let logger = LogSetup.bootstrap(configuration)
        return try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            let (visits, queued) = try await ReminderBackfill(visits: storage.store, planner: NoticePlanner(ids: .random)).run(days: days, now: configuration.clock.now())
            return "\(queued) reminders planned for \(visits) booked visits in the next \(days) days."
        }
    }

    /// The one line a person reads for the failures they can fix (a setting, an unreachable
    /// database, a folder, a dataset); nil for anything else, which keeps its trace.
    public static func failureMessage(_ error: any Error) -> String? {
        switch error {
        case let error as ConfigurationError: error.description
        case let error as StartupError: error.description
        case let error as DatabaseOpenError: error.description
        case let error as BenchmarkError: error.description
        case let error as SeedError: error.description
        case let error as CommandError: error.message
        case DirectoryImportError.noProfessional(let lines, let bad):
            lines == 0 ? "The file holds no line besides its header: is it the PS_LibreAcces_Personne_activite extract, fully downloaded? Nothing was changed."
                : "The file holds no professional (\(lines) lines read, \(bad) bad): is it the PS_LibreAcces_Personne_activite extract? Nothing was changed."
        case DirectoryImportError.busy(let since): "Another directory import is running (started \(since)); wait for it to end. One left by a killed process is taken over after ten minutes."
        default: nil
        }
    }
}

/// A command-line value that cannot be used, said plainly.
public struct CommandError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Logging for the process, in the configured format and level.
public enum LogSetup {
    /// swift-log takes one bootstrap a process: a second command run in the same process (the
    /// tests) keeps the first's handlers, with its own level on the logger it gets.
    private static let bootstrapped = Mutex(false)

    public static func bootstrap(_ configuration: Configuration) -> Logger {
        let level = configuration.logLevel
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        } }
        var logger = Logger(label: "creneau")
        logger.logLevel = level
        return logger
    }
}
