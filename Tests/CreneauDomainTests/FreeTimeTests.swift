import CreneauDomain
import Foundation
import Testing

@Suite("The free time a secretary reads on the agenda")
struct FreeTimeTests {
    typealias Example = AvailabilityExamplesTests
    static let monday = LocalDate("2026-11-30")!

    static func text(_ intervals: [Interval]) -> [String] {
        let start = Example.times(intervals.map { Slot(start: $0.start, end: $0.end) })
        let end = Example.times(intervals.map { Slot(start: $0.end, end: $0.end) })
        return zip(start, end).map { "\($0)–\($1)" }
    }

    @Test("openings of the department, less visits with their buffers, absences, live holds and the time already past")
    func free() {
        let motive = Example.motive(30)
        var otherDepartment = Example.template([Example.range(1, 14 * 60, 18 * 60)])
        otherDepartment.departmentID = UUID()
        let template = Example.template([Example.range(1, 9 * 60, 12 * 60), Example.range(1, 11 * 60, 13 * 60, channels: .phone)])
        let owner = template.owner
        let agenda = AgendaSnapshot(timeZone: Example.paris, holidays: [], practitioner: ResourceAgenda(
            templates: [template, otherDepartment],
            exceptions: [
                ScheduleException(id: UUID(), owner: owner, kind: .absence, startsAt: Example.at(Self.monday, 12), endsAt: Example.at(Self.monday, 12, 30), reason: ""),
                ScheduleException(id: UUID(), owner: owner, kind: .extraOpening, startsAt: Example.at(Self.monday, 19), endsAt: Example.at(Self.monday, 20), reason: ""),
            ],
            occupations: [
                Occupation(interval: Interval(start: Example.at(Self.monday, 9, 30), end: Example.at(Self.monday, 10, 10)), motiveID: motive.id,
                           start: Example.at(Self.monday, 9, 30)),
                // A live hold counts; a lapsed one does not.
                Occupation(interval: Interval(start: Example.at(Self.monday, 10, 30), end: Example.at(Self.monday, 11)), motiveID: motive.id,
                           start: Example.at(Self.monday, 10, 30), holderID: UUID(), expiresAt: Example.at(Self.monday, 6)),
                Occupation(interval: Interval(start: Example.at(Self.monday, 11), end: Example.at(Self.monday, 11, 15)), motiveID: motive.id,
                           start: Example.at(Self.monday, 11), holderID: UUID(), expiresAt: Example.at(Self.monday, 9)),
            ]))
        let early = Example.at(Self.monday, 7)
        #expect(Self.text(agenda.freeTime(on: Self.monday, departmentID: Example.department, now: early))
            == ["09:00–09:30", "10:10–11:00", "11:15–12:00", "12:30–13:00", "19:00–20:00"])
        // At 10:40 the second hold has lapsed too, and the morning so far is gone.
        #expect(Self.text(agenda.freeTime(on: Self.monday, departmentID: Example.department, now: Example.at(Self.monday, 10, 40)))
            == ["10:40–12:00", "12:30–13:00", "19:00–20:00"])
        #expect(agenda.freeTime(on: Self.monday, departmentID: Example.department, now: Example.at(Self.monday.adding(days: 1), 8)).isEmpty)
        // Tuesday has no range; a holiday closes the day.
        #expect(agenda.freeTime(on: Self.monday.adding(days: 1), departmentID: Example.department, now: early).isEmpty)
        var holiday = agenda
        holiday.holidays = [Self.monday]
        #expect(Self.text(holiday.freeTime(on: Self.monday, departmentID: Example.department, now: early)) == ["19:00–20:00"])
        #expect(agenda.absences(on: Self.monday) == [Interval(start: Example.at(Self.monday, 12), end: Example.at(Self.monday, 12, 30))])
    }
}
