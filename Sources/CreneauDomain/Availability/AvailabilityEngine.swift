import Foundation

/// Computes the slots a given person may book, through a given channel, now.
///
/// Pure: the same request and snapshot always give the same slots. Slots are
/// packed greedily from the start of each opening and right after each busy
/// time, so a 30-minute visit is offered at 09:15 after a 15-minute one at
/// 09:00 instead of leaving a quarter hour nothing fits into (scenario 6).
public enum AvailabilityEngine {
    /// With `atMost`, the first that many slots only: days after the one that reaches it are
    /// not computed (each day is planned on its own, so the first slots are the same).
    public static func slots(_ request: AvailabilityRequest, in agenda: AgendaSnapshot, atMost limit: Int? = nil) -> [Slot] {
        let motive = request.motive
        guard motive.isActive, motive.channels.contains(request.channel), request.days > 0 else { return [] }
        if let kind = request.patientKind, !accepts(motive.patients, kind) { return [] }
        guard motive.requiredResourceIDs.allSatisfy({ agenda.resources[$0] != nil }) else { return [] }

        let earliest = request.now.addingTimeInterval(TimeInterval(motive.minimumNoticeMinutes * 60))
        let latest = request.now.addingTimeInterval(TimeInterval(motive.horizonDays(for: request.channel) * 86_400))
        var slots: [Slot] = []
        for offset in 0..<request.days {
            if let limit, slots.count >= limit { return Array(slots.prefix(limit)) }
            let day = request.from.adding(days: offset)
            let dayStart = day.instant(atMinute: 0, in: agenda.timeZone)
            if dayStart > latest { break }
            let dayInterval = Interval(start: dayStart, end: day.adding(days: 1).instant(atMinute: 0, in: agenda.timeZone))
            guard dayInterval.end > earliest else { continue }
            DayPlanner(request: request, agenda: agenda, day: day, dayInterval: dayInterval, earliest: earliest, latest: latest)
                .appendSlots(to: &slots)
        }
        if let limit, slots.count > limit { return Array(slots.prefix(limit)) }
        return slots
    }

    static func accepts(_ acceptance: PatientAcceptance, _ kind: PatientKind) -> Bool {
        switch acceptance {
        case .both: true
        case .new: kind == .new
        case .known: kind == .known
        }
    }

    /// The moment a held-back range opens to its release channels for `day`.
    public static func releaseMoment(of release: OpeningRange.Release, for day: LocalDate, in timeZone: TimeZone) -> Date {
        day.adding(days: -release.daysBefore).instant(atMinute: release.atMinute, in: timeZone)
    }

    /// Whether `range` is open to `channel` at `now`, for its occurrence on `day`.
    public static func isOpen(_ range: OpeningRange, to channel: Channel, on day: LocalDate, at now: Date, in timeZone: TimeZone) -> Bool {
        if range.channels.contains(channel) { return true }
        guard let release = range.release, release.channels.contains(channel) else { return false }
        return now >= releaseMoment(of: release, for: day, in: timeZone)
    }
}

/// One day of one practitioner.
private struct DayPlanner {
    let request: AvailabilityRequest
    let agenda: AgendaSnapshot
    let day: LocalDate
    let dayInterval: Interval
    let earliest: Date
    let latest: Date

    var motive: Motive { request.motive }

    func appendSlots(to slots: inout [Slot]) {
        let openings = practitionerOpenings()
        guard !openings.isEmpty else { return }
        let duration = TimeInterval(motive.durationMinutes * 60)
        let before = TimeInterval(motive.bufferBeforeMinutes * 60)
        let after = TimeInterval(motive.bufferAfterMinutes * 60)
        let practitioner = Busy(agenda: agenda.practitioner, day: dayInterval, request: request)
        let resources = motive.requiredResourceIDs.compactMap { id in
            agenda.resources[id].map { resource in
                ResourceCheck(agenda: resource, busy: Busy(agenda: resource, day: dayInterval, request: request),
                              openings: Self.resourceOpenings(resource, motive: motive, day: day, dayInterval: dayInterval, timeZone: agenda.timeZone))
            }
        }
        // A room the motive needs whose agenda was not loaded: no slot rather than a guess.
        guard resources.count == motive.requiredResourceIDs.count else { return }

        for opening in openings {
            var start = opening.start
            while start.addingTimeInterval(duration) <= opening.end {
                let visit = Interval(start: start, end: start.addingTimeInterval(duration))
                let window = Interval(start: start.addingTimeInterval(-before), end: visit.end.addingTimeInterval(after))
                var next: Date?
                var seatsLeft = 1
                switch practitioner.check(window: window, visitStart: start, motive: motive) {
                case .blocked(let until): next = until.addingTimeInterval(before)
                case .free(let seats): seatsLeft = seats
                }
                if next == nil {
                    for resource in resources {
                        if let until = resource.blockedUntil(visit: visit, window: window) {
                            next = until.addingTimeInterval(before)
                            break
                        }
                    }
                }
                if let next {
                    // Always move forward, by at least a minute.
                    start = max(next, start.addingTimeInterval(60))
                    continue
                }
                if start >= earliest && start <= latest {
                    slots.append(Slot(start: visit.start, end: visit.end, seatsLeft: seatsLeft))
                }
                start = visit.end
            }
        }
    }

    /// The practitioner's openings today that accept the motive through the channel, merged.
    func practitionerOpenings() -> [Interval] {
        Self.openings(
            agenda.practitioner, motive: motive, day: day, dayInterval: dayInterval, timeZone: agenda.timeZone,
            closed: agenda.holidays.contains(day),
            isOpen: { AvailabilityEngine.isOpen($0, to: request.channel, on: day, at: request.now, in: agenda.timeZone) },
            acceptsExtra: { $0.channels.contains(request.channel) && ($0.motiveIDs.isEmpty || $0.motiveIDs.contains(motive.id)) })
    }

    /// A room's openings today (any channel); nil when it has no template, meaning always open.
    static func resourceOpenings(_ resource: ResourceAgenda, motive: Motive, day: LocalDate, dayInterval: Interval, timeZone: TimeZone) -> [Interval]? {
        guard !resource.templates.isEmpty else { return nil }
        return openings(resource, motive: motive, day: day, dayInterval: dayInterval, timeZone: timeZone, closed: false,
                        isOpen: { _ in true }, acceptsExtra: { _ in true })
    }

    /// Template ranges valid on `day` that take the motive and pass `isOpen`, unless the day is
    /// `closed`, plus the extra openings that pass `acceptsExtra`; merged.
    static func openings(
        _ agenda: ResourceAgenda, motive: Motive, day: LocalDate, dayInterval: Interval, timeZone: TimeZone, closed: Bool,
        isOpen: (OpeningRange) -> Bool, acceptsExtra: (ScheduleException) -> Bool
    ) -> [Interval] {
        var intervals: [Interval] = []
        if !closed {
            for template in agenda.templates where template.isValid(on: day) {
                for range in template.ranges where range.weekday == day.isoWeekday
                    && range.accepts(motive, templateDepartment: template.departmentID) && isOpen(range) {
                    intervals.append(Interval(
                        start: day.instant(atMinute: range.startMinute, in: timeZone),
                        end: day.instant(atMinute: range.endMinute, in: timeZone)))
                }
            }
        }
        for exception in agenda.exceptions where exception.kind == .extraOpening && acceptsExtra(exception) {
            let span = Interval(start: max(exception.startsAt, dayInterval.start), end: min(exception.endsAt, dayInterval.end))
            if span.start < span.end { intervals.append(span) }
        }
        return merge(intervals)
    }

    static func merge(_ intervals: [Interval]) -> [Interval] { AgendaSnapshot.merged(intervals) }
}

/// Absences and occupations of one agenda on one day.
private struct Busy {
    let absences: [Interval]
    let occupations: [Occupation]
    let capacity: Int

    init(agenda: ResourceAgenda, day: Interval, request: AvailabilityRequest) {
        // A day's window widened by a day either side keeps buffers that cross midnight.
        let wide = Interval(start: day.start.addingTimeInterval(-86_400), end: day.end.addingTimeInterval(86_400))
        absences = agenda.exceptions.filter { $0.kind == .absence }
            .map { Interval(start: $0.startsAt, end: $0.endsAt) }.filter { $0.overlaps(wide) }
        occupations = agenda.occupations.filter { occupation in
            occupation.interval.overlaps(wide)
                && !(occupation.holderID.map(request.ignoring.contains) ?? false)
                && (occupation.expiresAt.map { $0 > request.now } ?? true)
        }
        capacity = agenda.capacity
    }

    enum Verdict { case free(seats: Int), blocked(until: Date) }

    /// For the practitioner: any absence or other visit in the window blocks;
    /// visits of the same group motive at the same start take seats.
    func check(window: Interval, visitStart: Date, motive: Motive) -> Verdict {
        var until: Date?
        for absence in absences where absence.overlaps(window) { until = max(until ?? absence.end, absence.end) }
        if let until { return .blocked(until: until) }
        var seatsTaken = 0
        for occupation in occupations where occupation.interval.overlaps(window) {
            if motive.capacity > 1 && occupation.motiveID == motive.id && occupation.start == visitStart {
                seatsTaken += 1
            } else {
                until = min(until ?? occupation.interval.end, occupation.interval.end)
            }
        }
        if let until { return .blocked(until: until) }
        if seatsTaken >= motive.capacity { return .blocked(until: window.end) }
        return .free(seats: motive.capacity - seatsTaken)
    }
}

private struct ResourceCheck {
    let busy: Busy
    /// nil: always open.
    let openings: [Interval]?

    init(agenda: ResourceAgenda, busy: Busy, openings: [Interval]?) {
        self.busy = busy
        self.openings = openings
    }

    /// When the resource cannot take the visit, the earliest moment worth trying again.
    func blockedUntil(visit: Interval, window: Interval) -> Date? {
        if let openings, !openings.contains(where: { $0.contains(visit) }) {
            // Next opening that starts after the visit start, or the end of the one we are in.
            if let next = openings.first(where: { $0.start > visit.start }) { return next.start }
            return openings.last.map { max($0.end, visit.end) } ?? visit.end
        }
        var until: Date?
        for absence in busy.absences where absence.overlaps(window) { until = max(until ?? absence.end, absence.end) }
        if let until { return until }
        let overlapping = busy.occupations.filter { $0.interval.overlaps(window) }
        if overlapping.count >= busy.capacity {
            return overlapping.map(\.interval.end).min()
        }
        return nil
    }
}

extension ScheduleTemplate {
    public func isValid(on day: LocalDate) -> Bool {
        validFrom <= day && (validUntil.map { day <= $0 } ?? true)
    }
}

extension OpeningRange {
    /// An empty motive list accepts every motive of the template's department.
    public func accepts(_ motive: Motive, templateDepartment: UUID) -> Bool {
        motiveIDs.isEmpty ? motive.departmentID == templateDepartment : motiveIDs.contains(motive.id)
    }
}
