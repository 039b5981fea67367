import CreneauDomain
import Foundation
import Testing

/// Worked examples from real practice, in Paris time.
@Suite("Availability: worked examples")
struct AvailabilityExamplesTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!
    static let department = UUID()
    static let monday = LocalDate("2026-11-23")!

    static func at(_ day: LocalDate, _ hour: Int, _ minute: Int = 0) -> Date { day.instant(atMinute: hour * 60 + minute, in: paris) }

    static func motive(_ minutes: Int, patients: PatientAcceptance = .both, channels: ChannelSet = .all, capacity: Int = 1,
                       notice: Int = 0, horizon: Int = 90, before: Int = 0, after: Int = 0, resources: [UUID] = []) -> Motive {
        Motive(id: UUID(), departmentID: department, name: "Motif \(minutes)", durationMinutes: minutes, bufferBeforeMinutes: before,
               bufferAfterMinutes: after, capacity: capacity, patients: patients, channels: channels, horizonDays: horizon,
               minimumNoticeMinutes: notice, requiredResourceIDs: resources)
    }

    static func template(_ ranges: [OpeningRange]) -> ScheduleTemplate {
        ScheduleTemplate(id: UUID(), owner: .practitioner(UUID()), departmentID: department, validFrom: LocalDate("2026-01-01")!, ranges: ranges)
    }

    static func range(_ weekday: Int, _ from: Int, _ to: Int, channels: ChannelSet = .all, release: OpeningRange.Release? = nil) -> OpeningRange {
        OpeningRange(id: UUID(), weekday: weekday, startMinute: from, endMinute: to, motiveIDs: [], channels: channels, release: release)
    }

    static func booked(_ motiveID: UUID, _ start: Date, minutes: Int) -> Occupation {
        Occupation(interval: Interval(start: start, end: start.addingTimeInterval(TimeInterval(minutes * 60))), motiveID: motiveID, start: start)
    }

    static func times(_ slots: [Slot]) -> [String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = paris
        return slots.map {
            let c = calendar.dateComponents([.hour, .minute], from: $0.start)
            return String(format: "%02d:%02d", c.hour!, c.minute!)
        }
    }

    static let mondayMorning = template([range(1, 9 * 60, 12 * 60)])
    static let sundayBefore = at(LocalDate("2026-11-22")!, 23, 10)

    @Test("a morning of 30-minute visits")
    func basic() {
        let motive = Self.motive(30)
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning]))
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: Self.monday, days: 7, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"])
        #expect(slots.allSatisfy { $0.end.timeIntervalSince($0.start) == 1_800 })
    }

    @Test("after a 15-minute renewal, a 30-minute visit starts at 09:15: no gap nothing fits into (scenario 6)")
    func mixedDurations() {
        let renewal = Self.motive(15), gynaecology = Self.motive(30)
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(
            templates: [Self.mondayMorning], occupations: [Self.booked(renewal.id, Self.at(Self.monday, 9), minutes: 15)]))
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: gynaecology, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(slots) == ["09:15", "09:45", "10:15", "10:45", "11:15"])
        let renewals = AvailabilityEngine.slots(AvailabilityRequest(motive: renewal, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(renewals.count == 11)
    }

    @Test("urgent slots held for the secretaries open online the evening before at 18:00 (scenario 5)")
    func heldBack() {
        let motive = Self.motive(15)
        let tuesday = Self.monday.adding(days: 1)
        let held = Self.range(2, 8 * 60 + 30, 9 * 60, channels: .staff, release: .init(channels: .online, daysBefore: 1, atMinute: 18 * 60))
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.template([held])]))
        func slots(_ channel: Channel, now: Date) -> [String] {
            Self.times(AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: channel, from: tuesday, days: 1, now: now), in: agenda))
        }
        #expect(slots(.online, now: Self.at(Self.monday, 17, 59)).isEmpty)
        #expect(slots(.phone, now: Self.at(Self.monday, 17, 59)) == ["08:30", "08:45"])
        #expect(slots(.online, now: Self.at(Self.monday, 18, 0)) == ["08:30", "08:45"])
        #expect(slots(.referral, now: Self.at(Self.monday, 21, 0)).isEmpty)
    }

    @Test("an ultrasound needs the midwife and the shared room (scenario 7)")
    func sharedRoom() {
        let room = UUID()
        let ultrasound = Self.motive(30, resources: [room])
        // The other midwife has the room 09:00–09:30 and 10:30–11:00.
        let roomAgenda = ResourceAgenda(templates: [], occupations: [
            Self.booked(ultrasound.id, Self.at(Self.monday, 9), minutes: 30), Self.booked(ultrasound.id, Self.at(Self.monday, 10, 30), minutes: 30),
        ])
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning]), resources: [room: roomAgenda])
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: ultrasound, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(slots) == ["09:30", "10:00", "11:00", "11:30"])
        // Without the room's agenda the motive cannot be offered at all.
        let missing = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning]))
        #expect(AvailabilityEngine.slots(AvailabilityRequest(motive: ultrasound, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: missing).isEmpty)
    }

    @Test("a room with its own opening hours limits the slots")
    func roomHours() {
        let room = UUID()
        let scan = Self.motive(30, resources: [room])
        let roomTemplate = ScheduleTemplate(id: UUID(), owner: .resource(room), departmentID: Self.department, validFrom: LocalDate("2026-01-01")!,
                                            ranges: [Self.range(1, 10 * 60, 11 * 60)])
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning]),
                                    resources: [room: ResourceAgenda(templates: [roomTemplate])])
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: scan, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(slots) == ["10:00", "10:30"])
    }

    @Test("a group session keeps offering its slot until it is full")
    func groupSession() {
        let group = Self.motive(60, capacity: 8)
        let start = Self.at(Self.monday, 10)
        func slots(taken: Int) -> [Slot] {
            let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(
                templates: [Self.template([Self.range(1, 10 * 60, 11 * 60)])],
                occupations: (0..<taken).map { _ in Self.booked(group.id, start, minutes: 60) }))
            return AvailabilityEngine.slots(AvailabilityRequest(motive: group, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        }
        #expect(slots(taken: 3).map(\.seatsLeft) == [5])
        #expect(slots(taken: 7).map(\.seatsLeft) == [1])
        #expect(slots(taken: 8).isEmpty)
    }

    @Test("minimum notice, horizon, patients and channels")
    func rules() {
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning]))
        let notice = Self.motive(30, notice: 60)
        let soon = AvailabilityEngine.slots(AvailabilityRequest(motive: notice, channel: .online, from: Self.monday, days: 1, now: Self.at(Self.monday, 9, 40)), in: agenda)
        #expect(Self.times(soon) == ["11:00", "11:30"])

        let shortHorizon = Self.motive(30, horizon: 7)
        let weeks = AvailabilityEngine.slots(AvailabilityRequest(motive: shortHorizon, channel: .online, from: Self.monday, days: 28, now: Self.sundayBefore), in: agenda)
        #expect(weeks.count == 6)

        let followUp = Self.motive(20, patients: .known)
        #expect(AvailabilityEngine.slots(AvailabilityRequest(motive: followUp, channel: .online, patientKind: .new, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda).isEmpty)
        #expect(!AvailabilityEngine.slots(AvailabilityRequest(motive: followUp, channel: .online, patientKind: .known, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda).isEmpty)

        let referralOnly = Self.motive(30, channels: [.referral, .phone])
        #expect(AvailabilityEngine.slots(AvailabilityRequest(motive: referralOnly, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda).isEmpty)
        #expect(AvailabilityEngine.slots(AvailabilityRequest(motive: referralOnly, channel: .referral, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda).count == 6)
    }

    @Test("holidays close the template; absences close the time; extra openings add time")
    func exceptions() {
        let motive = Self.motive(30)
        let practitioner = UUID()
        let christmas = LocalDate("2026-12-21")! // a Monday, declared a holiday here
        let absence = ScheduleException(id: UUID(), owner: .practitioner(practitioner), kind: .absence,
                                        startsAt: Self.at(Self.monday, 10), endsAt: Self.at(Self.monday, 11), reason: "Réunion")
        let extra = ScheduleException(id: UUID(), owner: .practitioner(practitioner), kind: .extraOpening,
                                      startsAt: Self.at(christmas, 14), endsAt: Self.at(christmas, 15), reason: "Garde", channels: .online)
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [christmas], practitioner: ResourceAgenda(templates: [Self.mondayMorning], exceptions: [absence, extra]))
        let monday = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(monday) == ["09:00", "09:30", "11:00", "11:30"])
        let holiday = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: christmas, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(holiday) == ["14:00", "14:30"])
    }

    @Test("buffers keep room around a visit")
    func buffers() {
        let cleaning = Self.motive(30, after: 10)
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning]))
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: cleaning, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        // The window (visit + 10 min) of a slot never covers another slot's visit only when booked; free slots are still packed by visit length.
        #expect(Self.times(slots).first == "09:00")
        let booked = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [Self.mondayMorning], occupations: [
            Occupation(interval: Interval(start: Self.at(Self.monday, 9), end: Self.at(Self.monday, 9, 40)), motiveID: cleaning.id, start: Self.at(Self.monday, 9)),
        ]))
        let after = AvailabilityEngine.slots(AvailabilityRequest(motive: cleaning, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: booked)
        #expect(Self.times(after).first == "09:40")
    }

    @Test("daylight saving: the same morning on the Sundays either side of the change")
    func daylightSaving() {
        let motive = Self.motive(30)
        let sundays = Self.template([Self.range(7, 9 * 60, 12 * 60)])
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [sundays]))
        for day in ["2026-03-22", "2026-03-29", "2026-10-25", "2026-11-01"].map({ LocalDate($0)! }) {
            let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: day, days: 1, now: Self.at(day.adding(days: -7), 0)), in: agenda)
            #expect(Self.times(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], "\(day)")
        }
        // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
        let summer = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: LocalDate("2026-03-29")!, days: 1, now: Self.at(LocalDate("2026-01-01")!, 0)), in: agenda)
        #expect(summer.first?.start == Date(timeIntervalSince1970: 1_774_767_600))
    }

    @Test("a GP opens only a few slots of each half-day online; the rest stays for the phone")
    func fewOnline() {
        let consultation = Self.motive(15)
        // Monday morning 08:30–12:30: 08:30–09:15 online (3 slots), the rest for the desk and phone.
        let gp = Self.template([
            Self.range(1, 510, 555, channels: .all),
            Self.range(1, 555, 750, channels: .staff),
        ])
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [gp]))
        let online = AvailabilityEngine.slots(AvailabilityRequest(motive: consultation, channel: .online, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        let phone = AvailabilityEngine.slots(AvailabilityRequest(motive: consultation, channel: .phone, from: Self.monday, days: 1, now: Self.sundayBefore), in: agenda)
        #expect(Self.times(online) == ["08:30", "08:45", "09:00"])
        #expect(phone.count == 16)
    }

    @Test("a physiotherapist opens three months ahead, not a day more")
    func physioQuarter() {
        let session = Self.motive(30, horizon: 90)
        let physio = Self.template((1...5).map { Self.range($0, 14 * 60, 15 * 60) })
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [physio]))
        let now = Self.at(Self.monday, 8)
        let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: session, channel: .online, from: Self.monday, days: 120, now: now), in: agenda)
        #expect(slots.last!.start <= now.addingTimeInterval(90 * 86_400))
        #expect(slots.last!.start > now.addingTimeInterval(85 * 86_400))
        // Monday 23 November to Friday 19 February: 13 weeks of 5 afternoons with 2 slots (no holidays given here).
        #expect(slots.count == 130)
    }
}
