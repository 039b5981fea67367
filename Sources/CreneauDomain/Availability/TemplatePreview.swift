import Foundation

/// The week a weekly template would give, before it is saved: for each day, the template's
/// ranges (with when held-back ones open), the slots each motive would offer online and by
/// phone as of now, and the booked visits that would start outside every opening. Computed
/// by the availability engine itself on the practitioner's real agenda with the edited
/// template in place of the stored one, so the preview cannot disagree with what patients
/// will see.
public struct TemplatePreview: Sendable {
    public struct MotiveSlots: Sendable {
        public let motive: Motive
        /// nil when the motive is not open to the channel at all.
        public let online: Int?
        public let phone: Int?
    }

    public struct Day: Sendable {
        public let date: LocalDate
        public let isHoliday: Bool
        /// This template's ranges on that day, by start.
        public let ranges: [OpeningRange]
        /// Absences of the practitioner that touch the day.
        public let absences: [Interval]
        public let slots: [MotiveSlots]
        /// Booked visits (any department) that would start outside every opening of the practitioner.
        public let outside: [Date]
    }

    public let timeZone: TimeZone
    public let days: [Day]

    /// `snapshots`: the practitioner's agenda for each motive (keyed by motive id), covering the
    /// week, as stored; `template` replaces the stored template of the same id (or is added).
    public init(template: ScheduleTemplate, week monday: LocalDate, motives: [Motive], snapshots: [UUID: AgendaSnapshot], now: Date) {
        let edited = snapshots.mapValues { snapshot -> AgendaSnapshot in
            var copy = snapshot
            copy.practitioner.templates.removeAll { $0.id == template.id }
            copy.practitioner.templates.append(template)
            return copy
        }
        let any = edited.values.first
        let zone = any?.timeZone ?? Site.defaultZone
        timeZone = zone
        let active = motives.filter(\.isActive)
        days = (0..<7).map { offset in
            let date = monday.adding(days: offset)
            let dayInterval = Interval(start: date.instant(atMinute: 0, in: zone), end: date.adding(days: 1).instant(atMinute: 0, in: zone))
            let ranges = template.isValid(on: date)
                ? template.ranges.filter { $0.weekday == date.isoWeekday }.sorted { $0.startMinute < $1.startMinute } : []
            let slots = active.map { motive -> MotiveSlots in
                func count(_ channel: Channel) -> Int? {
                    guard motive.channels.contains(channel), let snapshot = edited[motive.id] else { return nil }
                    return AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: channel, from: date, days: 1, now: now), in: snapshot).count
                }
                return MotiveSlots(motive: motive, online: count(.online), phone: count(.phone))
            }
            var absences: [Interval] = []
            var outside: [Date] = []
            if let agenda = any {
                absences = agenda.practitioner.exceptions.filter { $0.kind == .absence }
                    .map { Interval(start: $0.startsAt, end: $0.endsAt) }.filter { $0.overlaps(dayInterval) }
                let open = agenda.openingHours(on: date, departmentID: nil)
                let visits = Set(agenda.practitioner.occupations.filter { $0.expiresAt == nil && dayInterval.start <= $0.start && $0.start < dayInterval.end }.map(\.start))
                outside = visits.filter { start in !open.contains { $0.start <= start && start < $0.end } }.sorted()
            }
            return Day(date: date, isHoliday: any?.holidays.contains(date) ?? false, ranges: ranges, absences: absences, slots: slots, outside: outside)
        }
    }
}
