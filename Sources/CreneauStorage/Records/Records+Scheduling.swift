import CreneauDomain
import Foundation
import SQLKit

// Motives, templates and exceptions have child rows (required resources,
// ranges, accepted motives); the record covers the parent row and the store
// writes the children in the same transaction.

extension Motive: SQLRecord {
    static let table = "motives"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("department_id", Column.id(departmentID)), ("name", name), ("duration_minutes", durationMinutes),
         ("buffer_before_minutes", bufferBeforeMinutes), ("buffer_after_minutes", bufferAfterMinutes), ("capacity", capacity),
         ("patients", patients.rawValue), ("channels", channels.rawValue), ("instructions_before", instructionsBefore),
         ("instructions_after", instructionsAfter), ("horizon_days", horizonDays),
         ("minimum_notice_minutes", minimumNoticeMinutes), ("cancellation_cutoff_minutes", cancellationCutoffMinutes),
         ("maximum_moves", maximumMoves), ("is_active", isActive), ("referral", referral.rawValue), ("online_horizon_days", onlineHorizonDays),
         ("reminders", reminders?.description)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), departmentID: try row.uuid("department_id"), name: try row.string("name"),
            durationMinutes: try row.int("duration_minutes"), bufferBeforeMinutes: try row.int("buffer_before_minutes"),
            bufferAfterMinutes: try row.int("buffer_after_minutes"), capacity: try row.int("capacity"),
            patients: try row.enumeration("patients"), channels: ChannelSet(rawValue: try row.int("channels")),
            instructionsBefore: try row.string("instructions_before"), instructionsAfter: try row.string("instructions_after"),
            horizonDays: try row.int("horizon_days"), onlineHorizonDays: try row.optionalInt("online_horizon_days"),
            referral: try row.enumeration("referral"), minimumNoticeMinutes: try row.int("minimum_notice_minutes"),
            cancellationCutoffMinutes: try row.int("cancellation_cutoff_minutes"), maximumMoves: try row.int("maximum_moves"),
            requiredResourceIDs: [], isActive: try row.decode(column: "is_active", as: Bool.self), reminders: Self.reminders(row))
    }

    /// A stored schedule (written through `ReminderSchedule` only); a query that did not select it reads nil.
    static func reminders(_ row: any SQLRow) -> ReminderSchedule? {
        guard let text = (try? row.optionalString("reminders")) ?? nil else { return nil }
        return try? ReminderSchedule(parsing: text)
    }
}

extension ScheduleTemplate.Owner {
    var practitionerColumn: String? { if case .practitioner(let id) = self { Column.id(id) } else { nil } }
    var resourceColumn: String? { if case .resource(let id) = self { Column.id(id) } else { nil } }

    init(row: any SQLRow) throws {
        if let practitioner = try row.optionalUUID("practitioner_id") {
            self = .practitioner(practitioner)
        } else {
            self = .resource(try row.uuid("resource_id"))
        }
    }
}

extension ScheduleTemplate: SQLRecord {
    static let table = "schedule_templates"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("practitioner_id", owner.practitionerColumn), ("resource_id", owner.resourceColumn),
         ("department_id", Column.id(departmentID)), ("valid_from", validFrom.description),
         ("valid_until", validUntil?.description)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), owner: try Owner(row: row), departmentID: try row.uuid("department_id"),
            validFrom: try row.day("valid_from"), validUntil: try row.optionalDay("valid_until"), ranges: [])
    }
}

/// An opening range as a row: it needs its template's id, which the domain value does not carry.
struct OpeningRangeRow: SQLRecord {
    static let table = "opening_ranges"
    var templateID: UUID
    var range: OpeningRange

    var key: String { Column.id(range.id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("template_id", Column.id(templateID)), ("weekday", range.weekday),
         ("start_minute", range.startMinute), ("end_minute", range.endMinute), ("channels", range.channels.rawValue),
         ("release_channels", range.release?.channels.rawValue), ("release_days_before", range.release?.daysBefore),
         ("release_at_minute", range.release?.atMinute)]
    }
    init(templateID: UUID, range: OpeningRange) {
        self.templateID = templateID
        self.range = range
    }
    init(row: any SQLRow) throws {
        var release: OpeningRange.Release?
        if let channels = try row.optionalInt("release_channels") {
            release = .init(
                channels: ChannelSet(rawValue: channels), daysBefore: try row.int("release_days_before"),
                atMinute: try row.int("release_at_minute"))
        }
        self.templateID = try row.uuid("template_id")
        self.range = OpeningRange(
            id: try row.uuid("id"), weekday: try row.int("weekday"), startMinute: try row.int("start_minute"),
            endMinute: try row.int("end_minute"), motiveIDs: [], channels: ChannelSet(rawValue: try row.int("channels")),
            release: release)
    }
}

extension ScheduleException: SQLRecord {
    static let table = "schedule_exceptions"
    var key: String { Column.id(id) }
    var columns: [(String, SQLValue)] {
        [("id", key), ("practitioner_id", owner.practitionerColumn), ("resource_id", owner.resourceColumn),
         ("kind", kind.rawValue), ("starts_at", Column.instant(startsAt)), ("ends_at", Column.instant(endsAt)),
         ("reason", reason), ("channels", channels.rawValue)]
    }
    init(row: any SQLRow) throws {
        self.init(
            id: try row.uuid("id"), owner: try ScheduleTemplate.Owner(row: row), kind: try row.enumeration("kind"),
            startsAt: try row.instant("starts_at"), endsAt: try row.instant("ends_at"), reason: try row.string("reason"),
            channels: ChannelSet(rawValue: try row.int("channels")), motiveIDs: [])
    }
}

/// A link row between a parent and another entity (range → motive, motive → resource…).
struct LinkRow: Sendable {
    let table: String
    let parentColumn: String
    let childColumn: String

    static let motiveResources = LinkRow(table: "motive_resources", parentColumn: "motive_id", childColumn: "resource_id")
    static let rangeMotives = LinkRow(table: "opening_range_motives", parentColumn: "range_id", childColumn: "motive_id")
    static let exceptionMotives = LinkRow(table: "schedule_exception_motives", parentColumn: "exception_id", childColumn: "motive_id")
    static let appointmentResources = LinkRow(table: "appointment_resources", parentColumn: "appointment_id", childColumn: "resource_id")
}
