import Foundation

/// Where a patient can be reached, as they chose: an email address, an SMS-capable number.
public struct NoticeRecipient: Hashable, Sendable {
    /// Nil when the patient has none or does not want email.
    public var email: String?
    /// Nil when the patient has none, it is a landline, they do not want SMS or answered STOP.
    public var mobile: PhoneNumber?
    public var language: Language

    public init(email: String?, mobile: PhoneNumber?, language: Language) {
        self.email = email
        self.mobile = mobile
        self.language = language
    }

    public init(_ patient: Patient) {
        email = patient.wantsEmail ? patient.email?.trimmed.nilIfEmpty : nil
        let number = patient.phone.flatMap(PhoneNumber.init)
        mobile = patient.wantsSMS && patient.smsStoppedAt == nil && number?.receivesSMS == true ? number : nil
        language = patient.language
    }

    var channels: [MessageChannel] { (email == nil ? [] : [.email]) + (mobile == nil ? [] : [.sms]) }

    func address(_ channel: MessageChannel) -> String? {
        switch channel {
        case .email: email
        case .sms: mobile?.e164
        }
    }
}

/// Which messages a booking or a change sends, on which channel, when. Pure: the booking
/// service calls it and the rows it returns are written in the same transaction as the change
/// (so a message exists if and only if the change does).
///
/// - A booking is confirmed at once, by email and SMS.
/// - A change or cancellation by the hospital is always told, on every channel the patient has.
///   One the patient made gets a receipt, by email (by SMS when they have no email).
/// - Reminders follow the schedule (motive, else site, else standard), at 10:00 in the site's
///   zone on their day; none within 12 hours of the booking (its confirmation has just gone), or
///   within the hour before the visit.
///   A patient with no email gets the SMS points; one the schedule gives no SMS point gets the
///   email points by SMS instead (an 81-year-old with a mobile is still reminded).
/// - A fulfilled visit brings a survey invitation at 10:00 the next day.
///
/// Each row's dedupe key (appointment × kind × moves so far × point × channel) is unique in the
/// database: two instances planning the same message write one row.
public struct NoticePlanner: Sendable {
    let ids: IDGenerator

    public init(ids: IDGenerator) { self.ids = ids }

    /// No reminder sooner than this after a booking or move (its own message has just gone).
    public static let quietAfterBooking: TimeInterval = 12 * 3_600

    public func booked(_ appointment: Appointment, to recipient: NoticeRecipient, schedule: ReminderSchedule, zone: TimeZone, now: Date) -> [OutboxMessage] {
        guard appointment.status == .booked else { return [] }
        let confirmations = recipient.channels.map {
            message(.confirmation, appointment, $0, recipient, notice: AppointmentNotice(), at: now, now: now, point: "")
        }
        return confirmations + reminders(appointment, to: recipient, schedule: schedule, zone: zone, now: now)
    }

    /// What a lifecycle change sends. `byHospital`: staff (or an absence) made it.
    public func changed(from before: Appointment, to after: Appointment, byHospital: Bool, reason: String?, to recipient: NoticeRecipient,
                        schedule: ReminderSchedule, zone: TimeZone, now: Date) -> [OutboxMessage] {
        let channels = byHospital ? recipient.channels : Array(recipient.channels.prefix(1))
        if after.status == .cancelled && before.status != .cancelled {
            let notice = AppointmentNotice(byHospital: byHospital, reason: reason?.trimmed.nilIfEmpty)
            return channels.map { message(.cancelled, after, $0, recipient, notice: notice, at: now, now: now, point: "") }
        }
        if after.status == .booked && (after.startsAt != before.startsAt || after.endsAt != before.endsAt) {
            let notice = AppointmentNotice(byHospital: byHospital, reason: reason?.trimmed.nilIfEmpty, previousStart: before.startsAt)
            return channels.map { message(.moved, after, $0, recipient, notice: notice, at: now, now: now, point: "m\(after.moveCount)") }
                + reminders(after, to: recipient, schedule: schedule, zone: zone, now: now)
        }
        if after.status == .fulfilled && before.status != .fulfilled, let channel = recipient.channels.first {
            let nextMorning = LocalDate(after.endsAt, in: zone).adding(days: 1).instant(atMinute: ReminderSchedule.sendMinute, in: zone)
            return [message(.survey, after, channel, recipient, notice: AppointmentNotice(), at: max(now, nextMorning), now: now, point: "")]
        }
        return []
    }

    /// `notBefore`: the earliest a reminder may go (default: 12 hours after `now`, the booking's confirmation being fresh).
    public func reminders(_ appointment: Appointment, to recipient: NoticeRecipient, schedule: ReminderSchedule, zone: TimeZone, now: Date,
                          notBefore: Date? = nil) -> [OutboxMessage] {
        var points = schedule.points.filter { recipient.address($0.channel) != nil }
        if points.isEmpty, recipient.mobile != nil {
            points = schedule.points.map { ReminderSchedule.Point(.sms, daysBefore: $0.daysBefore) }
        }
        let day = LocalDate(appointment.startsAt, in: zone)
        let latest = appointment.startsAt.addingTimeInterval(-3_600)
        // A reminder within hours of the confirmation tells nothing new.
        let earliest = notBefore ?? now.addingTimeInterval(Self.quietAfterBooking)
        return Set(points).sorted().compactMap { point in
            let at = day.adding(days: -point.daysBefore).instant(atMinute: ReminderSchedule.sendMinute, in: zone)
            guard at >= earliest, at <= latest else { return nil }
            return message(.reminder, appointment, point.channel, recipient, notice: AppointmentNotice(daysBefore: point.daysBefore), at: at, now: now,
                           point: "m\(appointment.moveCount):d\(point.daysBefore)")
        }
    }

    func message(_ kind: OutboxMessage.Kind, _ appointment: Appointment, _ channel: MessageChannel, _ recipient: NoticeRecipient,
                 notice: AppointmentNotice, at: Date, now: Date, point: String) -> OutboxMessage {
        let key = [kind.rawValue, appointment.id.uuidString.lowercased(), point, channel.rawValue].filter { !$0.isEmpty }.joined(separator: ":")
        return OutboxMessage(
            id: ids.next(), dedupeKey: key, channel: channel, kind: kind, appointmentID: appointment.id, plannedStart: appointment.startsAt,
            recipient: recipient.address(channel) ?? "", notice: notice, nextAttemptAt: at, createdAt: now)
    }
}

/// Who hears about a patient who cannot be reached themselves (a child, a parent without email or
/// mobile): the holder of the account that manages them.
public protocol GuardianContactRepository: Sendable {
    /// The account holder's email (the account's), mobile (their own record's) and language; nil when no live account manages the patient.
    func guardianContact(patientID: UUID) async throws -> NoticeRecipient?
}
