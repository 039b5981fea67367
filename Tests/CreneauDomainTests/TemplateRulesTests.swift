@testable import CreneauDomain
import Foundation
import Testing

@Suite("Weekly templates: what an administrator may save, and the week it previews")
struct TemplateRulesTests {
    typealias Example = AvailabilityExamplesTests
    static let consultation = Example.motive(30, channels: [.online, .phone])
    static let other = Motive(id: UUID(), departmentID: UUID(), name: "Autre service", durationMinutes: 20, patients: .both, channels: [.online])

    static func finding(_ ranges: [OpeningRange], until: LocalDate? = nil) -> TemplateRules.Finding? {
        var template = Example.template(ranges)
        template.validUntil = until
        return TemplateRules.finding(in: template, departmentMotives: [consultation, other])
    }

    @Test("a usual week passes: mornings, a held-back afternoon, back-to-back ranges")
    func valid() {
        let ranges = (1...5).map { Example.range($0, 510, 720) } + [
            Example.range(2, 720, 840, channels: .phone, release: .init(channels: .online, daysBefore: 1, atMinute: 1_080)),
            Example.range(6, 1_380, 1_440),
        ]
        #expect(Self.finding(ranges) == nil)
    }

    @Test("each wrong range is named with its position", arguments: [
        (OpeningRange(id: UUID(), weekday: 8, startMinute: 540, endMinute: 600, motiveIDs: [], channels: .all), TemplateRules.Problem.weekday),
        (Example.range(1, 600, 540), .times),
        (Example.range(1, 540, 540), .times),
        (Example.range(1, 542, 600), .times),
        (Example.range(1, 540, 1_445), .times),
        (Example.range(1, -5, 600), .times),
        (Example.range(1, 540, 600, channels: []), .channels),
        (Example.range(1, 540, 600, channels: [.online, .phone], release: .init(channels: .online, daysBefore: 1, atMinute: 1_080)), .release),
        (Example.range(1, 540, 600, channels: .phone, release: .init(channels: .online, daysBefore: 61, atMinute: 1_080)), .release),
        (Example.range(1, 540, 600, channels: .phone, release: .init(channels: .online, daysBefore: 1, atMinute: 1_440)), .release),
        (Example.range(1, 540, 600, channels: .phone, release: .init(channels: [], daysBefore: 1, atMinute: 600)), .release),
        (OpeningRange(id: UUID(), weekday: 1, startMinute: 540, endMinute: 600, motiveIDs: [other.id], channels: .all), .motive),
        (OpeningRange(id: UUID(), weekday: 1, startMinute: 540, endMinute: 600, motiveIDs: [UUID()], channels: .all), .motive),
    ] as [(OpeningRange, TemplateRules.Problem)])
    func wrongRange(_ range: OpeningRange, _ problem: TemplateRules.Problem) {
        #expect(Self.finding([Example.range(2, 540, 720), range]) == TemplateRules.Finding(problem: problem, rangeIndex: 1))
    }

    @Test("overlaps on one weekday are refused, touching ranges and other weekdays are not; validity and size")
    func overlapsAndValidity() {
        #expect(Self.finding([Example.range(1, 540, 720), Example.range(3, 540, 720), Example.range(1, 700, 780)])
            == .init(problem: .overlap, rangeIndex: 2))
        #expect(Self.finding([Example.range(1, 600, 660), Example.range(1, 540, 780)]) == .init(problem: .overlap, rangeIndex: 1))
        #expect(Self.finding([Example.range(1, 540, 720), Example.range(1, 720, 780)]) == nil)
        #expect(Self.finding([Example.range(1, 540, 720)], until: LocalDate("2025-12-31")) == .init(problem: .validity, rangeIndex: nil))
        #expect(Self.finding([Example.range(1, 540, 720)], until: LocalDate("2026-01-01")) == nil)
        let many = (0..<101).map { Example.range(1 + $0 % 7, ($0 / 7) * 60, ($0 / 7) * 60 + 30) }
        #expect(Self.finding(many) == .init(problem: .tooManyRanges, rangeIndex: nil))
    }

    /// Next week, previewed on Monday 23 November at 10:00: a held-back Monday afternoon
    /// opens online on Sunday at 18:00, so it shows by phone only; a visit booked on
    /// Tuesday at 17:00 starts outside the new openings; Friday is a holiday.
    @Test("the preview counts each motive's slots by channel as of now, names visits outside, holidays and absences")
    func preview() {
        let monday = LocalDate("2026-11-30")!
        let morning = Example.range(1, 540, 720)
        let afternoon = Example.range(1, 840, 960, channels: .phone, release: .init(channels: .online, daysBefore: 1, atMinute: 1_080))
        let stored = Example.template([Example.range(2, 540, 1_080)])
        var edited = stored
        edited.ranges = [morning, afternoon, Example.range(2, 540, 720), Example.range(5, 540, 720)]
        let tuesday = monday.adding(days: 1)
        let absence = ScheduleException(id: UUID(), owner: stored.owner, kind: .absence, startsAt: Example.at(monday, 9), endsAt: Example.at(monday, 10), reason: "")
        let agenda = AgendaSnapshot(
            timeZone: Example.paris, holidays: [monday.adding(days: 4)],
            practitioner: ResourceAgenda(templates: [stored], exceptions: [absence],
                                         occupations: [Example.booked(Self.consultation.id, Example.at(tuesday, 17), minutes: 30),
                                                       Example.booked(Self.consultation.id, Example.at(tuesday, 9), minutes: 30)]))
        let preview = TemplatePreview(template: edited, week: monday, motives: [Self.consultation], snapshots: [Self.consultation.id: agenda],
                                      now: Example.at(Example.monday, 10))
        #expect(preview.days.map(\.date) == (0..<7).map { monday.adding(days: $0) })
        let first = preview.days[0]
        #expect(first.ranges == [morning, afternoon])
        // Morning 09:00–12:00 minus the 09:00–10:00 absence: 4 visits; the afternoon adds 4 by phone only.
        #expect(first.slots.first?.online == 4 && first.slots.first?.phone == 8)
        #expect(first.absences == [Interval(start: Example.at(monday, 9), end: Example.at(monday, 10))])
        // Tuesday: the 09:00 visit is inside the new morning, the 17:00 one is not.
        #expect(preview.days[1].outside == [Example.at(tuesday, 17)])
        #expect(preview.days[1].slots.first?.online == 5)
        #expect(preview.days[4].isHoliday && preview.days[4].slots.first?.online == 0)
        #expect(preview.days[2].ranges.isEmpty && preview.days[2].slots.first?.phone == 0)
        // A motive not open by phone says so rather than "0".
        let onlineOnly = Example.motive(20, channels: .online)
        let other = TemplatePreview(template: edited, week: monday, motives: [onlineOnly], snapshots: [onlineOnly.id: agenda], now: Example.at(Example.monday, 10))
        #expect(other.days[0].slots.first?.phone == nil)
        // Once Sunday 18:00 has passed, the held-back afternoon counts online too.
        let later = TemplatePreview(template: edited, week: monday, motives: [Self.consultation], snapshots: [Self.consultation.id: agenda],
                                    now: Example.at(monday.adding(days: -1), 18, 30))
        #expect(later.days[0].slots.first?.online == 8)
    }
}
