import CreneauDomain
import Hummingbird
import Logging

/// What the HTTP surfaces need, passed in: live values from `CreneauApp`,
/// test doubles or a test database from the tests.
public struct HTTPDependencies: Sendable {
    public var health: any HealthRepository
    public var organisation: any OrganisationRepository
    public var practitioners: any PractitionerRepository
    public var directory: any DirectoryRepository
    public var availability: any AvailabilityRepository
    public var booking: BookingService
    /// Where answers remembered under an `Idempotency-Key` are read.
    public var bookings: any BookingRepository
    public var authenticator: Authenticator
    /// Patients' sign-up, email verification, password reset.
    public var patientAccounts: PatientAccounts
    /// The people a patient account books for.
    public var relatives: Relatives
    public var audit: any AuditRepository
    /// Patients and appointments as staff look them up (audited by `PatientRecords`).
    public var patients: any PatientRepository
    public var appointments: any AppointmentRepository
    /// Motives, for the staff agenda.
    public var motives: any SchedulingRepository
    /// Abuse limits; tests of concurrency pass `.off` to race freely from one address.
    public var limits: RateLimits = .standard
    /// Send HSTS: set when the public address is https (`CRENEAU_PUBLIC_URL`).
    public var strictTransportSecurity = false
    /// Reverse proxies whose `X-Forwarded-For` is believed (`CRENEAU_TRUSTED_PROXIES`).
    public var trustedProxies: Set<String> = []
    public var metrics: HTTPMetrics
    /// Who may read `/metrics` (`CRENEAU_METRICS`, `CRENEAU_METRICS_TOKEN`).
    public var metricsAccess: MetricsAccess = .open
    /// The public origin (`CRENEAU_PUBLIC_URL`), against which browsers' `Origin` is checked.
    public var publicOrigin: String?
    public var clock: Clock

    public init(
        health: any HealthRepository, organisation: any OrganisationRepository,
        practitioners: any PractitionerRepository, directory: any DirectoryRepository,
        availability: any AvailabilityRepository, booking: BookingService, bookings: any BookingRepository,
        authenticator: Authenticator, patientAccounts: PatientAccounts, relatives: Relatives, audit: any AuditRepository,
        patients: any PatientRepository, appointments: any AppointmentRepository, motives: any SchedulingRepository, metrics: HTTPMetrics, clock: Clock
    ) {
        self.patients = patients
        self.appointments = appointments
        self.motives = motives
        self.patientAccounts = patientAccounts
        self.relatives = relatives
        self.audit = audit
        self.authenticator = authenticator
        self.booking = booking
        self.bookings = bookings
        self.health = health
        self.organisation = organisation
        self.practitioners = practitioners
        self.directory = directory
        self.availability = availability
        self.metrics = metrics
        self.clock = clock
    }
}

/// Builds the router shared by `creneau serve` and the HTTP tests.
public func buildRouter(_ dependencies: HTTPDependencies, logLevel: Logger.Level = .info) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Outermost first. Errors are mapped innermost, so metrics and logs see
    // the status the client receives. Middleware must be added before routes.
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: dependencies.trustedProxies))
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: dependencies.strictTransportSecurity))
    router.add(middleware: MetricsMiddleware(metrics: dependencies.metrics))
    router.add(middleware: RequestLogMiddleware(level: logLevel))
    router.add(middleware: ErrorMiddleware())
    let browser = BrowserSession(secure: dependencies.strictTransportSecurity)
    router.add(middleware: AuthenticationMiddleware(authenticator: dependencies.authenticator, browser: browser, publicOrigin: dependencies.publicOrigin))

    HealthController(health: dependencies.health).register(on: router)
    MetricsController(metrics: dependencies.metrics, access: dependencies.metricsAccess).register(on: router)
    HomeController().register(on: router)
    PractitionersController(directory: dependencies.directory, clock: dependencies.clock).register(on: router)
    AvailabilityController(directory: dependencies.directory, availability: dependencies.availability, clock: dependencies.clock).register(on: router)
    AppointmentsController(booking: dependencies.booking, idempotency: IdempotencyStore(bookings: dependencies.bookings), clock: dependencies.clock,
                           limits: dependencies.limits)
        .register(on: router)
    SessionsController(authenticator: dependencies.authenticator, browser: browser).register(on: router)
    // Shared by the API and the pages.
    let search = SlotSearch(directory: dependencies.directory, availability: dependencies.availability, clock: dependencies.clock)
    let records = PatientRecords(
        patients: dependencies.patients, appointments: dependencies.appointments, audit: dependencies.audit, clock: dependencies.clock, ids: .random)
    AccountPagesController(accounts: dependencies.patientAccounts, browser: browser).register(on: router)
    PatientPagesController(
        organisation: dependencies.organisation, directory: dependencies.directory,
        search: search,
        booking: dependencies.booking, bookings: dependencies.bookings, relatives: dependencies.relatives, browser: browser, clock: dependencies.clock
    ).register(on: router)
    StaffPagesController(
        agenda: StaffAgenda(
            organisation: dependencies.organisation, directory: dependencies.directory, appointments: dependencies.appointments,
            patients: dependencies.patients, motives: dependencies.motives, availability: dependencies.availability, audit: dependencies.audit,
            clock: dependencies.clock, ids: .random),
        booking: dependencies.booking, browser: browser, clock: dependencies.clock
    ).register(on: router)
    StaffBookingController(
        directory: dependencies.directory,
        search: search,
        booking: dependencies.booking, bookings: dependencies.bookings,
        records: records,
        browser: browser, clock: dependencies.clock
    ).register(on: router)
    AdminPagesController(organisation: dependencies.organisation, motives: dependencies.motives, browser: browser).register(on: router)
    AdminTemplatesController(
        templates: WeeklyTemplates(
            organisation: dependencies.organisation, directory: dependencies.directory, scheduling: dependencies.motives,
            availability: dependencies.availability, clock: dependencies.clock, ids: .random),
        browser: browser, ids: .random
    ).register(on: router)
    SignInPagesController(
        authenticator: dependencies.authenticator, relatives: dependencies.relatives, booking: dependencies.booking, browser: browser, clock: dependencies.clock
    ).register(on: router)
    AccountsController(accounts: dependencies.patientAccounts, relatives: dependencies.relatives, booking: dependencies.booking, clock: dependencies.clock)
        .register(on: router)
    AuditController(audit: dependencies.audit, clock: dependencies.clock, ids: .random).register(on: router)
    PatientsController(
        records: records,
        booking: dependencies.booking
    ).register(on: router)
    return router
}
