import Foundation

/// A hospital group such as AP-HP, or a single health centre's legal entity.
public struct HospitalGroup: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var name: String
    public var slug: String

    public init(id: UUID, name: String, slug: String) {
        self.id = id
        self.name = name
        self.slug = slug
    }
}

/// A hospital or health centre. Its time zone decides what "9:15 on Monday" means.
public struct Site: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var groupID: UUID
    public var name: String
    public var slug: String
    public var city: String
    /// IANA identifier; French sites use `Europe/Paris`.
    public var timeZone: String
    /// The postal address patients are given ("1 rue …, 95300 Pontoise").
    public var address: String
    /// The switchboard or booking line.
    public var phone: String
    /// Which public holidays close the site (computed for every year).
    public var holidayCalendar: HolidayCalendar
    /// Out of service: nothing is offered there any more; its history and bookings stay.
    public var isActive: Bool
    /// The site's reminder schedule; nil: the standard one.
    public var reminders: ReminderSchedule?
    /// Online booking refused after repeat no-shows; nil: no such rule.
    public var noShowPolicy: NoShowPolicy?

    public static let defaultTimeZone = "Europe/Paris"
    /// `defaultTimeZone` as a zone. Should the machine lack the time-zone database, UTC
    /// rather than a crash (the server's start-up check names the missing package).
    public static let defaultZone: TimeZone = TimeZone(identifier: defaultTimeZone) ?? .gmt

    public init(
        id: UUID, groupID: UUID, name: String, slug: String, city: String, timeZone: String = Site.defaultTimeZone,
        address: String = "", phone: String = "", holidayCalendar: HolidayCalendar = .metropolitan, isActive: Bool = true,
        reminders: ReminderSchedule? = nil, noShowPolicy: NoShowPolicy? = nil
    ) {
        self.noShowPolicy = noShowPolicy
        self.reminders = reminders
        self.id = id
        self.groupID = groupID
        self.name = name
        self.slug = slug
        self.city = city
        self.timeZone = timeZone
        self.address = address
        self.phone = phone
        self.holidayCalendar = holidayCalendar
        self.isActive = isActive
    }
}

/// A department of a site (cardiology, maternity…), with its anti-hoarding rules.
public struct Department: Identifiable, Hashable, Codable, Sendable {
    public var id: UUID
    public var siteID: UUID
    public var name: String
    /// Specialty code shared across sites so a patient can search "pédiatrie" everywhere.
    public var specialty: String
    /// At most this many future appointments per patient in the department.
    public var maxFutureAppointmentsPerPatient: Int
    /// No two appointments of the same specialty for one patient within this many days (0: no rule).
    public var sameSpecialtyGapDays: Int
    /// Online booking switched on (off for a department not yet in the pilot: phone and desk only).
    public var onlineBooking: Bool
    /// Whether a new patient must name the doctor who referred them (specialist first visits:
    /// yes; general practice, paediatrics: no). A motive may say otherwise (`Motive.referral`).
    public var newPatientsNeedReferral: Bool
    /// Out of service: nothing is offered there any more; its history and bookings stay.
    public var isActive: Bool

    public init(
        id: UUID, siteID: UUID, name: String, specialty: String,
        maxFutureAppointmentsPerPatient: Int = 3, sameSpecialtyGapDays: Int = 0,
        onlineBooking: Bool = true, newPatientsNeedReferral: Bool = true, isActive: Bool = true
    ) {
        self.onlineBooking = onlineBooking
        self.newPatientsNeedReferral = newPatientsNeedReferral
        self.isActive = isActive
        self.id = id
        self.siteID = siteID
        self.name = name
        self.specialty = specialty
        self.maxFutureAppointmentsPerPatient = maxFutureAppointmentsPerPatient
        self.sameSpecialtyGapDays = sameSpecialtyGapDays
    }
}

/// A day on which a site is closed besides its public holidays (a bridge day, a move, a strike),
/// entered by its administrators.
public struct PublicHoliday: Hashable, Codable, Sendable {
    public var siteID: UUID
    public var date: LocalDate
    public var name: String

    public init(siteID: UUID, date: LocalDate, name: String) {
        self.siteID = siteID
        self.date = date
        self.name = name
    }
}
