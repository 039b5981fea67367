import CreneauDomain
import Hummingbird
import Logging

/// What the HTTP surfaces need, built once by the composition root (`Composition.live` in
/// CreneauApp) for `creneau serve` and for the tests alike; tests may swap one piece (a
/// health check that never answers, limits off) before building the router.
public struct HTTPDependencies: Sendable {
    // Domain services.
    public var booking: BookingService
    public var search: SlotSearch
    public var records: PatientRecords
    public var agenda: StaffAgenda
    public var templates: WeeklyTemplates
    public var authenticator: Authenticator
    /// Patients' sign-up, email verification, password reset.
    public var patientAccounts: PatientAccounts
    /// The people a patient account books for.
    public var relatives: Relatives
    /// Duplicates, merges, "known to the department".
    public var patientIndex: PatientIndex
    /// Sites, departments, practitioners, rooms, motives and closures, set up by administrators.
    public var organisationAdmin: OrganisationAdmin
    /// Staff invitations, enrolment, second-factor resets, closed accounts.
    public var staffAccounts: StaffAccounts
    /// An appointment's details and history for the desk.
    public var appointmentFile: AppointmentFile
    /// Practitioners onboarded from a spreadsheet.
    public var practitionerImport: PractitionerImport
    // Repositories the controllers read directly.
    public var health: any HealthRepository
    public var organisation: any OrganisationRepository
    public var directory: any DirectoryRepository
    public var availability: any AvailabilityRepository
    public var audit: any AuditRepository
    /// The outbox, for the administrators' page of messages given up.
    public var outbox: (any OutboxRepository)?
    /// The waiting list: joining, the offers' pages, the department's list.
    public var waitlist: Waitlist?
    /// Practitioners' and departments' calendar feeds.
    public var calendarFeeds: CalendarFeeds?
    /// What aggregators are told is free (`GET /fhir/$bulk-publish`), kept current by `SlotPublicationService`.
    public var slotPublication: SlotPublication?
    public var publishedSlots: (any SlotPublicationRepository)?
    /// The public address (`CRENEAU_PUBLIC_URL`) for links to the booking pages in published slots.
    public var publicURL: String?
    /// The satisfaction survey patients answer from their message, and its results for administrators.
    public var surveys: Surveys?
    public var surveyReport: SurveyReport?
    /// A patient's copy of their data (`/api/v1/me/data`, `/account/data.json`).
    public var patientData: PatientDataExport?
    /// A patient closing their account (`POST /account/close`, `DELETE /api/v1/me`).
    public var accountClosure: AccountClosure?
    /// Statistics for management (`/admin/statistics`, `/api/v1/statistics`).
    public var statistics: StatisticsReport?
    /// Patients' replies to our SMS (STOP), forwarded by the gateway with this shared secret; nil: not accepted.
    public var smsReplies: (replies: SMSReplies, token: String)?
    /// Motives, for the administrators' pages.
    public var motives: any SchedulingRepository
    /// The pages' templates and translations, loaded once by the composition root.
    public var pages: Result<WebPages, any Error>
    public var metrics: HTTPMetrics
    public var clock: Clock
    public var ids: IDGenerator
    /// Abuse limits; tests of concurrency pass `.off` to race freely from one address.
    public var limits: RateLimits = .standard
    /// Where attempts are counted (sign-ins, sign-ups, bookings): the database when several instances share it.
    public var limitCounters: any LimitCounters = MemoryLimitCounters()
    /// The waiting room in front of the search and booking path during surges (nil: none).
    public var waitingRoom: WaitingRoom?
    /// Send HSTS: set when the public address is https (`CRENEAU_PUBLIC_URL`).
    public var strictTransportSecurity = false
    /// Reverse proxies whose `X-Forwarded-For` is believed (`CRENEAU_TRUSTED_PROXIES`).
    public var trustedProxies: Set<String> = []
    /// Who may read `/metrics` (`CRENEAU_METRICS`, `CRENEAU_METRICS_TOKEN`).
    public var metricsAccess: MetricsAccess = .open
    /// The public origin (`CRENEAU_PUBLIC_URL`), against which browsers' `Origin` is checked.
    public var publicOrigin: String?

    public init(
        booking: BookingService, search: SlotSearch, records: PatientRecords, agenda: StaffAgenda, templates: WeeklyTemplates,
        authenticator: Authenticator, patientAccounts: PatientAccounts, relatives: Relatives, patientIndex: PatientIndex,
        organisationAdmin: OrganisationAdmin, staffAccounts: StaffAccounts, appointmentFile: AppointmentFile,
        practitionerImport: PractitionerImport, health: any HealthRepository, organisation: any OrganisationRepository, directory: any DirectoryRepository,
        availability: any AvailabilityRepository, audit: any AuditRepository, motives: any SchedulingRepository,
        pages: Result<WebPages, any Error>, metrics: HTTPMetrics, clock: Clock, ids: IDGenerator
    ) {
        self.booking = booking
        self.search = search
        self.records = records
        self.agenda = agenda
        self.templates = templates
        self.authenticator = authenticator
        self.patientAccounts = patientAccounts
        self.relatives = relatives
        self.patientIndex = patientIndex
        self.organisationAdmin = organisationAdmin
        self.staffAccounts = staffAccounts
        self.appointmentFile = appointmentFile
        self.practitionerImport = practitionerImport
        self.health = health
        self.organisation = organisation
        self.directory = directory
        self.availability = availability
        self.audit = audit
        self.motives = motives
        self.pages = pages
        self.metrics = metrics
        self.clock = clock
        self.ids = ids
    }
}

/// Builds the router shared by `creneau serve` and the HTTP tests: middleware, then each
/// surface's controllers. It builds nothing of the domain; `HTTPDependencies` brings it.
public func buildRouter(_ dependencies: HTTPDependencies, logLevel: Logger.Level = .info) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let pages = dependencies.pages, clock = dependencies.clock
    // Outermost first. Errors are mapped innermost, so metrics and logs see
    // the status the client receives. Middleware must be added before routes.
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: dependencies.trustedProxies))
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: dependencies.strictTransportSecurity))
    router.add(middleware: MetricsMiddleware(metrics: dependencies.metrics))
    router.add(middleware: RequestLogMiddleware(level: logLevel))
    router.add(middleware: ErrorMiddleware(pages: pages))
    let browser = BrowserSession(secure: dependencies.strictTransportSecurity)
    router.add(middleware: AuthenticationMiddleware(authenticator: dependencies.authenticator, browser: browser, publicOrigin: dependencies.publicOrigin))
    if let room = dependencies.waitingRoom {
        router.add(middleware: WaitingRoomMiddleware(room: room, pages: pages, secure: dependencies.strictTransportSecurity, metrics: dependencies.metrics))
    }

    // Operations.
    HealthController(health: dependencies.health).register(on: router)
    MetricsController(metrics: dependencies.metrics, access: dependencies.metricsAccess).register(on: router)
    HomeController().register(on: router)
    // The JSON API (API/).
    OpenAPIController().register(on: router)
    PractitionersController(directory: dependencies.directory, clock: clock).register(on: router)
    AvailabilityController(directory: dependencies.directory, availability: dependencies.availability, clock: clock).register(on: router)
    AppointmentsController(booking: dependencies.booking, idempotency: IdempotencyStore(booking: dependencies.booking), clock: clock,
                           limits: dependencies.limits, limiter: RateLimiter(counters: dependencies.limitCounters, scope: "booking")).register(on: router)
    SessionsController(authenticator: dependencies.authenticator, browser: browser).register(on: router)
    AccountsController(accounts: dependencies.patientAccounts, relatives: dependencies.relatives, booking: dependencies.booking, clock: clock)
        .register(on: router)
    AuditController(audit: dependencies.audit, clock: clock, ids: dependencies.ids).register(on: router)
    PatientsController(records: dependencies.records, index: dependencies.patientIndex, booking: dependencies.booking).register(on: router)
    // FHIR R4 (FHIR/).
    FHIRController(
        directory: dependencies.directory, organisation: dependencies.organisation, availability: dependencies.availability, booking: dependencies.booking,
        relatives: dependencies.relatives, agenda: dependencies.agenda, clock: clock, publicOrigin: dependencies.publicOrigin, limits: dependencies.limits,
        publishedSlots: dependencies.publishedSlots, publicURL: dependencies.publicURL,
        // The same scope as the API's: a booking by FHIR spends the caller's one budget.
        limiter: RateLimiter(counters: dependencies.limitCounters, scope: "booking")
    ).register(on: router)
    // The pages (Web/).
    AccountPagesController(accounts: dependencies.patientAccounts, browser: browser, renderer: pages).register(on: router)
    PatientPagesController(
        directory: dependencies.directory, search: dependencies.search,
        booking: dependencies.booking, relatives: dependencies.relatives, browser: browser, clock: clock, renderer: pages
    ).register(on: router)
    StaffPagesController(agenda: dependencies.agenda, booking: dependencies.booking, browser: browser, clock: clock, renderer: pages,
                         waitlist: dependencies.waitlist).register(on: router)
    ReferralPagesController(
        organisation: dependencies.organisation, directory: dependencies.directory, search: dependencies.search, booking: dependencies.booking,
        browser: browser, clock: clock, renderer: pages
    ).register(on: router)
    StaffAppointmentController(file: dependencies.appointmentFile, booking: dependencies.booking, search: dependencies.search, browser: browser,
                               clock: clock, renderer: pages).register(on: router)
    StaffPatientsController(index: dependencies.patientIndex, browser: browser, renderer: pages).register(on: router)
    StaffBookingController(
        directory: dependencies.directory, search: dependencies.search, booking: dependencies.booking,
        records: dependencies.records, browser: browser, clock: clock, renderer: pages
    ).register(on: router)
    AdminPagesController(organisation: dependencies.organisation, motives: dependencies.motives, browser: browser, renderer: pages).register(on: router)
    AdminOrganisationController(admin: dependencies.organisationAdmin, organisation: dependencies.organisation, clock: clock, browser: browser,
                                ids: dependencies.ids, renderer: pages).register(on: router)
    AdminAPIController(admin: dependencies.organisationAdmin, staff: dependencies.staffAccounts, clock: clock, ids: dependencies.ids).register(on: router)
    if let outbox = dependencies.outbox {
        AdminMessagesController(outbox: outbox, audit: dependencies.audit, clock: clock, ids: dependencies.ids, browser: browser, renderer: pages)
            .register(on: router)
    }
    if let inbound = dependencies.smsReplies { SMSInboundController(replies: inbound.replies, token: inbound.token).register(on: router) }
    if let waitlist = dependencies.waitlist {
        WaitlistController(waitlist: waitlist).register(on: router)
        WaitlistPagesController(waitlist: waitlist, relatives: dependencies.relatives, motives: dependencies.motives, directory: dependencies.directory,
                                browser: browser, renderer: pages).register(on: router)
        StaffWaitlistController(waitlist: waitlist, agenda: dependencies.agenda, records: dependencies.records, motives: dependencies.motives,
                                directory: dependencies.directory, browser: browser, renderer: pages).register(on: router)
    }
    if let feeds = dependencies.calendarFeeds {
        CalendarFeedsController(feeds: feeds, agenda: dependencies.agenda, browser: browser, renderer: pages).register(on: router)
    }
    if let surveys = dependencies.surveys { SurveyPagesController(surveys: surveys, browser: browser, renderer: pages).register(on: router) }
    if let report = dependencies.surveyReport { AdminSurveysController(report: report, renderer: pages).register(on: router) }
    if let export = dependencies.patientData {
        PatientDataController(export: export, closure: dependencies.accountClosure, clock: clock, browser: browser, renderer: pages).register(on: router)
    }
    if let statistics = dependencies.statistics {
        StatisticsPagesController(report: statistics, renderer: pages).register(on: router)
        StatisticsAPIController(report: statistics).register(on: router)
    }
    AdminImportController(importer: dependencies.practitionerImport, browser: browser, renderer: pages).register(on: router)
    StaffAccountsController(staff: dependencies.staffAccounts, organisation: dependencies.organisation, admin: dependencies.organisationAdmin,
                            browser: browser, renderer: pages).register(on: router)
    AdminTemplatesController(templates: dependencies.templates, browser: browser, ids: dependencies.ids, renderer: pages).register(on: router)
    SignInPagesController(
        authenticator: dependencies.authenticator, relatives: dependencies.relatives, booking: dependencies.booking, browser: browser, clock: clock,
        renderer: pages
    ).register(on: router)
    return router
}
