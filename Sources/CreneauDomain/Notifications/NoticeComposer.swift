import Foundation
import Synchronization

/// Everything a message about an appointment says, read when it is sent.
public struct NoticeFacts: Sendable {
    public var appointment: Appointment
    public var patient: Patient
    public var motive: Motive
    public var practitionerName: String
    public var departmentName: String
    public var site: Site

    public init(appointment: Appointment, patient: Patient, motive: Motive, practitionerName: String, departmentName: String, site: Site) {
        self.appointment = appointment
        self.patient = patient
        self.motive = motive
        self.practitionerName = practitionerName
        self.departmentName = departmentName
        self.site = site
    }
}

public protocol NoticeFactsRepository: Sendable {
    /// The facts of each appointment that still exists.
    func noticeFacts(appointmentIDs: [UUID]) async throws -> [UUID: NoticeFacts]
    /// The waiting-list offers among these still live (an offer that ended is not sent).
    func liveOffers(ids: [UUID]) async throws -> Set<UUID>
}

/// What a template is given: words and links only, already in the patient's language and the site's zone.
public struct NoticeView: Sendable {
    public var kind: OutboxMessage.Kind
    public var channel: MessageChannel
    public var language: Language
    public var byHospital: Bool
    public var patientName: String
    public var practitionerName: String
    public var departmentName: String
    public var motiveName: String
    public var siteName: String
    public var siteAddress: String
    public var sitePhone: String
    public var day: String
    public var time: String
    public var previousDay: String
    public var previousTime: String
    public var daysBefore: Int
    public var reason: String
    public var instructions: String
    public var manageURL: String
    public var moveURL: String
    public var rebookURL: String
    public var surveyURL: String
}

/// A message as the transports take it.
public struct ComposedMessage: Sendable {
    public var channel: MessageChannel
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?
    public var calendar: CalendarAttachment?
    public var messageID: String

    public init(channel: MessageChannel, to: String, subject: String, text: String, html: String? = nil, calendar: CalendarAttachment? = nil, messageID: String) {
        self.channel = channel
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.calendar = calendar
        self.messageID = messageID
    }
}

/// An iCalendar file sent with an email (RFC 5546: REQUEST adds or updates, CANCEL removes).
public struct CalendarAttachment: Hashable, Sendable {
    public var method: ICalendar.Method
    public var text: String
}

/// Writes the words of a message from its view (the templates live with the transports).
public protocol NoticeRenderer: Sendable {
    /// The subject, plain text and HTML of an email; for an SMS, its text in `text` (subject and HTML empty).
    func render(_ view: NoticeView) throws -> (subject: String, text: String, html: String?)
}

/// Turns a due outbox row into the message to send, from the appointment as it is now, or says
/// why it must not go: the visit moved since the reminder was planned, was cancelled, the
/// patient answered STOP, the survey is for a visit that did not take place.
public struct NoticeComposer: Sendable {
    public enum Outcome: Sendable {
        case send(ComposedMessage)
        case skip(String)
    }

    let renderer: any NoticeRenderer
    let links: AppointmentLinks
    /// The organiser of the calendar events ("mailto:" the sender's address).
    let organizer: String

    public init(renderer: any NoticeRenderer, links: AppointmentLinks, organizer: String) {
        self.renderer = renderer
        self.links = links
        self.organizer = organizer
    }

    public func compose(_ message: OutboxMessage, facts: NoticeFacts?, now: Date) throws -> Outcome {
        // Account emails and offers were written when queued.
        guard !message.kind.isWrittenWhenQueued else {
            return .send(ComposedMessage(channel: message.channel, to: message.recipient, subject: message.subject, text: message.body, messageID: message.messageID))
        }
        guard let facts else { return .skip("The appointment no longer exists.") }
        if let why = Self.reasonToSkip(message, facts: facts, now: now) { return .skip(why) }
        let view = view(message, facts)
        let words = try renderer.render(view)
        var composed = ComposedMessage(channel: message.channel, to: message.recipient, subject: words.subject, text: words.text, html: words.html,
                                       messageID: message.messageID)
        if message.channel == .email, [.confirmation, .moved, .cancelled].contains(message.kind) {
            composed.calendar = calendar(facts, language: view.language)
        }
        return .send(composed)
    }

    public static func reasonToSkip(_ message: OutboxMessage, facts: NoticeFacts, now: Date) -> String? {
        let appointment = facts.appointment
        if message.channel == .sms && facts.patient.smsStoppedAt != nil { return "The patient answered STOP." }
        switch message.kind {
        case .account, .offer, .offerEnded, .moved, .cancelled:
            return nil
        case .confirmation:
            return appointment.status == .cancelled ? "Cancelled before the confirmation went." : nil
        case .reminder:
            if appointment.status != .booked { return "The visit is no longer booked." }
            if appointment.startsAt != message.plannedStart { return "The visit moved since the reminder was planned." }
            if appointment.startsAt <= now { return "The visit has begun." }
            return nil
        case .survey:
            if appointment.status != .fulfilled { return "The visit did not take place." }
            if now > appointment.endsAt.addingTimeInterval(AppointmentLinks.surveyLifetime) { return "Too late for the survey." }
            return nil
        }
    }

    func view(_ message: OutboxMessage, _ facts: NoticeFacts) -> NoticeView {
        let appointment = facts.appointment, zone = TimeZone(identifier: facts.site.timeZone) ?? Site.defaultZone
        let language = facts.patient.language
        let notice = message.notice ?? AppointmentNotice()
        let urls = appointment.status == .booked ? links.manageURLs(appointment) : nil
        return NoticeView(
            kind: message.kind, channel: message.channel, language: language, byHospital: notice.byHospital,
            patientName: facts.patient.displayName, practitionerName: facts.practitionerName, departmentName: facts.departmentName,
            motiveName: facts.motive.name, siteName: facts.site.name,
            siteAddress: Self.address(facts.site),
            sitePhone: facts.site.phone,
            day: NoticeFormat.day(appointment.startsAt, zone, language), time: NoticeFormat.time(appointment.startsAt, zone),
            previousDay: notice.previousStart.map { NoticeFormat.day($0, zone, language) } ?? "",
            previousTime: notice.previousStart.map { NoticeFormat.time($0, zone) } ?? "",
            daysBefore: notice.daysBefore ?? 0, reason: notice.reason ?? "", instructions: facts.motive.instructionsAfter.trimmed,
            manageURL: urls?.manage ?? "", moveURL: urls?.move ?? "",
            rebookURL: "\(links.publicURL)/practitioners/\(appointment.practitionerID.uuidString.lowercased())",
            surveyURL: message.kind == .survey ? links.surveyURL(appointment) : "")
    }

    /// "12 rue des Écoles, Avoine": the street address and the town when the address does not already name it.
    public static func address(_ site: Site) -> String {
        let street = site.address.trimmed, city = site.city.trimmed
        if street.isEmpty { return city }
        return city.isEmpty || street.localizedCaseInsensitiveContains(city) ? street : "\(street), \(city)"
    }

    func calendar(_ facts: NoticeFacts, language: Language) -> CalendarAttachment {
        let appointment = facts.appointment
        let cancelled = appointment.status == .cancelled
        var description = facts.motive.instructionsAfter.trimmed
        if description.isEmpty { description = facts.motive.name }
        let event = CalendarEvent(
            uid: "\(appointment.id.uuidString.lowercased())@creneau", start: appointment.startsAt, end: appointment.endsAt,
            summary: facts.practitionerName.isEmpty ? facts.motive.name : "\(facts.motive.name) — \(facts.practitionerName)",
            location: [facts.departmentName, facts.site.name, Self.address(facts.site)].filter { !$0.isEmpty }.joined(separator: ", "),
            description: description, status: cancelled ? .cancelled : .confirmed,
            // A cancellation outranks every version before it.
            sequence: appointment.moveCount + (cancelled ? 1 : 0), stamp: appointment.updatedAt,
            organizer: organizer, attendee: facts.patient.email)
        let method: ICalendar.Method = cancelled ? .cancel : .request
        return CalendarAttachment(method: method, text: ICalendar.document([event], method: method))
    }
}

/// Days and times as a patient reads them, in the site's zone.
public enum NoticeFormat {
    /// Formatters are costly to make (a locale's patterns): one per language and zone, kept.
    private static let formatters = Mutex<[String: DateFormatter]>([:])

    public static func day(_ date: Date, _ zone: TimeZone, _ language: Language) -> String {
        formatters.withLock { cache in
            let key = "\(language.rawValue)|\(zone.identifier)"
            if let formatter = cache[key] { return formatter.string(from: date) }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: language == .fr ? "fr_FR" : "en_GB")
            formatter.timeZone = zone
            formatter.setLocalizedDateFormatFromTemplate("EEEEdMMMMyyyy")
            cache[key] = formatter
            return formatter.string(from: date)
        }
    }

    public static func time(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let (h, m) = (parts.hour ?? 0, parts.minute ?? 0)
        return "\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
    }
}
