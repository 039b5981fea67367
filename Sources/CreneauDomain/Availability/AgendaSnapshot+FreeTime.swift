import Foundation

extension AgendaSnapshot {
    /// The practitioner's free time in a department on one day, as the secretaries read it:
    /// the department's template ranges valid that day (any motive, any channel) and the
    /// extra openings, less public holidays, absences and whatever occupies the practitioner
    /// (appointments with their buffers, live holds), and the time already past. Motive-independent
    /// on purpose: it says "free 10:30–12:00", and the booking page says what fits in it.
    public func freeTime(on day: LocalDate, departmentID: UUID, now: Date) -> [Interval] {
        let dayInterval = interval(of: day)
        var busy = practitioner.exceptions.filter { $0.kind == .absence }.map { Interval(start: $0.startsAt, end: $0.endsAt) }
        busy += practitioner.occupations.filter { $0.expiresAt.map { $0 > now } ?? true }.map(\.interval)
        busy.append(Interval(start: dayInterval.start, end: max(dayInterval.start, now)))
        return Self.subtract(busy.filter { $0.overlaps(dayInterval) }, from: Self.merged(openingHours(on: day, departmentID: departmentID)))
    }

    /// The practitioner's opening hours on `day`, unmerged: the template ranges valid that day
    /// (of `departmentID` only, when given; any motive, any channel; none on a public holiday)
    /// and the extra openings that touch the day, clipped to it.
    func openingHours(on day: LocalDate, departmentID: UUID?) -> [Interval] {
        let dayInterval = interval(of: day)
        var open: [Interval] = []
        if !holidays.contains(day) {
            for template in practitioner.templates where (departmentID.map { template.departmentID == $0 } ?? true) && template.isValid(on: day) {
                for range in template.ranges where range.weekday == day.isoWeekday {
                    open.append(Interval(start: day.instant(atMinute: range.startMinute, in: timeZone), end: day.instant(atMinute: range.endMinute, in: timeZone)))
                }
            }
        }
        for exception in practitioner.exceptions where exception.kind == .extraOpening {
            let span = Interval(start: max(exception.startsAt, dayInterval.start), end: min(exception.endsAt, dayInterval.end))
            if span.start < span.end { open.append(span) }
        }
        return open
    }

    /// The local day as instants, from midnight to the next midnight in the site's zone.
    func interval(of day: LocalDate) -> Interval {
        Interval(start: day.instant(atMinute: 0, in: timeZone), end: day.adding(days: 1).instant(atMinute: 0, in: timeZone))
    }

    /// The practitioner's absences that touch the day, clipped to it.
    public func absences(on day: LocalDate) -> [Interval] {
        let dayInterval = interval(of: day)
        return practitioner.exceptions.filter { $0.kind == .absence }
            .map { Interval(start: max($0.startsAt, dayInterval.start), end: min($0.endsAt, dayInterval.end)) }
            .filter { $0.start < $0.end }
            .sorted { $0.start < $1.start }
    }

    static func merged(_ intervals: [Interval]) -> [Interval] {
        var merged: [Interval] = []
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, interval.start <= last.end {
                merged[merged.count - 1].end = max(last.end, interval.end)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// `open` less every `busy` interval; pieces shorter than five minutes (the agenda's grain) are dropped.
    static func subtract(_ busy: [Interval], from open: [Interval]) -> [Interval] {
        var result: [Interval] = []
        let blocks = merged(busy)
        for interval in open {
            var start = interval.start
            for block in blocks where block.end > start && block.start < interval.end {
                if block.start > start { result.append(Interval(start: start, end: block.start)) }
                start = max(start, block.end)
            }
            if start < interval.end { result.append(Interval(start: start, end: interval.end)) }
        }
        return result.filter { $0.end.timeIntervalSince($0.start) >= 300 }
    }
}
