import CreneauApp
import CreneauHTTP
import CreneauMail
import CreneauDomain
import Foundation
import Testing

@Suite("Configuration is read once, typed, and fails loudly without secrets")
struct ConfigurationTests {
    @Test("the embedded default needs nothing")
    func defaults() throws {
        let configuration = try Configuration.load(environment: [:])
        #expect(configuration.mode == .development)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        guard case .sqlite(let path, let create) = configuration.database else { Issue.record("expected SQLite"); return }
        #expect(path == "data/creneau.sqlite")
        #expect(create)
        guard case .file(let keyPath, let createKey) = configuration.keys else { Issue.record("expected a key file"); return }
        #expect(keyPath.hasSuffix("data/creneau.keys"))
        #expect(createKey)
    }

    @Test("hold length, rate limits and the public address")
    func bookingSettings() throws {
        let defaults = try Configuration.load(environment: [:])
        #expect(defaults.holdDuration == 600 && defaults.rateLimits && defaults.publicURL == nil)
        let set = try Configuration.load(environment: ["CRENEAU_HOLD_MINUTES": "5", "CRENEAU_RATE_LIMITS": "off", "CRENEAU_PUBLIC_URL": "https://rdv.hopital.fr"])
        #expect(set.holdDuration == 300 && !set.rateLimits && set.publicURL?.host == "rdv.hopital.fr")
    }

    @Test("connection limits, database timeouts and /metrics access: defaults and settings")
    func limits() throws {
        let defaults = try Configuration.load(environment: [:])
        #expect(defaults.connections == ConnectionLimits())
        #expect(defaults.connections.idleTimeout == 30 && defaults.connections.maxConnectionsPerAddress == 256)
        #expect(defaults.databaseTimeouts.connect == 5 && defaults.databaseTimeouts.statement == 10)
        #expect(defaults.metrics == .open)
        let set = try Configuration.load(environment: [
            "CRENEAU_IDLE_TIMEOUT": "5", "CRENEAU_REQUEST_TIMEOUT": "7", "CRENEAU_MAX_CONNECTIONS": "500", "CRENEAU_MAX_CONNECTIONS_PER_ADDRESS": "20",
            "CRENEAU_DB_CONNECT_TIMEOUT": "2", "CRENEAU_DB_STATEMENT_TIMEOUT": "30", "CRENEAU_METRICS_TOKEN": "a-scraper-secret-of-24-characters",
        ])
        #expect(set.connections.idleTimeout == 5 && set.connections.requestTimeout == 7)
        #expect(set.connections.maxConnections == 500 && set.connections.maxConnectionsPerAddress == 20)
        #expect(set.databaseTimeouts.connect == 2 && set.databaseTimeouts.statement == 30)
        #expect(set.metrics == .token("a-scraper-secret-of-24-characters"))
        #expect(try Configuration.load(environment: ["CRENEAU_METRICS": "off", "CRENEAU_METRICS_TOKEN": "a-scraper-secret-of-24-characters"]).metrics == .off)
    }

    @Test("DATABASE_URL selects PostgreSQL; the command line wins over the environment")
    func postgres() throws {
        let configuration = try Configuration.load(
            environment: ["DATABASE_URL": "postgres://app:s3cret@db.internal:6543/creneau", "CRENEAU_PORT": "9000"],
            overrides: .init(port: 9100))
        #expect(configuration.port == 9100)
        #expect(configuration.databaseSummary == "PostgreSQL at db.internal:6543/creneau")
        #expect(!configuration.databaseSummary.contains("s3cret"))
    }

    @Test("a primary and its standbys in one URL (libpq's form): Creneau writes to whichever is writable")
    func postgresStandbys() throws {
        let configuration = try Configuration.load(environment: [
            "DATABASE_URL": "postgres://app:s3cret@db-a.internal:5432,db-b.internal:6432/creneau?sslmode=disable&target_session_attrs=read-write",
        ])
        guard case .postgres(let servers, _) = configuration.database else { Issue.record("expected PostgreSQL"); return }
        #expect(servers.servers.count == 2 && servers.writableOnly)
        #expect(servers.servers.map(\.coreConfiguration.host) == ["db-a.internal", "db-b.internal"])
        #expect(servers.servers.map(\.coreConfiguration.port) == [5432, 6432])
        #expect(servers.servers.allSatisfy { $0.coreConfiguration.username == "app" && $0.coreConfiguration.password == "s3cret" && $0.coreConfiguration.database == "creneau" })
        #expect(configuration.databaseSummary == "PostgreSQL at db-a.internal:5432,db-b.internal:6432/creneau (the writable one)")
        #expect(!configuration.databaseSummary.contains("s3cret"))
        // pg_dump and pg_restore get the URL as given: libpq reads the same hosts and attribute.
        #expect(configuration.postgresURL?.contains("target_session_attrs=read-write") == true)
        // One server may ask for the check too; `primary` is libpq's other name for it.
        guard case .postgres(let one, _) = try Configuration.load(environment: ["DATABASE_URL": "postgres://u:p@h/db?target_session_attrs=primary"]).database
        else { Issue.record("expected PostgreSQL"); return }
        #expect(one.servers.count == 1 && one.writableOnly)
        guard case .postgres(let plain, _) = try Configuration.load(environment: ["DATABASE_URL": "postgres://u:p@h/db"]).database
        else { Issue.record("expected PostgreSQL"); return }
        #expect(plain.servers.count == 1 && !plain.writableOnly)
    }

    @Test("several servers without read-write, another attribute, an empty host or too many: refused with the reason", arguments: [
        ("postgres://u:p@a,b/db", "target_session_attrs=read-write"),
        ("postgres://u:p@a,b/db?target_session_attrs=any", "target_session_attrs=read-write"),
        ("postgres://u:p@a,b/db?target_session_attrs=read-only", "Creneau writes"),
        ("postgres://u:p@a,/db?target_session_attrs=read-write", "not a postgres:// URL"),
        ("postgres://u:p@a,b,c,d,e,f,g,h,i/db?target_session_attrs=read-write", "more than 8"),
    ])
    func postgresStandbysRefused(url: String, reason: String) {
        do {
            _ = try Configuration.load(environment: ["DATABASE_URL": url])
            Issue.record("\(url) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.setting == "DATABASE_URL")
            #expect(error.problem.contains(reason), "\(error.problem)")
            #expect(!error.description.contains(":p@"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("production without a database URL names DATABASE_URL")
    func productionNeedsDatabase() {
        #expect(throws: ConfigurationError.self) { try Configuration.load(environment: ["CRENEAU_ENV": "production"]) }
        do {
            _ = try Configuration.load(environment: ["CRENEAU_ENV": "production"])
        } catch let error as ConfigurationError {
            #expect(error.setting == "DATABASE_URL")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("email: .eml files beside the database by default, SMTP from its URL, required in production")
    func mail() throws {
        guard case .drop(let folder) = try Configuration.load(environment: [:]).mail else { Issue.record("expected a mail folder"); return }
        #expect(folder.hasSuffix("data/mail"))
        #expect(try Configuration.load(environment: ["CRENEAU_MAIL_DIR": "/var/mail/creneau"]).mail == .drop(directory: "/var/mail/creneau"))
        let relay = try Configuration.load(environment: ["CRENEAU_SMTP_URL": "smtp://relay.hopital.local"])
        #expect(relay.mail == .smtp(SMTPConfiguration(host: "relay.hopital.local", port: 25)))
        let submission = try Configuration.load(environment: [
            "CRENEAU_SMTP_URL": "smtp+starttls://rdv%40hopital.fr:p%40ss%20word@smtp.hopital.fr", "CRENEAU_SMTP_CA_FILE": "/etc/creneau/ca.pem",
            "CRENEAU_MAIL_FROM": "Hôpital Avoine <rdv@hopital-avoine.fr>"])
        #expect(submission.mail == .smtp(SMTPConfiguration(
            host: "smtp.hopital.fr", port: 587, security: .startTLS, username: "rdv@hopital.fr", password: "p@ss word", trustRootsFile: "/etc/creneau/ca.pem")))
        #expect(submission.mailFrom == "Hôpital Avoine <rdv@hopital-avoine.fr>")
        let tls = try Configuration.load(environment: ["CRENEAU_SMTP_URL": "smtps://u:p@smtp.hopital.fr"])
        guard case .smtp(let smtps) = tls.mail else { Issue.record("expected SMTP"); return }
        #expect(smtps.security == .tls && smtps.port == 465)

        let refused: [([String: String], String)] = [
            (["CRENEAU_SMTP_URL": "http://smtp.hopital.fr"], "CRENEAU_SMTP_URL"),
            (["CRENEAU_SMTP_URL": "smtp://user:secret-pw@smtp.hopital.fr"], "CRENEAU_SMTP_URL"),
            (["CRENEAU_SMTP_URL": "smtp+starttls://user@smtp.hopital.fr"], "CRENEAU_SMTP_URL"),
            (["CRENEAU_MAIL_FROM": "not an address"], "CRENEAU_MAIL_FROM"),
            (["CRENEAU_ENV": "production", "DATABASE_URL": "postgres://u:p@h/db", "CRENEAU_ENCRYPTION_KEYS": "k1:AAAA"], "CRENEAU_SMTP_URL"),
        ]
        for (environment, setting) in refused {
            do {
                _ = try Configuration.load(environment: environment)
                Issue.record("accepted \(environment)")
            } catch let error as ConfigurationError {
                #expect(error.setting == setting)
                #expect(!error.description.contains("secret-pw"))
            }
        }
    }

    @Test("the waiting list's offers hold 15 minutes by default, 1 to 120 when set; anything else names the setting")
    func waitlistOfferWindow() throws {
        #expect(try Configuration.load(environment: [:]).waitlistOfferWindow == 15 * 60)
        #expect(try Configuration.load(environment: ["CRENEAU_WAITLIST_OFFER_MINUTES": "5"]).waitlistOfferWindow == 5 * 60)
        for bad in ["0", "121", "quinze", "-3", "99999999999999999999"] {
            let error = #expect(throws: ConfigurationError.self) { try Configuration.load(environment: ["CRENEAU_WAITLIST_OFFER_MINUTES": bad]) }
            #expect(error?.setting == "CRENEAU_WAITLIST_OFFER_MINUTES" && error?.problem == "must be a number of minutes from 1 to 120.")
        }
    }

    @Test("retention: a year for texts, three years for a dormant identity, a year of audit by default; the audit never under six months; anything else names the setting")
    func retention() throws {
        #expect(try Configuration.load(environment: [:]).retention == RetentionPolicy(healthTextMonths: 12, dormantPatientMonths: 36, accessAuditMonths: 12))
        let set = try Configuration.load(environment: [
            "CRENEAU_RETENTION_TEXTS_MONTHS": "6", "CRENEAU_RETENTION_PATIENTS_MONTHS": "60", "CRENEAU_RETENTION_AUDIT_MONTHS": "6"])
        #expect(set.retention == RetentionPolicy(healthTextMonths: 6, dormantPatientMonths: 60, accessAuditMonths: 6))
        for (setting, bad) in [("CRENEAU_RETENTION_AUDIT_MONTHS", "5"), ("CRENEAU_RETENTION_AUDIT_MONTHS", "un an"), ("CRENEAU_RETENTION_PATIENTS_MONTHS", "11"),
                               ("CRENEAU_RETENTION_TEXTS_MONTHS", "0"), ("CRENEAU_RETENTION_TEXTS_MONTHS", "99999999999999999999")] {
            let error = #expect(throws: ConfigurationError.self) { try Configuration.load(environment: [setting: bad]) }
            #expect(error?.setting == setting && error?.problem.hasPrefix("must be a number of months from") == true, "\(String(describing: error))")
        }
    }

    @Test("the waiting room: on in production, off in development unless asked; its bounds typed; anything else names the setting")
    func waitingRoom() throws {
        #expect(try Configuration.load(environment: [:]).waitingRoom == nil)
        let production = try Configuration.load(environment: [
            "CRENEAU_ENV": "production", "DATABASE_URL": "postgres://u:p@h/db", "CRENEAU_ENCRYPTION_KEYS": "k1:AAAA", "CRENEAU_SMTP_URL": "smtp://relay",
            "CRENEAU_SMS_URL": "https://sms.example.org/v1"])
        #expect(production.waitingRoom == WaitingRoom.Settings())
        let asked = try Configuration.load(environment: ["CRENEAU_WAITING_ROOM": "on", "CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT": "32", "CRENEAU_WAITING_ROOM_LATENCY_MS": "250"])
        #expect(asked.waitingRoom?.maxInFlight == 32 && asked.waitingRoom?.latencyBound == 0.25)
        for (setting, bad) in [("CRENEAU_WAITING_ROOM", "maybe"), ("CRENEAU_WAITING_ROOM_MAX_IN_FLIGHT", "0"), ("CRENEAU_WAITING_ROOM_LATENCY_MS", "5"),
                               ("CRENEAU_WAITING_ROOM_LATENCY_MS", "9999999999")] {
            let error = #expect(throws: ConfigurationError.self) { try Configuration.load(environment: ["CRENEAU_WAITING_ROOM": "on"].merging([setting: bad]) { $1 }) }
            #expect(error?.setting == setting, "\(String(describing: error))")
        }
    }

    @Test("the SMS gateway: its address, auth header, sender name and format; https and the gateway required in production; text files otherwise")
    func smsGateway() throws {
        let gateway = try Configuration.load(environment: [
            "CRENEAU_SMS_URL": "https://sms.example.org/v1/messages", "CRENEAU_SMS_AUTH_HEADER": "X-Api-Key: abc123", "CRENEAU_SMS_SENDER": "HOPAVOINE",
            "CRENEAU_SMS_FORMAT": "form"])
        guard case .gateway(let settings) = gateway.sms else { Issue.record("no gateway"); return }
        #expect(settings.url.host == "sms.example.org" && settings.authHeader == "X-Api-Key: abc123" && settings.sender == "HOPAVOINE" && settings.format == .form)
        guard case .drop(let folder) = try Configuration.load(environment: ["CRENEAU_MAIL_DIR": "/tmp/x/mail"]).sms else { Issue.record("no drop"); return }
        #expect(folder == "/tmp/x/sms")
        let production = ["CRENEAU_ENV": "production", "DATABASE_URL": "postgres://u:p@h/db", "CRENEAU_ENCRYPTION_KEYS": "k1:AAAA", "CRENEAU_SMTP_URL": "smtp://relay"]
        for (environment, setting) in [
            (production, "CRENEAU_SMS_URL"),
            (production.merging(["CRENEAU_SMS_URL": "http://sms.example.org/v1"]) { $1 }, "CRENEAU_SMS_URL"),
            (["CRENEAU_SMS_URL": "ftp://sms.example.org"], "CRENEAU_SMS_URL"),
            (["CRENEAU_SMS_URL": "https://sms.example.org", "CRENEAU_SMS_AUTH_HEADER": "Bearer abc"], "CRENEAU_SMS_AUTH_HEADER"),
            (["CRENEAU_SMS_URL": "https://sms.example.org", "CRENEAU_SMS_SENDER": "Hôpital d'Avoine"], "CRENEAU_SMS_SENDER"),
            (["CRENEAU_SMS_URL": "https://sms.example.org", "CRENEAU_SMS_FORMAT": "xml"], "CRENEAU_SMS_FORMAT"),
        ] {
            do {
                _ = try Configuration.load(environment: environment)
                Issue.record("accepted \(environment)")
            } catch let error as ConfigurationError {
                #expect(error.setting == setting)
            }
        }
    }

    @Test("a training clock: development only, an RFC 3339 instant, and it runs on from there")
    func demoClock() async throws {
        let configuration = try Configuration.load(environment: ["CRENEAU_DEMO_START": "2026-11-23T08:00:00+01:00"])
        #expect(configuration.demoStart == Date(timeIntervalSince1970: 1_795_417_200))
        let first = configuration.clock.now()
        #expect(abs(first.timeIntervalSince1970 - 1_795_417_200) < 5)
        try await Task.sleep(for: .milliseconds(1_100))
        #expect(configuration.clock.now() > first)
        for (environment, setting) in [
            (["CRENEAU_DEMO_START": "lundi matin"], "CRENEAU_DEMO_START"),
            (["CRENEAU_ENV": "production", "DATABASE_URL": "postgres://u:p@h/db", "CRENEAU_ENCRYPTION_KEYS": "k1:AAAA",
              "CRENEAU_SMTP_URL": "smtp://relay", "CRENEAU_SMS_URL": "https://sms.example.org/v1/messages",
              "CRENEAU_DEMO_START": "2026-11-23T08:00:00+01:00"], "CRENEAU_DEMO_START"),
        ] {
            do {
                _ = try Configuration.load(environment: environment)
                Issue.record("accepted \(environment)")
            } catch let error as ConfigurationError {
                #expect(error.setting == setting)
            }
        }
        #expect(try Configuration.load(environment: [:]).demoStart == nil)
    }

    @Test("production without encryption keys names the key setting")
    func productionNeedsKeys() {
        do {
            _ = try Configuration.load(environment: ["CRENEAU_ENV": "production", "DATABASE_URL": "postgres://u:p@h/db"])
            Issue.record("accepted")
        } catch let error as ConfigurationError {
            #expect(error.setting == "CRENEAU_ENCRYPTION_KEY_FILE")
            #expect(error.description.contains("creneau keygen"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("wrong values name their setting and never echo a password", arguments: [
        (["DATABASE_URL": "mysql://root:topsecret@h/db"], "DATABASE_URL"),
        (["DATABASE_URL": "postgres://root:topsecret@/db"], "DATABASE_URL"),
        (["DATABASE_URL": "postgres://root:topsecret@h/"], "DATABASE_URL"),
        (["CRENEAU_DATABASE_URL": "postgres://root:topsecret@h/db?sslmode=sometimes"], "CRENEAU_DATABASE_URL"),
        (["CRENEAU_PORT": "eighty"], "CRENEAU_PORT"),
        (["CRENEAU_PORT": "70000"], "CRENEAU_PORT"),
        (["CRENEAU_ENV": "staging"], "CRENEAU_ENV"),
        (["CRENEAU_LOG_LEVEL": "loud"], "CRENEAU_LOG_LEVEL"),
        (["CRENEAU_LOG_FORMAT": "xml"], "CRENEAU_LOG_FORMAT"),
        (["CRENEAU_HOLD_MINUTES": "0"], "CRENEAU_HOLD_MINUTES"),
        (["CRENEAU_RATE_LIMITS": "maybe"], "CRENEAU_RATE_LIMITS"),
        (["CRENEAU_PUBLIC_URL": "rdv.hopital.fr"], "CRENEAU_PUBLIC_URL"),
        (["CRENEAU_IDLE_TIMEOUT": "0"], "CRENEAU_IDLE_TIMEOUT"),
        (["CRENEAU_REQUEST_TIMEOUT": "99999999999999999999"], "CRENEAU_REQUEST_TIMEOUT"),
        (["CRENEAU_MAX_CONNECTIONS": "-1"], "CRENEAU_MAX_CONNECTIONS"),
        (["CRENEAU_MAX_CONNECTIONS_PER_ADDRESS": "many"], "CRENEAU_MAX_CONNECTIONS_PER_ADDRESS"),
        (["CRENEAU_DB_STATEMENT_TIMEOUT": "0"], "CRENEAU_DB_STATEMENT_TIMEOUT"),
        (["CRENEAU_DB_CONNECT_TIMEOUT": "1e3"], "CRENEAU_DB_CONNECT_TIMEOUT"),
        (["CRENEAU_METRICS": "maybe"], "CRENEAU_METRICS"),
        (["CRENEAU_METRICS_TOKEN": "short"], "CRENEAU_METRICS_TOKEN"),
    ])
    func wrongValues(environment: [String: String], setting: String) {
        do {
            _ = try Configuration.load(environment: environment)
            Issue.record("accepted \(environment)")
        } catch let error as ConfigurationError {
            #expect(error.setting == setting)
            #expect(!error.description.contains("topsecret"))
        } catch { Issue.record("unexpected \(error)") }
    }
}
