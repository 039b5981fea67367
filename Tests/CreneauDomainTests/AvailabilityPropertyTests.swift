import CreneauDomain
import CreneauSeed
import Foundation
import Testing

/// Properties that hold for any configuration: generated agendas, checked
/// against independent, slower definitions of "free" and "open".
@Suite("Availability: properties over generated agendas")
struct AvailabilityPropertyTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!

    struct Case {
        var request: AvailabilityRequest
        var agenda: AgendaSnapshot
    }

    static func generate(_ random: inout SeededRandom) -> Case {
        let department = random.uuid()
        let room = random.uuid()
        let needsRoom = random.chance(0.3)
        let duration = random.pick([10, 15, 20, 30, 45, 60])
        let capacity = random.chance(0.15) ? Int.random(in: 2...6, using: &random) : 1
        let motive = Motive(
            id: random.uuid(), departmentID: department, name: "m", durationMinutes: duration,
            bufferBeforeMinutes: random.pick([0, 0, 5, 10]), bufferAfterMinutes: random.pick([0, 0, 5, 10]), capacity: capacity,
            patients: .both, channels: random.chance(0.8) ? .all : [.phone, .referral],
            horizonDays: Int.random(in: 3...40, using: &random), minimumNoticeMinutes: random.pick([0, 60, 120, 1440]),
            requiredResourceIDs: needsRoom ? [room] : [])
        // Around the spring DST change half of the time.
        let from = random.chance(0.5) ? LocalDate("2026-03-23")! : LocalDate("2026-11-16")!
        func ranges() -> [OpeningRange] {
            (0..<Int.random(in: 1...6, using: &random)).map { _ in
                let start = Int.random(in: 84...216, using: &random) * 5 // 07:00–18:00
                let release: OpeningRange.Release? = random.chance(0.3)
                    ? .init(channels: .online, daysBefore: Int.random(in: 0...2, using: &random), atMinute: Int.random(in: 0...287, using: &random) * 5)
                    : nil
                return OpeningRange(
                    id: random.uuid(), weekday: Int.random(in: 1...7, using: &random), startMinute: start,
                    endMinute: min(1440, start + Int.random(in: 6...48, using: &random) * 5),
                    motiveIDs: random.chance(0.85) ? [motive.id] : [random.uuid()],
                    channels: random.chance(0.6) ? .all : random.pick([.staff, [.phone], [.online], [.referral]] as [ChannelSet]),
                    release: release)
            }
        }
        let templates = (0..<Int.random(in: 1...2, using: &random)).map { _ in
            ScheduleTemplate(id: random.uuid(), owner: .practitioner(random.uuid()), departmentID: department,
                             validFrom: from.adding(days: Int.random(in: -5...5, using: &random)),
                             validUntil: random.chance(0.3) ? from.adding(days: Int.random(in: 5...20, using: &random)) : nil, ranges: ranges())
        }
        func occupations(_ count: Int) -> [Occupation] {
            (0..<count).map { _ in
                let day = from.adding(days: Int.random(in: 0..<14, using: &random))
                let start = day.instant(atMinute: Int.random(in: 84...216, using: &random) * 5, in: paris)
                let minutes = random.pick([10, 15, 20, 30, 45, 60, 90])
                return Occupation(interval: Interval(start: start, end: start.addingTimeInterval(TimeInterval(minutes * 60))),
                                  motiveID: random.chance(0.5) ? motive.id : random.uuid(), start: start)
            }
        }
        func absences(_ owner: ScheduleTemplate.Owner) -> [ScheduleException] {
            (0..<Int.random(in: 0...2, using: &random)).map { _ in
                let start = from.adding(days: Int.random(in: 0..<14, using: &random)).instant(atMinute: Int.random(in: 0...200, using: &random) * 5, in: paris)
                return ScheduleException(id: random.uuid(), owner: owner, kind: .absence, startsAt: start,
                                         endsAt: start.addingTimeInterval(TimeInterval(Int.random(in: 1...48, using: &random) * 1_800)), reason: "")
            }
        }
        let holidays: Set<LocalDate> = random.chance(0.3) ? [from.adding(days: Int.random(in: 0..<14, using: &random))] : []
        let practitioner = ResourceAgenda(templates: templates, exceptions: absences(.practitioner(random.uuid())), occupations: occupations(Int.random(in: 0...30, using: &random)))
        let roomAgenda = ResourceAgenda(templates: [], exceptions: absences(.resource(room)), occupations: occupations(Int.random(in: 0...30, using: &random)),
                                        capacity: random.chance(0.2) ? 2 : 1)
        let now = from.adding(days: Int.random(in: -3...3, using: &random)).instant(atMinute: Int.random(in: 0...287, using: &random) * 5, in: paris)
        let channel = random.pick(Channel.allCases)
        return Case(
            request: AvailabilityRequest(motive: motive, channel: channel, from: from, days: 14, now: now),
            agenda: AgendaSnapshot(timeZone: paris, holidays: ClosedDays(calendar: .none, closures: holidays), practitioner: practitioner, resources: needsRoom ? [room: roomAgenda] : [:]))
    }

    /// Independent definition: is `visit` covered by openings of the practitioner that take the motive through the channel now?
    static func isInsideOpening(_ visit: Interval, _ test: Case) -> Bool {
        let request = test.request, agenda = test.agenda
        let day = LocalDate(visit.start, in: paris)
        guard !agenda.holidays.contains(day) else { return false }
        var spans: [Interval] = []
        for template in agenda.practitioner.templates where template.validFrom <= day && (template.validUntil == nil || day <= template.validUntil!) {
            for range in template.ranges where range.weekday == day.isoWeekday && range.motiveIDs.contains(request.motive.id) {
                let released = range.release.map {
                    $0.channels.contains(request.channel) && request.now >= day.adding(days: -$0.daysBefore).instant(atMinute: $0.atMinute, in: paris)
                } ?? false
                if range.channels.contains(request.channel) || released {
                    spans.append(Interval(start: day.instant(atMinute: range.startMinute, in: paris), end: day.instant(atMinute: range.endMinute, in: paris)))
                }
            }
        }
        // Walk the spans in order: the visit is covered when contiguous open time reaches its end.
        var reach = visit.start
        for span in spans.sorted(by: { $0.start < $1.start }) where span.start <= reach && span.end > reach {
            reach = span.end
        }
        return reach >= visit.end
    }

    static let cases = 400

    @Test("every slot has the motive's length, lies in an open opening, respects notice and horizon")
    func slotsAreValid() {
        var random = SeededRandom(seed: 2026)
        var checked = 0
        for _ in 0..<Self.cases {
            let test = Self.generate(&random)
            let slots = AvailabilityEngine.slots(test.request, in: test.agenda)
            let motive = test.request.motive
            for slot in slots {
                checked += 1
                #expect(slot.end.timeIntervalSince(slot.start) == TimeInterval(motive.durationMinutes * 60))
                #expect(Self.isInsideOpening(Interval(start: slot.start, end: slot.end), test))
                #expect(slot.start >= test.request.now.addingTimeInterval(TimeInterval(motive.minimumNoticeMinutes * 60)))
                #expect(slot.start <= test.request.now.addingTimeInterval(TimeInterval(motive.horizonDays * 86_400)))
                #expect(motive.channels.contains(test.request.channel))
            }
        }
        #expect(checked > 1_000, "the generator should produce many slots to check, got \(checked)")
    }

    @Test("no slot overlaps a busy time of the practitioner or of a required room")
    func noOverlap() {
        var random = SeededRandom(seed: 1789)
        for _ in 0..<Self.cases {
            let test = Self.generate(&random)
            let motive = test.request.motive
            let before = TimeInterval(motive.bufferBeforeMinutes * 60), after = TimeInterval(motive.bufferAfterMinutes * 60)
            for slot in AvailabilityEngine.slots(test.request, in: test.agenda) {
                let window = Interval(start: slot.start.addingTimeInterval(-before), end: slot.end.addingTimeInterval(after))
                let practitioner = test.agenda.practitioner
                for absence in practitioner.exceptions where absence.kind == .absence {
                    #expect(!window.overlaps(Interval(start: absence.startsAt, end: absence.endsAt)))
                }
                let clashes = practitioner.occupations.filter {
                    $0.interval.overlaps(window) && !(motive.capacity > 1 && $0.motiveID == motive.id && $0.start == slot.start)
                }
                #expect(clashes.isEmpty)
                let seats = practitioner.occupations.filter { $0.motiveID == motive.id && $0.start == slot.start && $0.interval.overlaps(window) }.count
                #expect(motive.capacity > 1 ? seats < motive.capacity : seats == 0)
                for id in motive.requiredResourceIDs {
                    let room = test.agenda.resources[id]!
                    #expect(room.occupations.filter { $0.interval.overlaps(window) }.count < room.capacity)
                    for absence in room.exceptions { #expect(!window.overlaps(Interval(start: absence.startsAt, end: absence.endsAt))) }
                }
            }
        }
    }

    @Test("asking for at most n slots gives the first n of the full answer")
    func firstSlotsOnly() {
        var random = SeededRandom(seed: 18)
        var shortened = 0
        for _ in 0..<Self.cases {
            let test = Self.generate(&random)
            let all = AvailabilityEngine.slots(test.request, in: test.agenda)
            for limit in [1, 4, 30] {
                let first = AvailabilityEngine.slots(test.request, in: test.agenda, atMost: limit)
                #expect(first == Array(all.prefix(limit)))
                if all.count > limit { shortened += 1 }
            }
        }
        #expect(shortened > 100)
    }

    @Test("slots come in time order and never overlap each other")
    func ordered() {
        var random = SeededRandom(seed: 4)
        for _ in 0..<Self.cases {
            let test = Self.generate(&random)
            let slots = AvailabilityEngine.slots(test.request, in: test.agenda)
            for (a, b) in zip(slots, slots.dropFirst()) { #expect(a.end <= b.start) }
        }
    }

    @Test("a held-back range appears for a channel exactly from its release moment")
    func release() {
        var random = SeededRandom(seed: 18)
        let paris = Self.paris
        for _ in 0..<200 {
            let motive = Motive(id: random.uuid(), departmentID: random.uuid(), name: "u", durationMinutes: 15, horizonDays: 30, minimumNoticeMinutes: 0)
            let day = LocalDate("2026-11-24")!.adding(days: Int.random(in: 0...6, using: &random))
            let release = OpeningRange.Release(channels: .online, daysBefore: Int.random(in: 0...2, using: &random), atMinute: Int.random(in: 0...95, using: &random) * 5)
            let range = OpeningRange(id: random.uuid(), weekday: day.isoWeekday, startMinute: 480 + 60 * 8, endMinute: 540 + 60 * 8,
                                     motiveIDs: [motive.id], channels: .staff, release: release)
            let agenda = AgendaSnapshot(timeZone: paris, holidays: [], practitioner: ResourceAgenda(templates: [
                ScheduleTemplate(id: random.uuid(), owner: .practitioner(random.uuid()), departmentID: motive.departmentID, validFrom: LocalDate("2026-01-01")!, ranges: [range]),
            ]))
            let moment = AvailabilityEngine.releaseMoment(of: release, for: day, in: paris)
            let justBefore = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: day, days: 1, now: moment.addingTimeInterval(-1)), in: agenda)
            let atRelease = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: day, days: 1, now: moment), in: agenda)
            #expect(justBefore.isEmpty)
            #expect(atRelease.count == 4 || moment > day.instant(atMinute: range.startMinute, in: paris))
            let phone = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .phone, from: day, days: 1, now: moment.addingTimeInterval(-1)), in: agenda)
            #expect(phone.count == 4 || moment.addingTimeInterval(-1) > day.instant(atMinute: range.startMinute, in: paris))
        }
    }

    @Test("daylight-saving days have as many daytime slots as their neighbours")
    func daylightSavingCounts() {
        var random = SeededRandom(seed: 33)
        for _ in 0..<100 {
            let duration = random.pick([10, 15, 20, 30, 45, 60])
            let motive = Motive(id: random.uuid(), departmentID: random.uuid(), name: "d", durationMinutes: duration, horizonDays: 60, minimumNoticeMinutes: 0)
            let start = Int.random(in: 72...200, using: &random) * 5
            let range = OpeningRange(id: random.uuid(), weekday: 7, startMinute: start, endMinute: min(1440, start + Int.random(in: 6...60, using: &random) * 5), motiveIDs: [motive.id], channels: .all)
            let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [
                ScheduleTemplate(id: random.uuid(), owner: .practitioner(random.uuid()), departmentID: motive.departmentID, validFrom: LocalDate("2026-01-01")!, ranges: [range]),
            ]))
            var counts: [Int] = []
            for sunday in ["2026-03-22", "2026-03-29", "2026-10-25", "2026-11-01"] {
                let day = LocalDate(sunday)!
                counts.append(AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: day, days: 1, now: day.adding(days: -3).instant(atMinute: 0, in: Self.paris)), in: agenda).count)
            }
            #expect(Set(counts).count == 1, "\(counts)")
            #expect(counts[0] == (range.endMinute - range.startMinute) / duration)
        }
    }
}
