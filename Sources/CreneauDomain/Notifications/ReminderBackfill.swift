import Foundation

/// A booked visit and what its reminders need: whom to tell, the schedule, the site's zone.
public struct RemindableVisit: Sendable {
    public var appointment: Appointment
    public var recipient: NoticeRecipient
    public var schedule: ReminderSchedule
    public var zone: TimeZone

    public init(appointment: Appointment, recipient: NoticeRecipient, schedule: ReminderSchedule, zone: TimeZone) {
        self.appointment = appointment
        self.recipient = recipient
        self.schedule = schedule
        self.zone = zone
    }
}

public protocol ReminderBackfillRepository: Sendable {
    /// Booked visits starting in [from, to), by id after `after`, at most `limit`.
    func remindableVisits(from: Date, to: Date, after: UUID?, limit: Int) async throws -> [RemindableVisit]
    /// Queues the messages in one transaction; those whose key is queued already are left alone. How many were new.
    func enqueue(batch: [OutboxMessage]) async throws -> Int
}

/// Plans the reminders of visits that were booked without them: appointments a hospital brought
/// in from its previous system, or booked before this version. Safe to run again and on several
/// instances: each reminder's key is unique, so a second run adds nothing.
public struct ReminderBackfill: Sendable {
    let visits: any ReminderBackfillRepository
    let planner: NoticePlanner

    public init(visits: any ReminderBackfillRepository, planner: NoticePlanner) {
        self.visits = visits
        self.planner = planner
    }

    /// Visits starting within `days` of `now`; returns how many visits were read and reminders queued.
    public func run(days: Int, now: Date, page: Int = 2_000) async throws -> (visits: Int, queued: Int) {
        let end = now.addingTimeInterval(Double(max(1, min(days, 366))) * 86_400)
        var after: UUID?, seen = 0, queued = 0
        while true {
            let batch = try await visits.remindableVisits(from: now, to: end, after: after, limit: page)
            guard let last = batch.last else { break }
            let messages = batch.flatMap { visit in
                // No booking just happened: every reminder still ahead is due (none already past).
                planner.reminders(visit.appointment, to: visit.recipient, schedule: visit.schedule, zone: visit.zone, now: now, notBefore: now)
            }
            queued += try await visits.enqueue(batch: messages)
            seen += batch.count
            after = last.appointment.id
        }
        return (seen, queued)
    }
}
