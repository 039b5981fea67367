@testable import CreneauDomain
import Foundation
import Testing

/// The waiting list's rules apart from the agenda: what an entry accepts, how long an offer holds,
/// what a window may be.
@Suite("Waiting list rules")
struct WaitlistRulesTests {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt
    static let today = LocalDate(year: 2026, month: 11, day: 23)!  // a Monday
    static let motive = Motive(id: UUID(), departmentID: UUID(), name: "Consultation", durationMinutes: 20, horizonDays: 90, onlineHorizonDays: 30)

    @Test("an entry accepts a visit on its days, in its part of the day, with the notice it asked for")
    func accepts() {
        let now = Self.today.instant(atMinute: 8 * 60, in: Self.paris)
        let preferences = WaitlistPreferences(firstDay: Self.today, lastDay: Self.today.adding(days: 14), weekdays: [1, 2, 3], dayPart: .morning, noticeHours: 24)
        let tuesday = Self.today.adding(days: 1)
        #expect(preferences.accepts(tuesday.instant(atMinute: 9 * 60, in: Self.paris), in: Self.paris, now: now))
        #expect(!preferences.accepts(tuesday.instant(atMinute: 14 * 60, in: Self.paris), in: Self.paris, now: now))  // afternoon
        #expect(!preferences.accepts(Self.today.adding(days: 3).instant(atMinute: 9 * 60, in: Self.paris), in: Self.paris, now: now))  // Thursday
        #expect(!preferences.accepts(Self.today.instant(atMinute: 11 * 60, in: Self.paris), in: Self.paris, now: now))  // 3 h of notice
        #expect(!preferences.accepts(Self.today.adding(days: 15).instant(atMinute: 9 * 60, in: Self.paris), in: Self.paris, now: now))  // after the window
        #expect(WaitlistPreferences.weekdays(bits: preferences.weekdayBits) == [1, 2, 3])
    }

    @Test("an offer holds 15 minutes, a quarter of the time left when the visit is near, none within 2 hours; a shorter standard is kept")
    func offerWindow() {
        let now = Date(timeIntervalSince1970: 1_795_417_200)
        #expect(WaitlistRules.offerWindow(now: now, start: now.addingTimeInterval(2 * 86_400)) == TimeInterval(900))
        #expect(WaitlistRules.offerWindow(now: now, start: now.addingTimeInterval(2 * 3_600 + 40 * 60)) == TimeInterval(600))
        #expect(WaitlistRules.offerWindow(now: now, start: now.addingTimeInterval(2 * 3_600 + 10 * 60)) == TimeInterval(300))
        #expect(WaitlistRules.offerWindow(now: now, start: now.addingTimeInterval(2 * 3_600 + 60)) == nil)
        #expect(WaitlistRules.offerWindow(now: now, start: now.addingTimeInterval(86_400), standard: 60) == TimeInterval(60))
    }

    @Test("a window starts today or later, ends after it starts, within 180 days and the motive's horizon for the channel; a day of the week at least")
    func window() {
        func check(_ first: Int, _ last: Int, weekdays: Set<Int> = [1, 2, 3, 4, 5], notice: Int = 0, channel: Channel = .online) -> RuleViolation.Code? {
            WaitlistRules.check(WaitlistPreferences(firstDay: Self.today.adding(days: first), lastDay: Self.today.adding(days: last), weekdays: weekdays,
                                                    noticeHours: notice), motive: Self.motive, channel: channel, today: Self.today)?.code
        }
        #expect(check(0, 20) == nil)
        #expect(check(-1, 20) == .waitlistWindow)
        #expect(check(5, 4) == .waitlistWindow)
        #expect(check(0, 20, weekdays: []) == .waitlistWindow)
        #expect(check(0, 20, weekdays: [8]) == .waitlistWindow)
        #expect(check(0, 20, notice: 1_000) == .waitlistWindow)
        // Online reaches 30 days for this motive; the secretariat (phone) 90.
        #expect(check(40, 60) == .waitlistWindow)
        #expect(check(40, 60, channel: .phone) == nil)
        let cut = WaitlistRules.lastDay(WaitlistPreferences(firstDay: Self.today, lastDay: Self.today.adding(days: 80)), motive: Self.motive, channel: .online, today: Self.today)
        #expect(cut == Self.today.adding(days: 30))
    }
}
