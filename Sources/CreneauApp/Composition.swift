import CreneauDomain
import CreneauHTTP
import CreneauMail
import CreneauStorage
import Foundation

/// The one place that builds Creneau's services from its storage: `creneau serve`
/// (`buildApplication`) and the tests both call it, so what the tests exercise is what runs.
/// Each service is built once here and handed to the surfaces through `HTTPDependencies`.
public enum Composition {
    /// The signed links of patients' messages (the key derives from the field cipher's).
    public static func links(store: SQLStore, publicURL: String) throws -> AppointmentLinks {
        AppointmentLinks(signer: try store.linkSigner(), publicURL: publicURL)
    }

    /// The services on `store`, read through the caches and written through group commit as
    /// `creneau serve` runs them. `publicURL` is the address the emails' links start with.
    public static func live(
        store: SQLStore, clock: Clock, mailer: any Mailer, publicURL: String, holdDuration: TimeInterval = 10 * 60,
        limits: RateLimits = .standard, accountLimits: PatientAccounts.Limits = .standard, metrics: HTTPMetrics = HTTPMetrics(),
        directory: CachedDirectory? = nil, ids: IDGenerator = .random, offerWindow: TimeInterval = WaitlistRules.standardOfferWindow,
        counters: (any LimitCounters)? = nil
    ) -> HTTPDependencies {
        let counters = counters ?? limitCounters(store)
        let directory = directory ?? CachedDirectory(store: store, clock: clock)
        let availability = CachedAvailability(store: store, clock: clock)
        let booking = BookingService.live(
            store: store, directory: directory, availability: availability,
            writer: GroupCommitWriter(store: store, clock: clock, cache: availability), clock: clock, holdDuration: holdDuration,
            links: try? links(store: store, publicURL: publicURL))
        let emails = AccountEmails(publicURL: publicURL)
        let passwords = BcryptPasswords()
        let staffAccounts = StaffAccounts.live(store: store, mailer: mailer, emails: emails, passwords: passwords, clock: clock, ids: ids)
        var dependencies = HTTPDependencies(
            booking: booking,
            search: SlotSearch(directory: directory, availability: availability, clock: clock),
            records: PatientRecords(patients: store, appointments: store, audit: store, clock: clock, ids: ids),
            agenda: StaffAgenda(organisation: store, directory: directory, appointments: store, patients: store, motives: store,
                                availability: availability, audit: store, clock: clock, ids: ids, outbox: store),
            templates: WeeklyTemplates(organisation: store, directory: directory, scheduling: store, availability: availability, clock: clock, ids: ids),
            authenticator: Authenticator(accounts: store, sessions: store, challenges: store, mailer: mailer, emails: emails, clock: clock,
                                         passwords: passwords, codes: TOTPCodes(), counters: counters),
            patientAccounts: PatientAccounts(accounts: store, tokens: store, sessions: store, mailer: mailer, emails: emails, clock: clock,
                                             passwords: passwords, limits: accountLimits, counters: counters),
            relatives: Relatives(patients: store, appointments: store, clock: clock, ids: ids),
            patientIndex: PatientIndex(index: store, audit: store, clock: clock, ids: ids),
            organisationAdmin: OrganisationAdmin(.init(organisation: store, practitioners: store, scheduling: store, administration: store,
                                                       audit: store, clock: clock, ids: ids)),
            staffAccounts: staffAccounts,
            appointmentFile: AppointmentFile(booking: booking, appointments: store, patients: store, accounts: store, outbox: store, noShows: store),
            practitionerImport: PractitionerImport(organisation: store, repository: store, staff: staffAccounts, clock: clock, ids: ids),
            health: store, organisation: store, directory: directory, availability: availability, audit: store, motives: store,
            pages: WebPages.loaded(), metrics: metrics, clock: clock, ids: ids)
        dependencies.limits = limits
        dependencies.limitCounters = counters
        dependencies.outbox = store
        dependencies.surveys = Surveys(appointments: store, answers: store, links: try? links(store: store, publicURL: publicURL), clock: clock)
        dependencies.waitlist = try? waitlist(store: store, booking: booking, availability: availability, clock: clock, publicURL: publicURL, ids: ids,
                                              offerWindow: offerWindow)
        dependencies.calendarFeeds = CalendarFeeds(feeds: store, agenda: dependencies.agenda, appointments: store, patients: store, motives: store,
                                                   audit: store, clock: clock, ids: ids, tokens: .random, publicURL: publicURL)
        // From the agendas in memory (exact, and loaded at start): a pass under booking load rereads nothing.
        dependencies.slotPublication = SlotPublication(directory: directory, agendas: availability, repository: store, clock: clock)
        dependencies.publishedSlots = store
        dependencies.publicURL = publicURL
        dependencies.surveyReport = SurveyReport(organisation: store, practitioners: store, answers: store, audit: store, clock: clock, ids: ids)
        dependencies.patientData = PatientDataExport(.init(
            accounts: store, patients: store, appointments: store, organisation: store, practitioners: store, motives: store, waitlist: store,
            outbox: store, surveys: store, audit: store, clock: clock, ids: ids))
        dependencies.accountClosure = AccountClosure(.init(
            accounts: store, patients: store, appointments: store, motives: store, booking: booking, waitlist: store, sessions: store,
            passwords: passwords, audit: store, clock: clock, ids: ids))
        dependencies.statistics = StatisticsReport(repository: store, organisation: store, practitioners: store, motives: store, audit: store,
                                                   clock: clock, ids: ids)
        return dependencies
    }
}

extension Composition {
    /// Where attempts are counted: on PostgreSQL in the database, shared by every instance (N
    /// instances must not give a client N budgets); on SQLite — one server — in memory, which
    /// keeps the single writer for bookings.
    public static func limitCounters(_ store: SQLStore) -> any LimitCounters {
        store.database.engine == .postgres ? store : MemoryLimitCounters()
    }

    /// The waiting list on `store`, offering through `booking` (the booking path every booking takes).
    public static func waitlist(store: SQLStore, booking: BookingService, availability: any AvailabilityRepository, clock: Clock, publicURL: String,
                                ids: IDGenerator = .random, offerWindow: TimeInterval = WaitlistRules.standardOfferWindow) throws -> Waitlist {
        Waitlist(.init(repository: store, booking: booking, organisation: store, availability: availability, feed: store,
                       renderer: try TemplateNoticeRenderer(), signer: try store.linkSigner(), publicURL: publicURL, clock: clock, ids: ids,
                       offerWindow: offerWindow))
    }

    /// The waiting list as a worker runs it: its own caches, bookings written one by one.
    public static func waitlist(store: SQLStore, clock: Clock, publicURL: String, offerWindow: TimeInterval = WaitlistRules.standardOfferWindow) throws -> Waitlist {
        let directory = CachedDirectory(store: store, clock: clock)
        let availability = CachedAvailability(store: store, clock: clock)
        let booking = BookingService.live(store: store, directory: directory, availability: availability,
                                          writer: GroupCommitWriter(store: store, clock: clock, cache: availability), clock: clock,
                                          holdDuration: 10 * 60, links: try? links(store: store, publicURL: publicURL))
        return try waitlist(store: store, booking: booking, availability: availability, clock: clock, publicURL: publicURL, offerWindow: offerWindow)
    }
}

extension StaffAccounts {
    /// Staff accounts on `store`, as the server and the commands run them.
    static func live(store: SQLStore, mailer: any Mailer, emails: AccountEmails, passwords: any PasswordHasher = BcryptPasswords(),
                     clock: Clock, ids: IDGenerator = .random) -> StaffAccounts {
        StaffAccounts(.init(
            accounts: store, sessions: store, tokens: store, staff: store, organisation: store, referringDoctors: store, audit: store,
            mailer: mailer, emails: emails, passwords: passwords, codes: TOTPCodes(), clock: clock, ids: ids))
    }
}
