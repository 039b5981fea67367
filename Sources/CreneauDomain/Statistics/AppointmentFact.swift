import Foundation

/// What the statistics count for one appointment: its place in the organisation, how and for whom
/// it was booked, the periods it falls in (booking and visit, in the site's zone), and how it ended.
/// The summaries are sums of facts; a change to an appointment replaces its fact, and the summaries
/// move by the difference (`StatisticsRepository.refreshStatistics`).
public struct AppointmentFact: Hashable, Sendable {
    public var appointmentID: UUID
    public var siteID: UUID
    public var departmentID: UUID
    public var practitionerID: UUID
    public var motiveID: UUID
    public var channel: Channel
    public var patientKind: PatientKind
    /// The periods the booking was made in (bookings, online share).
    public var bookedMonth: LocalDate
    public var bookedWeek: LocalDate
    /// The periods the visit is (or was) in (outcomes, no-shows, fill, survey).
    public var visitMonth: LocalDate
    public var visitWeek: LocalDate
    public var status: AppointmentStatus
    public var cancelledBy: CancelledBy?
    /// Whole hours between the cancellation and the visit's start (negative: cancelled after it began).
    public var noticeHours: Int?
    public var moved: Bool
    public var minutes: Int
    /// Booked from a waiting-list offer (a freed slot given to someone waiting).
    public var refilled: Bool
    public var surveyScore: Int?

    public init(appointmentID: UUID, siteID: UUID, departmentID: UUID, practitionerID: UUID, motiveID: UUID, channel: Channel,
                patientKind: PatientKind, bookedMonth: LocalDate, bookedWeek: LocalDate, visitMonth: LocalDate, visitWeek: LocalDate,
                status: AppointmentStatus, cancelledBy: CancelledBy?, noticeHours: Int?, moved: Bool, minutes: Int, refilled: Bool, surveyScore: Int?) {
        self.appointmentID = appointmentID
        self.siteID = siteID
        self.departmentID = departmentID
        self.practitionerID = practitionerID
        self.motiveID = motiveID
        self.channel = channel
        self.patientKind = patientKind
        self.bookedMonth = bookedMonth
        self.bookedWeek = bookedWeek
        self.visitMonth = visitMonth
        self.visitWeek = visitWeek
        self.status = status
        self.cancelledBy = cancelledBy
        self.noticeHours = noticeHours
        self.moved = moved
        self.minutes = minutes
        self.refilled = refilled
        self.surveyScore = surveyScore
    }

    /// The fact of a stored appointment. `cancelledAt` is when it was cancelled (its last change);
    /// `zone` its site's.
    public init(_ appointment: Appointment, siteID: UUID, zone: TimeZone, patientKind: PatientKind, cancelledAt: Date?, refilled: Bool, surveyScore: Int?) {
        let booked = LocalDate(appointment.createdAt, in: zone)
        let visit = LocalDate(appointment.startsAt, in: zone)
        var notice: Int?
        if appointment.status == .cancelled, let cancelledAt {
            let seconds = appointment.startsAt.timeIntervalSince(cancelledAt)
            notice = seconds.isFinite ? Int(max(-1e9, min(1e9, seconds / 3_600)).rounded(.down)) : nil
        }
        let length = appointment.endsAt.timeIntervalSince(appointment.startsAt) / 60
        self.init(
            appointmentID: appointment.id, siteID: siteID, departmentID: appointment.departmentID, practitionerID: appointment.practitionerID,
            motiveID: appointment.motiveID, channel: appointment.channel, patientKind: patientKind,
            bookedMonth: StatisticsGrain.month.start(of: booked), bookedWeek: StatisticsGrain.week.start(of: booked),
            visitMonth: StatisticsGrain.month.start(of: visit), visitWeek: StatisticsGrain.week.start(of: visit),
            status: appointment.status, cancelledBy: appointment.cancelledBy, noticeHours: notice, moved: appointment.moveCount > 0,
            minutes: length.isFinite ? Int(max(0, min(1_440, length))) : 0, refilled: refilled, surveyScore: surveyScore.map { max(0, min(10, $0)) })
    }

    /// A cancellation this close to the visit counts as late (the slot is hard to give again).
    public static let lateNoticeHours = 48
    /// Within a week of the visit: too close for most waiting lists' patients to take the slot at leisure.
    public static let weekNoticeHours = 7 * 24
}
