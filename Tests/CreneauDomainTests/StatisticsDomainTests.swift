import CreneauDomain
import Foundation
import Testing

/// Statistics' rules without I/O: periods, the question's bounds, one appointment's fact and what it
/// counts, the third next available slot, who sees what, small counts.
@Suite("Statistics: periods, bounds, facts, counts, access, privacy")
struct StatisticsDomainTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("months and ISO weeks: their first day, the next one, every period of a span")
    func periods() {
        #expect(StatisticsGrain.month.start(of: Self.day("2026-02-28")) == Self.day("2026-02-01"))
        #expect(StatisticsGrain.month.next(after: Self.day("2026-12-01")) == Self.day("2027-01-01"))
        #expect(StatisticsGrain.week.start(of: Self.day("2026-11-29")) == Self.day("2026-11-23"))  // a Sunday: its Monday
        #expect(StatisticsGrain.week.start(of: Self.day("2026-11-23")) == Self.day("2026-11-23"))
        #expect(StatisticsGrain.week.start(of: Self.day("2027-01-01")) == Self.day("2026-12-28"))  // across the year
        #expect(StatisticsGrain.month.periods(from: Self.day("2026-11-15"), to: Self.day("2027-02-03")).map(\.description)
                == ["2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"])
        #expect(StatisticsGrain.week.periods(from: Self.day("2026-11-25"), to: Self.day("2026-12-07")).count == 3)
        #expect(StatisticsGrain.month.periods(from: Self.day("2026-05-01"), to: Self.day("2026-04-01")).isEmpty)
        // Bounded whatever the span asked.
        #expect(StatisticsGrain.week.periods(from: Self.day("2000-01-01"), to: Self.day("2100-01-01"), limit: 10).count == 10)
    }

    @Test("a question is refused when its period runs backwards, is too long or leaves 2000–2100; the default is the last twelve periods")
    func bounds() throws {
        func code(_ from: String, _ to: String, _ grain: StatisticsGrain = .month) -> String? {
            do {
                _ = try StatisticsRequest(scope: .all, grain: grain, from: Self.day(from), to: Self.day(to))
                return nil
            } catch {
                if case .invalid(let code, _) = error { return code }
                return "other"
            }
        }
        #expect(code("2026-11-01", "2026-03-01") == "period_backwards")
        #expect(code("2024-11-01", "2026-10-01") == nil)                      // 24 months
        #expect(code("2024-11-01", "2026-11-01") == "period_too_long")        // 25
        #expect(code("2025-11-24", "2026-11-23", .week) == nil)               // 53 weeks
        #expect(code("2025-11-17", "2026-11-23", .week) == "period_too_long")
        #expect(code("1999-12-01", "2000-01-01") == "period_out_of_range")
        #expect(code("2100-12-01", "2101-01-01") == "period_out_of_range")
        let request = try StatisticsRequest(scope: .all, grain: .month, from: Self.day("2026-03-17"), to: Self.day("2026-05-02"))
        #expect(request.from == Self.day("2026-03-01") && request.to == Self.day("2026-05-01") && request.periods.count == 3)
        let recent = try #require(StatisticsRequest.recent(.month, scope: .all, today: Self.day("2026-11-30")))
        #expect(recent.from == Self.day("2025-12-01") && recent.to == Self.day("2026-11-01") && recent.periods.count == 12)
        let weeks = try #require(StatisticsRequest.recent(.week, scope: .all, today: Self.day("2026-11-30")))
        #expect(weeks.periods.count == 12 && weeks.to == Self.day("2026-11-30") && weeks.from == Self.day("2026-09-14"))
    }

    static func appointment(start: Date, created: Date, status: AppointmentStatus = .booked, cancelledBy: CancelledBy? = nil, minutes: Int = 30,
                            moves: Int = 0) -> Appointment {
        Appointment(id: UUID(), departmentID: UUID(), motiveID: UUID(), practitionerID: UUID(), patientID: UUID(), startsAt: start,
                    endsAt: start.addingTimeInterval(TimeInterval(minutes * 60)), status: status, channel: .online, cancelledBy: cancelledBy,
                    moveCount: moves, createdAt: created)
    }

    @Test("a fact's periods are the site's local days; a cancellation's notice is whole hours before the visit")
    func facts() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        // 31 October 2026 23:30 UTC is 1 November 00:30 in Paris; booked 30 October 12:00 UTC.
        let start = Date(timeIntervalSince1970: 1_793_489_400), created = Date(timeIntervalSince1970: 1_793_361_600)
        let fact = AppointmentFact(Self.appointment(start: start, created: created), siteID: UUID(), zone: paris, patientKind: .new,
                                   cancelledAt: nil, refilled: false, surveyScore: nil)
        #expect(fact.visitMonth == Self.day("2026-11-01") && fact.bookedMonth == Self.day("2026-10-01"))
        #expect(fact.visitWeek == Self.day("2026-10-26") && fact.minutes == 30 && fact.noticeHours == nil)
        // In UTC the same visit is still in October.
        let utc = AppointmentFact(Self.appointment(start: start, created: created), siteID: UUID(), zone: TimeZone(identifier: "UTC")!, patientKind: .new,
                                  cancelledAt: nil, refilled: false, surveyScore: nil)
        #expect(utc.visitMonth == Self.day("2026-10-01"))
        let cancelled = Self.appointment(start: start, created: created, status: .cancelled, cancelledBy: .patient)
        let late = AppointmentFact(cancelled, siteID: UUID(), zone: paris, patientKind: .known, cancelledAt: start.addingTimeInterval(-47.5 * 3_600),
                                   refilled: false, surveyScore: nil)
        #expect(late.noticeHours == 47)
        let after = AppointmentFact(cancelled, siteID: UUID(), zone: paris, patientKind: .known, cancelledAt: start.addingTimeInterval(600),
                                    refilled: false, surveyScore: 12)
        #expect(after.noticeHours == -1 && after.surveyScore == 10)  // scores are bounded to 0…10
    }

    @Test("what a fact counts: its booking in the booking's period, the rest in the visit's; the rates")
    func counts() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        let start = Date(timeIntervalSince1970: 1_795_417_200)
        func fact(_ status: AppointmentStatus, by: CancelledBy? = nil, notice: Double? = nil, score: Int? = nil, refilled: Bool = false, moves: Int = 0) -> AppointmentFact {
            AppointmentFact(Self.appointment(start: start, created: start.addingTimeInterval(-86_400 * 10), status: status, cancelledBy: by, minutes: 20, moves: moves),
                            siteID: UUID(), zone: paris, patientKind: .new, cancelledAt: notice.map { start.addingTimeInterval(-$0 * 3_600) },
                            refilled: refilled, surveyScore: score)
        }
        #expect(StatisticsCounts.of(fact(.cancelled, by: .staff, notice: 5), booking: true).booked == 1)
        var total = StatisticsCounts()
        for one in [fact(.fulfilled, score: 9, refilled: true, moves: 2), fact(.arrived, score: 6), fact(.noshow), fact(.booked, score: 7),
                    fact(.cancelled, by: .patient, notice: 10), fact(.cancelled, by: .staff, notice: 100), fact(.cancelled, by: .patient, notice: -2)] {
            total.add(StatisticsCounts.of(one, booking: false))
        }
        #expect(total.booked == 0 && total.visits == 4 && total.attended == 2 && total.noShows == 1)
        #expect(total.cancelled == 3 && total.cancelledByPatient == 2 && total.cancelledByHospital == 1 && total.cancelledLate == 2 && total.freed == 2)
        #expect(total.cancelledWithinWeek == 3)
        #expect(total.moved == 1 && total.refilled == 1 && total.bookedMinutes == 80)
        #expect(total.surveyAnswers == 3 && total.surveyScoreSum == 22 && total.surveyPromoters == 1 && total.surveyDetractors == 1)
        #expect(total.noShowRate == 1.0 / 3 && total.netPromoterScore == 0 && total.refillRate == 0.5)
        #expect(StatisticsCounts().noShowRate == nil && StatisticsCounts().surveyMean == nil)
    }

    @Test("the third next available slot: days from this morning to the third free start, whoever offers it; fewer than three is beyond the horizon")
    func thirdNextAvailable() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        let today = Self.day("2026-11-23")
        let morning = today.instant(atMinute: 9 * 60, in: paris)
        #expect(StatisticsRecorder.daysToThird([morning.addingTimeInterval(86_400 * 12), morning, morning.addingTimeInterval(86_400 * 3)],
                                               today: today, zone: paris) == 12)
        #expect(StatisticsRecorder.daysToThird([morning, morning, morning.addingTimeInterval(3_600)], today: today, zone: paris) == 0)
        #expect(StatisticsRecorder.daysToThird([morning, morning], today: today, zone: paris) == nil)
        #expect(AccessDelay(daysSum: 30, recorded: 4, beyond: 1).mean == 7.5 && AccessDelay().mean == nil)
    }

    @Test("who reads statistics: group and site administrators and department heads, each within their scope")
    func viewers() throws {
        let account = Account(id: UUID(), email: "x@hopital.test", displayName: "X", createdAt: Date())
        let group = UUID(), site = Site(id: UUID(), groupID: group, name: "A", slug: "a", city: "Paris")
        let other = Site(id: UUID(), groupID: UUID(), name: "B", slug: "b", city: "Paris")
        let department = Department(id: UUID(), siteID: other.id, name: "Cardiologie", specialty: "cardiologie")
        func viewer(_ role: Role, _ scope: RoleGrant.Scope) -> StatisticsViewer? {
            StatisticsViewer(Identity(account: account, grants: [RoleGrant(id: UUID(), accountID: account.id, role: role, scope: scope)], staffDepartments: nil))
        }
        #expect(viewer(.secretary, .department(department.id)) == nil && viewer(.practitioner, .everywhere) == nil)
        let director = try #require(viewer(.groupAdmin, .group(group)))
        #expect(director.sees(site) && !director.sees(other))
        let head = try #require(viewer(.departmentHead, .department(department.id)))
        #expect(!head.sees(other) && head.sees(department, in: other))
        #expect(viewer(.siteAdmin, .everywhere)?.sees(other) == true)
    }

    @Test("counts from 1 to 4 are hidden; shares over fewer than 5 cases too")
    func privacy() {
        #expect(StatisticsPrivacy.shown(0) == 0 && StatisticsPrivacy.shown(1) == nil && StatisticsPrivacy.shown(4) == nil && StatisticsPrivacy.shown(5) == 5)
        #expect(StatisticsPrivacy.rate(0.5, over: 4) == nil && StatisticsPrivacy.rate(0.5, over: 5) == 0.5)
    }
}
