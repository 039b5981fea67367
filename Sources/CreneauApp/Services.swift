import CreneauDomain
import CreneauHTTP
import CreneauMail
import CreneauSeed
import CreneauStorage
import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import Prometheus
import ServiceLifecycle

// The services that live as long as the server: the booking service as it runs, and the
// background loops (expiry, mail delivery, closing the pool on shutdown).

extension BookingService {
    /// The service as `creneau serve` runs it: every repository is the SQL store, reads through the caches.
    public static func live(
        store: SQLStore, directory: any DirectoryRepository, availability: any AvailabilityRepository,
        writer: any BookingWriter, clock: Clock, holdDuration: TimeInterval, links: AppointmentLinks?
    ) -> BookingService {
        BookingService(.init(
            directory: directory, motives: store, availability: availability, patients: store, referringDoctors: store,
            appointments: store, bookings: store, writer: writer, audit: store, clock: clock, ids: .random, tokens: .random, links: links,
            noShows: store, guardians: store),
            holdDuration: holdDuration)
    }
}

/// Clears expired holds and idempotency records every 30 seconds, and attempt counters quiet
/// for a day. Expired holds already count for nothing; this gives their rows back.
struct ExpiryService: Service {
    let store: SQLStore
    let clock: Clock
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let purged = try await store.purgeExpired(now: clock.now())
                try await store.purgeLimitCounters(before: clock.now().addingTimeInterval(-24 * 3_600))
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

/// SMTP when configured; otherwise `.eml` files in a folder, announced once so a newcomer finds their codes.
func makeMailer(_ configuration: Configuration, logger: Logger) throws -> any Mailer {
    let from = try MIMEMessage.Mailbox(configuration.mailFrom)
    switch configuration.mail {
    case .smtp(let smtp):
        logger.info("Emails go through SMTP", metadata: ["smtp.host": "\(smtp.host)", "smtp.port": "\(smtp.port)", "smtp.security": "\(smtp.security.rawValue)"])
        return try SMTPMailer(client: SMTPClient(configuration: smtp), from: from, reuseConnections: true)
    case .drop(let directory):
        logger.notice("No CRENEAU_SMTP_URL: emails are written as .eml files", metadata: ["mail.directory": "\(directory)"])
        return try MailDropMailer(directory: URL(fileURLWithPath: directory), from: from)
    }
}

/// The SMS gateway when configured; otherwise text files in a folder (the demo's phone).
func makeSMSSender(_ configuration: Configuration, logger: Logger) throws -> any SMSSender {
    switch configuration.sms {
    case .gateway(let gateway):
        logger.info("SMS go through the gateway", metadata: ["sms.host": "\(gateway.url.host ?? "")", "sms.format": "\(gateway.format.rawValue)"])
        return try HTTPSMSGateway(configuration: gateway)
    case .drop(let directory):
        logger.notice("No CRENEAU_SMS_URL: text messages are written as files", metadata: ["sms.directory": "\(directory)"])
        return try SMSDropSender(directory: URL(fileURLWithPath: directory))
    }
}

/// The outbox sender with its transports, the templates and the signed links; each outcome counted in `registry`.
func makeOutboxSender(_ configuration: Configuration, store: SQLStore, clock: Clock, logger: Logger, registry: PrometheusCollectorRegistry,
                      concurrency: Int = 8, lanes: Int = 2) throws -> OutboxSender {
    let from = try MIMEMessage.Mailbox(configuration.mailFrom)
    let composer = NoticeComposer(renderer: try TemplateNoticeRenderer(), links: try Composition.links(store: store, publicURL: configuration.effectivePublicURL),
                                  organizer: from.address)
    return OutboxSender(outbox: store, facts: store, composer: composer, email: try makeMailer(configuration, logger: logger),
                        sms: try makeSMSSender(configuration, logger: logger), clock: clock, logger: logger, lease: configuration.outboxLease,
                        concurrency: concurrency, lanes: lanes) { message, outcome in
        registry.makeCounter(name: "creneau_messages_total", labels: [("kind", message.kind.rawValue), ("channel", message.channel.rawValue), ("outcome", outcome)],
                             help: "Messages handled by this instance's sender, by kind, channel and outcome (sent, skipped, retry, failed).").increment()
    }
}

/// Every 15 seconds: how many messages wait and failed, by kind and channel, how many are due, and
/// how long the oldest due one has waited (a growing age means the senders cannot keep up or a
/// relay is down). Also forgets sent and skipped messages past their retention, once an hour.
struct OutboxMetricsService: Service {
    let outbox: any OutboxRepository
    let registry: PrometheusCollectorRegistry
    let clock: Clock
    let logger: Logger

    func run() async throws {
        var rounds = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = clock.now()
                let (counts, due, oldest) = try await outbox.statistics(now: now)
                for kind in OutboxMessage.Kind.allCases {
                    for channel in MessageChannel.allCases {
                        for state in [OutboxMessage.State.pending, .failed] {
                            let count = counts.first { $0.kind == kind && $0.channel == channel && $0.state == state }?.count ?? 0
                            registry.makeGauge(name: "creneau_messages", labels: [("kind", kind.rawValue), ("channel", channel.rawValue), ("state", state.rawValue)],
                                               help: "Messages waiting (pending) or given up (failed), by kind and channel.").set(Double(count))
                        }
                    }
                }
                registry.makeGauge(name: "creneau_messages_due", help: "Messages due now and not yet sent (the queue's depth).").set(Double(due))
                registry.makeGauge(name: "creneau_messages_oldest_due_age_seconds", help: "How long the oldest due message has waited.")
                    .set(oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
                if rounds % 240 == 0 {
                    let purged = try await outbox.purge(before: now.addingTimeInterval(-OutboxPolicy.retention))
                    if purged > 0 { logger.info("Forgot old messages", metadata: ["messages": "\(purged)"]) }
                }
                rounds += 1
            } catch {
                logger.warning("Could not read the outbox's figures", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(15)) }
        }
    }
}

/// Sends the outbox for as long as the server runs: a round every half second while there is
/// nothing to do, at once again while there is. On shutdown it stops taking new messages; those it
/// had taken and not sent are taken again by the next sender after their lease.
struct OutboxService: Service {
    let sender: OutboxSender
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var pause: Duration = .zero
            do {
                if try await sender.drain(while: { !Task.isShuttingDownGracefully }) == 0 { pause = .milliseconds(500) }
            } catch {
                // The database is away (stopped, failing over): wait before asking again, so that the
                // sender does not hold pool connections the requests and /healthz need when it returns.
                logger.warning("Could not read the outbox", metadata: ["error": "\(String(describing: type(of: error)))"])
                pause = .seconds(5)
            }
            if pause > .zero { try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) } }
        }
    }
}

/// Offers freed slots to waiting patients: a pass every half second (the first offer leaves
/// within a second or two of the cancellation's commit), at once again while the change feed
/// has more to read. Any number of instances may run it (the database keeps one live offer per
/// slot and per entry).
struct WaitlistService: Service {
    let waitlist: Waitlist
    let logger: Logger

    func run() async throws {
        var passes = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var pause: Duration = .milliseconds(500)
            passes += 1
            do {
                // Live offers whose slot is gone are looked for every five seconds (a few reads each).
                let pass = try await waitlist.offerFreedTime(checkLive: passes % 10 == 0)
                if pass.offered > 0 || pass.lapsed > 0 || pass.expired > 0 || pass.withdrawn > 0 {
                    logger.info("Waiting list", metadata: ["offered": "\(pass.offered)", "lapsed": "\(pass.lapsed)", "expired": "\(pass.expired)",
                                                           "withdrawn": "\(pass.withdrawn)"])
                }
                if pass.events >= 500 { pause = .zero }
            } catch {
                logger.warning("Could not offer freed slots", metadata: ["error": "\(String(describing: type(of: error)))"])
                pause = .seconds(5)
            }
            if pause > .zero { try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) } }
        }
    }
}

/// Keeps the slots published to aggregators current (`SlotPublication`): a pass every two
/// seconds, at once again while a pass had a full batch to recompute (the first passes after
/// start, or after a configuration change, which moves every agenda).
struct SlotPublicationService: Service {
    let publication: SlotPublication
    let logger: Logger
    static let batch = 500

    func run() async throws {
        // A round of full passes (the first one after start, a configuration change) is logged once it ends.
        var round: (started: Date, practitioners: Int)? = (Date(), 0)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var pause: Duration = .seconds(2)
            do {
                let started = Date()
                let pass = try await publication.refresh(limit: Self.batch)
                if pass.recomputed >= Self.batch {
                    pause = .zero
                    round = (round?.started ?? started, (round?.practitioners ?? 0) + pass.recomputed)
                } else if let (began, practitioners) = round {
                    logger.notice("Slot publication is current", metadata: [
                        "practitioners": "\(practitioners + pass.recomputed)", "seconds": "\(Int(Date().timeIntervalSince(began).rounded()))"])
                    round = nil
                }
                if pass.changed > 0 {
                    logger.debug("Published slots", metadata: ["recomputed": "\(pass.recomputed)", "changed": "\(pass.changed)"])
                }
            } catch {
                logger.warning("Could not publish free slots", metadata: ["error": "\(String(describing: type(of: error)))"])
                pause = .seconds(10)
            }
            if pause > .zero { try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) } }
        }
    }
}

/// Keeps the statistics current: counts the appointments the change feed says changed, a pass
/// every two seconds (at once again while a pass had a full batch), and once a day after
/// `recordingHour` (Paris time) records the agendas' offer (`StatisticsRecorder`). The first pass
/// on a database never counted counts its history. Any number of instances may run it: a pass
/// moves the shared cursor or gives way, and a day is recorded once.
struct StatisticsService: Service {
    let recorder: StatisticsRecorder
    let clock: Clock
    let recordingHour: Int
    let logger: Logger
    static let batch = 2_000

    func run() async throws {
        var nextRecording = Date.distantPast
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var pause: Duration = .seconds(2)
            do {
                let started = Date()
                // Not cancelled on a stop: the first pass on a database counts its whole history and
                // must end once begun (minutes at AP-HP's scale, once in the database's life); later passes are short.
                let events = try await recorder.refresh(limit: Self.batch)
                if events >= Self.batch { pause = .zero }
                if Date().timeIntervalSince(started) > 10 {
                    logger.notice("Statistics counted", metadata: ["seconds": "\(Int(Date().timeIntervalSince(started).rounded()))"])
                }
                let now = clock.now()
                if now >= nextRecording, Self.hour(now) >= recordingHour {
                    nextRecording = now.addingTimeInterval(600)
                    // Minutes on a hospital group's agendas: a stop cancels it between batches (the day is
                    // recorded by the next start) rather than holding the shutdown.
                    if let motives = try await cancelWhenGracefulShutdown({ try await recorder.recordToday() }) {
                        logger.info("Recorded the day's access delays and open time", metadata: ["motives": "\(motives)"])
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("Could not count statistics", metadata: ["error": "\(String(describing: type(of: error)))"])
                pause = .seconds(10)
            }
            if pause > .zero { try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) } }
        }
    }

    /// The hour of the day in Paris (from local midnight; on a DST change day, an hour either way).
    static func hour(_ instant: Date) -> Int {
        let midnight = LocalDate(instant, in: Site.defaultZone).instant(atMinute: 0, in: Site.defaultZone)
        return max(0, min(23, Int(instant.timeIntervalSince(midnight) / 3_600)))
    }
}

/// Applies the retention policy a minute after the start, then every six hours: each pass handles
/// what became due since (bounded batches), and does nothing when nothing is. Any number of
/// instances may run it: a row already cleared or deleted is not found again.
struct RetentionService: Service {
    let purge: RetentionPurge
    let logger: Logger

    func run() async throws {
        var pause: Duration = .seconds(60)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) }
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            do {
                let report = try await purge.run()
                if report.total > 0 { logger.info("Retention applied", metadata: report.metadata) }
                pause = .seconds(6 * 3_600)
            } catch {
                logger.warning("Could not apply the retention policy", metadata: ["error": "\(String(describing: type(of: error)))"])
                pause = .seconds(600)
            }
        }
    }
}

extension RetentionPurge.Report {
    var metadata: Logger.Metadata {
        ["texts": "\(visitTexts)", "comments": "\(surveyComments)", "messages": "\(messages)", "patients": "\(patients)", "audit": "\(auditRows)"]
    }
}
