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
        // A database slow to answer at start (a loaded machine, a failover) must not stop the server:
        // /healthz says 503 until it answers, and the directory loads on the first request instead.
        logger.warning("The directory could not be loaded at start; it will load on first use", metadata: [
            "error": "\(String(describing: type(of: error)))"])
    }
    // Every email is a row in the outbox first (it survives a crash); the outbox service sends it.
    let metrics = HTTPMetrics()
    let sender: OutboxSender
    do {
        sender = try makeOutboxSender(configuration, store: storage.store, clock: clock, logger: logger, registry: metrics.registry)
    } catch {
        await storage.database.shutdown()
        throw error
    }
    let outbox = OutboxMailer(outbox: storage.store, clock: clock)
    var served = Composition.live(
        store: storage.store, clock: clock, mailer: outbox,
        publicURL: configuration.effectivePublicURL,
        holdDuration: configuration.holdDuration, limits: configuration.rateLimits ? .standard : .off,
        accountLimits: configuration.rateLimits ? .standard : .off, metrics: metrics, directory: directory,
        offerWindow: configuration.waitlistOfferWindow)
    // Before the server opens: the first patients after a restart are answered from memory.
    _ = await AgendaWarmUp.run(directory: directory, availability: served.availability, clock: clock,
                               budget: .seconds(configuration.agendaWarmUpSeconds), logger: logger)
    served.strictTransportSecurity = configuration.publicURL?.scheme?.lowercased() == "https"
    served.trustedProxies = configuration.trustedProxies
    served.metricsAccess = configuration.metrics
    served.publicOrigin = configuration.publicURL.flatMap(Origin.init(url:))?.text
    served.smsReplies = configuration.smsInboundToken.map { (SMSReplies(consent: storage.store, clock: clock), $0) }
    if let room = configuration.waitingRoom {
        // Signed with a key derived from the field cipher's: every instance honours another's tickets.
        served.waitingRoom = WaitingRoom(settings: room, signer: try storage.store.linkSigner())
    }
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
        DatabaseService(database: storage.database), ExpiryService(store: storage.store, clock: clock, logger: logger),
        OutboxService(sender: sender, logger: logger),
        OutboxMetricsService(outbox: storage.store, registry: metrics.registry, clock: clock, logger: logger))
    if let waitlist = served.waitlist { app.addServices(WaitlistService(waitlist: waitlist, logger: logger)) }
    if let publication = served.slotPublication { app.addServices(SlotPublicationService(publication: publication, logger: logger)) }
    app.addServices(StatisticsService(
        recorder: StatisticsRecorder(directory: directory, agendas: storage.store, repository: storage.store, clock: clock),
        clock: clock, recordingHour: configuration.statisticsHour, logger: logger))
    app.addServices(RetentionService(purge: Commands.retentionPurge(storage.store, configuration), logger: logger))
    return app
}
