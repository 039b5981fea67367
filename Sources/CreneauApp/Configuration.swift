import CreneauDomain
import CreneauHTTP
import CreneauMail
import CreneauStorage
import Foundation
import Logging

/// Everything Creneau reads from its environment, read once at start and
/// typed. The embedded default needs nothing: SQLite in `./data`, a generated
/// key file beside it. Production (`CRENEAU_ENV=production`) must name its
/// PostgreSQL database and its encryption keys, and fails loudly — naming the
/// setting, never printing a secret — when one is missing or wrong.
public struct Configuration: Sendable {
    public enum Mode: String, Sendable { case development, production }

    public enum DatabaseLocation: Sendable {
        /// `createDirectory`: the default `./data` folder is made on first run;
        /// a folder the operator named must already exist.
        case sqlite(path: String, createDirectory: Bool)
        /// `summary` is hosts, ports and database name, for messages; never the password.
        case postgres(PostgresServers, summary: String)
    }

    public enum KeySource: Sendable {
        /// Key ring text from `CRENEAU_ENCRYPTION_KEYS`.
        case inline(String)
        /// A key ring file (`CRENEAU_ENCRYPTION_KEY_FILE`); `createIfMissing` only for the embedded default.
        case file(path: String, createIfMissing: Bool)
    }

    public enum LogFormat: String, Sendable { case text, json }

    public enum MailDelivery: Sendable, Equatable {
        /// Through an SMTP server (`CRENEAU_SMTP_URL`).
        case smtp(SMTPConfiguration)
        /// As `.eml` files in a folder (`CRENEAU_MAIL_DIR`): development and the demo only.
        case drop(directory: String)
    }

    public enum SMSDelivery: Sendable, Equatable {
        /// Through an HTTP gateway (`CRENEAU_SMS_URL`).
        case gateway(SMSGatewayConfiguration)
        /// As text files in a folder (`CRENEAU_SMS_DIR`): development and the demo only.
        case drop(directory: String)
    }

    public var mode: Mode
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    public var keys: KeySource
    /// The PostgreSQL URL as given, for the tools that take one (`pg_dump`, `pg_restore`).
    public var postgresURL: String?
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// How long a slot is held while a patient fills in the booking form (`CRENEAU_HOLD_MINUTES`, default 10).
    public var holdDuration: TimeInterval = 10 * 60
    /// How long `serve` may spend loading agendas before it opens (`CRENEAU_WARM_UP_SECONDS`, 0: none).
    public var agendaWarmUpSeconds = 20
    /// The address patients use (`CRENEAU_PUBLIC_URL`, e.g. https://rdv.hopital.fr); https turns HSTS on.
    public var publicURL: URL?
    /// Per-instance abuse limits on sign-in-free bookings (`CRENEAU_RATE_LIMITS=off` for load tests,
    /// or behind a proxy that limits already).
    public var rateLimits = true
    /// The waiting room for surges (`CRENEAU_WAITING_ROOM`, on by default in production, off in
    /// development; `CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT`, `CRENEAU_WAITING_ROOM_LATENCY_MS`). Nil: off.
    public var waitingRoom: WaitingRoom.Settings?
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (`CRENEAU_TRUSTED_PROXIES`, comma-separated).
    public var trustedProxies: Set<String> = []
    /// How emails (verification links, sign-in codes, reset links) leave.
    public var mail: MailDelivery = .drop(directory: "data/mail")
    /// The address the links in messages start with: the public one, or this server's.
    public var effectivePublicURL: String { publicURL?.absoluteString ?? "http://\(host):\(port)" }
    /// The secret the SMS gateway sends with patients' replies (`CRENEAU_SMS_INBOUND_TOKEN`); nil: replies are not accepted.
    public var smsInboundToken: String?
    /// How long a sender keeps the messages it took before another may take them (`CRENEAU_OUTBOX_LEASE_SECONDS`,
    /// 5–3600, default 120): a sender killed mid-send delays its messages by at most this much.
    public var outboxLease: TimeInterval = 120
    /// How long a waiting-list offer holds its slot for the patient it goes to
    /// (`CRENEAU_WAITLIST_OFFER_MINUTES`, 1–120, default 15; shorter when the visit is soon).
    public var waitlistOfferWindow: TimeInterval = WaitlistRules.standardOfferWindow
    /// The hour (Paris time, 0–23, `CRENEAU_STATISTICS_HOUR`, default 5) after which the day's delay to the third
    /// next available slot and open time are recorded: early, before the phones open, so every day is measured alike.
    public var statisticsHour = 5
    /// How long typed texts, dormant patients' identities and the access audit are kept
    /// (`CRENEAU_RETENTION_TEXTS_MONTHS`, `CRENEAU_RETENTION_PATIENTS_MONTHS`, `CRENEAU_RETENTION_AUDIT_MONTHS`).
    public var retention = RetentionPolicy()
    /// How text messages leave.
    public var sms: SMSDelivery = .drop(directory: "data/sms")
    /// The sender of those emails (`CRENEAU_MAIL_FROM`).
    public var mailFrom = "Creneau <no-reply@creneau.localhost>"
    /// A training or demonstration instance's clock starts at this instant and runs on
    /// (`CRENEAU_DEMO_START`, RFC 3339; refused in production).
    public var demoStart: Date?

    /// The clock the server runs on: the real one, or the training clock, fixed once at load.
    public var clock: Clock = .live

    /// What one client may hold of the server (`ConnectionLimits`): timeouts and connection caps.
    public var connections = ConnectionLimits()
    /// Where `/metrics` is served: beside the application (default, loopback deployments),
    /// behind a bearer token (`CRENEAU_METRICS_TOKEN`), or not at all (`CRENEAU_METRICS=off`).
    public var metrics: MetricsAccess = .open
    /// Database timeouts (`CRENEAU_DB_CONNECT_TIMEOUT`, `CRENEAU_DB_STATEMENT_TIMEOUT`, seconds).
    public var databaseTimeouts = DatabaseTimeouts()

    public static let defaultDatabasePath = "data/creneau.sqlite"

    /// Command-line values, which win over the environment.
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var databasePath: String?
        public var databaseURL: String?
        public var logLevel: String?
        public var logFormat: String?

        public init(host: String? = nil, port: Int? = nil, databasePath: String? = nil, databaseURL: String? = nil,
                    logLevel: String? = nil, logFormat: String? = nil) {
            self.host = host
            self.port = port
            self.databasePath = databasePath
            self.databaseURL = databaseURL
            self.logLevel = logLevel
            self.logFormat = logFormat
        }
    }

    public static func load(environment: [String: String], overrides: Overrides = .init()) throws -> Configuration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }

        guard let mode = Mode(rawValue: value("CRENEAU_ENV") ?? "development") else {
            throw ConfigurationError(setting: "CRENEAU_ENV", problem: "must be \"development\" or \"production\".")
        }

        let host = overrides.host ?? value("CRENEAU_HOST") ?? "127.0.0.1"
        let port: Int
        if let override = overrides.port {
            port = override
        } else if let text = value("CRENEAU_PORT") {
            guard let parsed = Int(text) else { throw ConfigurationError(setting: "CRENEAU_PORT", problem: "must be a number from 1 to 65535.") }
            port = parsed
        } else {
            port = 8080
        }
        guard (1...65_535).contains(port) else {
            throw ConfigurationError(setting: overrides.port != nil ? "--port" : "CRENEAU_PORT", problem: "must be a number from 1 to 65535.")
        }

        let urlSetting = overrides.databaseURL != nil ? "--database-url" : value("CRENEAU_DATABASE_URL") != nil ? "CRENEAU_DATABASE_URL" : "DATABASE_URL"
        let database: DatabaseLocation
        let givenURL = overrides.databaseURL ?? value("CRENEAU_DATABASE_URL") ?? value("DATABASE_URL")
        if let url = givenURL {
            database = try postgres(url: url, setting: urlSetting)
        } else if mode == .production {
            throw ConfigurationError(setting: "DATABASE_URL", problem: "is required in production: set it to postgres://user:password@host:5432/database.")
        } else if let path = overrides.databasePath ?? value("CRENEAU_DATABASE_PATH") {
            database = .sqlite(path: path, createDirectory: false)
        } else {
            database = .sqlite(path: defaultDatabasePath, createDirectory: true)
        }

        let keys: KeySource
        if let inline = value("CRENEAU_ENCRYPTION_KEYS") {
            keys = .inline(inline)
        } else if let path = value("CRENEAU_ENCRYPTION_KEY_FILE") {
            keys = .file(path: path, createIfMissing: false)
        } else if mode == .production {
            throw ConfigurationError(
                setting: "CRENEAU_ENCRYPTION_KEY_FILE",
                problem: "is required in production (or CRENEAU_ENCRYPTION_KEYS): health texts are encrypted with keys kept outside the database. Make one with `creneau keygen`.")
        } else {
            let folder: String
            if case .sqlite(let path, _) = database {
                folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            } else {
                folder = "data"
            }
            keys = .file(path: folder + "/creneau.keys", createIfMissing: true)
        }

        let levelText = overrides.logLevel ?? value("CRENEAU_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(setting: overrides.logLevel != nil ? "--log-level" : "CRENEAU_LOG_LEVEL",
                                     problem: "must be one of trace, debug, info, notice, warning, error, critical.")
        }
        let formatText = overrides.logFormat ?? value("CRENEAU_LOG_FORMAT") ?? (mode == .production ? "json" : "text")
        guard let logFormat = LogFormat(rawValue: formatText.lowercased()) else {
            throw ConfigurationError(setting: overrides.logFormat != nil ? "--log-format" : "CRENEAU_LOG_FORMAT", problem: "must be text or json.")
        }

        var configuration = Configuration(mode: mode, host: host, port: port, database: database, keys: keys, logLevel: logLevel, logFormat: logFormat)
        configuration.postgresURL = givenURL
        if let text = value("CRENEAU_HOLD_MINUTES") {
            guard let minutes = Int(text), (1...60).contains(minutes) else {
                throw ConfigurationError(setting: "CRENEAU_HOLD_MINUTES", problem: "must be a number of minutes from 1 to 60.")
            }
            configuration.holdDuration = TimeInterval(minutes * 60)
        }
        if let text = value("CRENEAU_RATE_LIMITS") {
            guard ["on", "off"].contains(text.lowercased()) else {
                throw ConfigurationError(setting: "CRENEAU_RATE_LIMITS", problem: "must be on or off.")
            }
            configuration.rateLimits = text.lowercased() == "on"
        }
        let roomSwitch = value("CRENEAU_WAITING_ROOM")?.lowercased()
        guard roomSwitch == nil || ["on", "off"].contains(roomSwitch ?? "") else {
            throw ConfigurationError(setting: "CRENEAU_WAITING_ROOM", problem: "must be on or off.")
        }
        if roomSwitch == "on" || (roomSwitch == nil && configuration.mode == .production) {
            var room = WaitingRoom.Settings()
            if let text = value("CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT") {
                guard text.count <= 6, let count = Int(text.trimmingCharacters(in: .whitespaces)), (1...100_000).contains(count) else {
                    throw ConfigurationError(setting: "CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT", problem: "must be a number of requests from 1 to 100000.")
                }
                room.maxInFlight = count
            }
            if let text = value("CRENEAU_WAITING_ROOM_LATENCY_MS") {
                guard text.count <= 6, let milliseconds = Int(text.trimmingCharacters(in: .whitespaces)), (10...60_000).contains(milliseconds) else {
                    throw ConfigurationError(setting: "CRENEAU_WAITING_ROOM_LATENCY_MS", problem: "must be a number of milliseconds from 10 to 60000.")
                }
                room.latencyBound = Double(milliseconds) / 1_000
            }
            configuration.waitingRoom = room
        }
        if let text = value("CRENEAU_TRUSTED_PROXIES") {
            configuration.trustedProxies = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let text = value("CRENEAU_PUBLIC_URL") {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ConfigurationError(setting: "CRENEAU_PUBLIC_URL", problem: "must be the address patients use, like https://rdv.hopital.fr.")
            }
            configuration.publicURL = url
        }
        if let text = value("CRENEAU_SMTP_URL") {
            var smtp = try smtpConfiguration(url: text)
            smtp.trustRootsFile = value("CRENEAU_SMTP_CA_FILE")
            configuration.mail = .smtp(smtp)
        } else if mode == .production {
            throw ConfigurationError(
                setting: "CRENEAU_SMTP_URL",
                problem: "is required in production: patients receive their verification links and sign-in codes by email (smtp+starttls://user:password@relay.hopital.fr:587).")
        } else if let folder = value("CRENEAU_MAIL_DIR") {
            configuration.mail = .drop(directory: folder)
        } else {
            let folder: String
            if case .sqlite(let path, _) = database { folder = URL(fileURLWithPath: path).deletingLastPathComponent().path } else { folder = "data" }
            configuration.mail = .drop(directory: folder + "/mail")
        }
        configuration.sms = try smsDelivery(value, mode: mode, mailFolder: configuration.mail)
        if let text = value("CRENEAU_OUTBOX_LEASE_SECONDS") {
            guard let seconds = Int(text), (5...3_600).contains(seconds) else {
                throw ConfigurationError(setting: "CRENEAU_OUTBOX_LEASE_SECONDS", problem: "must be a number of seconds from 5 to 3600.")
            }
            configuration.outboxLease = TimeInterval(seconds)
        }
        if let text = value("CRENEAU_WAITLIST_OFFER_MINUTES") {
            guard let minutes = Int(text.trimmingCharacters(in: .whitespaces)), (1...120).contains(minutes) else {
                throw ConfigurationError(setting: "CRENEAU_WAITLIST_OFFER_MINUTES", problem: "must be a number of minutes from 1 to 120.")
            }
            configuration.waitlistOfferWindow = TimeInterval(minutes * 60)
        }
        if let text = value("CRENEAU_STATISTICS_HOUR") {
            guard let hour = Int(text.trimmingCharacters(in: .whitespaces)), (0...23).contains(hour) else {
                throw ConfigurationError(setting: "CRENEAU_STATISTICS_HOUR", problem: "must be an hour from 0 to 23 (Paris time).")
            }
            configuration.statisticsHour = hour
        }
        for (name, range, path, what) in [
            ("CRENEAU_RETENTION_TEXTS_MONTHS", RetentionPolicy.healthTextRange, \RetentionPolicy.healthTextMonths, "typed texts about visits are kept after the visit"),
            ("CRENEAU_RETENTION_PATIENTS_MONTHS", RetentionPolicy.dormantPatientRange, \RetentionPolicy.dormantPatientMonths,
             "a patient's identity is kept after their last visit"),
            ("CRENEAU_RETENTION_AUDIT_MONTHS", RetentionPolicy.accessAuditRange, \RetentionPolicy.accessAuditMonths, "the access audit is kept"),
        ] {
            guard let text = value(name) else { continue }
            guard text.count <= 4, let months = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(months) else {
                throw ConfigurationError(setting: name, problem: "must be a number of months from \(range.lowerBound) to \(range.upperBound): how long \(what).")
            }
            configuration.retention[keyPath: path] = months
        }
        if let token = value("CRENEAU_SMS_INBOUND_TOKEN") {
            guard token.count >= 24 else {
                throw ConfigurationError(setting: "CRENEAU_SMS_INBOUND_TOKEN", problem: "must be at least 24 characters (a random secret the gateway sends with replies).")
            }
            configuration.smsInboundToken = token
        }
        if let text = value("CRENEAU_DEMO_START") {
            guard mode == .development else {
                throw ConfigurationError(setting: "CRENEAU_DEMO_START", problem: "moves the server's clock, for training and demonstrations only: it is refused in production.")
            }
            let parser = ISO8601DateFormatter()
            parser.formatOptions = [.withInternetDateTime]
            guard let start = parser.date(from: text) else {
                throw ConfigurationError(setting: "CRENEAU_DEMO_START", problem: "must be an instant like 2026-11-23T08:00:00+01:00.")
            }
            configuration.demoStart = start
            configuration.clock = .starting(at: start)
        }
        if let text = value("CRENEAU_WARM_UP_SECONDS") {
            guard text.count <= 3, let seconds = Int(text.trimmingCharacters(in: .whitespaces)), (0...300).contains(seconds) else {
                throw ConfigurationError(setting: "CRENEAU_WARM_UP_SECONDS", problem: "must be a number of seconds from 0 to 300.")
            }
            configuration.agendaWarmUpSeconds = seconds
        }
        configuration.connections = try ConnectionLimits.load(value)
        configuration.databaseTimeouts = try DatabaseTimeouts.load(value)
        if let text = value("CRENEAU_METRICS") {
            guard ["on", "off"].contains(text.lowercased()) else { throw ConfigurationError(setting: "CRENEAU_METRICS", problem: "must be on or off.") }
            if text.lowercased() == "off" { configuration.metrics = .off }
        }
        if let token = value("CRENEAU_METRICS_TOKEN") {
            guard token.count >= 24 else {
                throw ConfigurationError(setting: "CRENEAU_METRICS_TOKEN", problem: "must be at least 24 characters (a random secret the scraper sends as a bearer token).")
            }
            if configuration.metrics != .off { configuration.metrics = .token(token) }
        }
        if let text = value("CRENEAU_MAIL_FROM") {
            guard (try? MIMEMessage.Mailbox(text)) != nil else {
                throw ConfigurationError(setting: "CRENEAU_MAIL_FROM", problem: "must be an address, like \"Hôpital Avoine <rdv@hopital-avoine.fr>\".")
            }
            configuration.mailFrom = text
        }
        return configuration
    }

    /// The SMS gateway (`CRENEAU_SMS_URL`, `CRENEAU_SMS_AUTH_HEADER`, `CRENEAU_SMS_SENDER`,
    /// `CRENEAU_SMS_FORMAT`, `CRENEAU_SMS_CA_FILE`), required in production; elsewhere text files
    /// beside the emails (`CRENEAU_SMS_DIR`).
    static func smsDelivery(_ value: (String) -> String?, mode: Mode, mailFolder: MailDelivery) throws -> SMSDelivery {
        guard let text = value("CRENEAU_SMS_URL") else {
            if mode == .production {
                throw ConfigurationError(
                    setting: "CRENEAU_SMS_URL",
                    problem: "is required in production: patients without email are confirmed and reminded by SMS (https://sms.prestataire.fr/v1/messages).")
            }
            if let folder = value("CRENEAU_SMS_DIR") { return .drop(directory: folder) }
            if case .drop(let mail) = mailFolder { return .drop(directory: URL(fileURLWithPath: mail).deletingLastPathComponent().appendingPathComponent("sms").path) }
            return .drop(directory: "data/sms")
        }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            throw ConfigurationError(setting: "CRENEAU_SMS_URL", problem: "must be the gateway's http(s) address, like https://sms.prestataire.fr/v1/messages.")
        }
        if mode == .production && url.scheme?.lowercased() != "https" && !["localhost", "127.0.0.1", "::1"].contains(url.host ?? "") {
            throw ConfigurationError(setting: "CRENEAU_SMS_URL", problem: "must use https in production: messages carry patients' names and links.")
        }
        var gateway = SMSGatewayConfiguration(url: url)
        if let header = value("CRENEAU_SMS_AUTH_HEADER") {
            let parts = header.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].contains(" "), !parts[0].isEmpty, !header.contains(where: \.isNewline) else {
                throw ConfigurationError(setting: "CRENEAU_SMS_AUTH_HEADER", problem: "must be one header line, like “Authorization: Bearer <key>”.")
            }
            gateway.authHeader = header
        }
        if let sender = value("CRENEAU_SMS_SENDER") {
            guard SMSGatewayConfiguration.isValidSender(sender) else {
                throw ConfigurationError(setting: "CRENEAU_SMS_SENDER", problem: "must be 3 to 11 letters or digits (operators' rule), like HOPAVOINE.")
            }
            gateway.sender = sender
        }
        if let format = value("CRENEAU_SMS_FORMAT") {
            guard let parsed = SMSGatewayConfiguration.Format(rawValue: format.lowercased()) else {
                throw ConfigurationError(setting: "CRENEAU_SMS_FORMAT", problem: "must be json or form.")
            }
            gateway.format = parsed
        }
        gateway.trustRootsFile = value("CRENEAU_SMS_CA_FILE")
        return .gateway(gateway)
    }

    /// `smtp://relay:25` (plain, a relay on a trusted network), `smtp+starttls://user:password@host:587`,
    /// `smtps://user:password@host:465`. User and password are percent-decoded.
    static func smtpConfiguration(url text: String) throws -> SMTPConfiguration {
        let setting = "CRENEAU_SMTP_URL"
        let expected = "(expected smtp://relay:25, smtp+starttls://user:password@host:587 or smtps://user:password@host:465)"
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw ConfigurationError(setting: setting, problem: "is not an SMTP URL \(expected).")
        }
        let security: SMTPConfiguration.Security, defaultPort: Int
        switch scheme {
        case "smtp": (security, defaultPort) = (.none, 25)
        case "smtp+starttls": (security, defaultPort) = (.startTLS, 587)
        case "smtps": (security, defaultPort) = (.tls, 465)
        default: throw ConfigurationError(setting: setting, problem: "has an unknown scheme \(expected).")
        }
        let username = url.percentEncodedUser?.removingPercentEncoding
        let password = url.percentEncodedPassword?.removingPercentEncoding
        guard (username == nil) == (password == nil) else {
            throw ConfigurationError(setting: setting, problem: "gives a user without a password, or a password without a user.")
        }
        if security == .none, password != nil, !["localhost", "127.0.0.1", "::1"].contains(host) {
            throw ConfigurationError(setting: setting, problem: "would send the SMTP password without TLS: use smtp+starttls:// or smtps://.")
        }
        return SMTPConfiguration(host: host, port: url.port ?? defaultPort, security: security, username: username, password: password)
    }
}

/// A setting that is missing or wrong. The message names the setting and
/// what it expects; it never repeats the value (it may hold a password).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let setting: String
    public let problem: String

    public var description: String { "Configuration error: \(setting) \(problem)" }
}
