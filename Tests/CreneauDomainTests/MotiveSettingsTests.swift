import CreneauDomain
import Foundation
import Testing

@Suite("Per-motive and per-department settings: referral, online horizon, online booking switch")
struct MotiveSettingsTests {
    static let now = Date(timeIntervalSince1970: 1_795_417_200)  // Monday 23 November 2026, 08:00 in Paris
    static let paris = TimeZone(identifier: "Europe/Paris")!
    let specialist = Department(id: UUID(), siteID: UUID(), name: "Cardiologie", specialty: "cardiologie")
    let generalPractice = Department(id: UUID(), siteID: UUID(), name: "Médecine générale", specialty: "medecine-generale",
                                     newPatientsNeedReferral: false)

    func motive(in department: Department, referral: ReferralRule = .department, horizon: Int = 60, online: Int? = nil) -> Motive {
        Motive(id: UUID(), departmentID: department.id, name: "Consultation", durationMinutes: 30, horizonDays: horizon,
               onlineHorizonDays: online, referral: referral, minimumNoticeMinutes: 60)
    }

    func check(_ motive: Motive, _ department: Department, channel: Channel = .online, kind: PatientKind = .new, inDays days: Double = 1) -> RuleViolation? {
        BookingRules.check(BookingFacts(
            motive: motive, department: department, channel: channel, patientKind: kind, referringDoctorID: nil,
            start: Self.now.addingTimeInterval(days * 86_400), now: Self.now, timeZone: Self.paris, upcoming: [], bookerIsStaff: false))
    }

    @Test("a new patient needs a referring doctor where the department says so, unless the motive says otherwise")
    func referral() {
        #expect(check(motive(in: specialist), specialist)?.code == .referringDoctorRequired)
        #expect(check(motive(in: generalPractice), generalPractice) == nil)
        #expect(check(motive(in: specialist, referral: .notRequired), specialist) == nil)
        #expect(check(motive(in: generalPractice, referral: .required), generalPractice)?.code == .referringDoctorRequired)
        // Known patients never need one.
        #expect(check(motive(in: specialist), specialist, kind: .known) == nil)
    }

    @Test("online books less far ahead than the phone when the motive says so; the refusal says to call")
    func onlineHorizon() {
        let motive = motive(in: generalPractice, horizon: 60, online: 14)
        #expect(motive.horizonDays(for: .online) == 14)
        #expect(motive.horizonDays(for: .phone) == 60)
        #expect(check(motive, generalPractice, inDays: 13.5) == nil)
        let refusal = check(motive, generalPractice, inDays: 20)
        #expect(refusal?.code == .tooFarAhead)
        #expect(refusal?.message.contains("14 days ahead online") == true)
        #expect(check(motive, generalPractice, channel: .phone, inDays: 20) == nil)
        // An online horizon longer than the motive's changes nothing.
        #expect(self.motive(in: generalPractice, horizon: 30, online: 90).horizonDays(for: .online) == 30)
    }

    @Test("the availability engine offers online slots up to the online horizon only")
    func engineFollowsTheOnlineHorizon() {
        let monday = LocalDate(year: 2026, month: 11, day: 23)!
        let template = ScheduleTemplate(
            id: UUID(), owner: .practitioner(UUID()), departmentID: generalPractice.id, validFrom: monday.adding(days: -7), validUntil: nil,
            ranges: (1...5).map { OpeningRange(id: UUID(), weekday: $0, startMinute: 540, endMinute: 720, motiveIDs: [], channels: .all) })
        let agenda = AgendaSnapshot(timeZone: Self.paris, holidays: [], practitioner: ResourceAgenda(templates: [template]))
        let motive = motive(in: generalPractice, horizon: 60, online: 7)
        let online = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .online, from: monday, days: 30, now: Self.now), in: agenda)
        let phone = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .phone, from: monday, days: 30, now: Self.now), in: agenda)
        #expect(!online.isEmpty)
        #expect(online.allSatisfy { $0.start <= Self.now.addingTimeInterval(7 * 86_400) })
        #expect(phone.contains { $0.start > Self.now.addingTimeInterval(20 * 86_400) })
    }

    @Test("a department with online booking off offers its motives by phone and desk only; out of service, not at all")
    func onlineSwitch() {
        var pilot = specialist
        pilot.onlineBooking = false
        let motive = motive(in: pilot)
        #expect(!motive.offered(in: pilot).channels.contains(.online))
        #expect(motive.offered(in: pilot).channels.contains(.phone))
        #expect(motive.offered(in: specialist).channels == motive.channels)
        pilot.isActive = false
        #expect(!motive.offered(in: pilot).isActive)
    }
}
