import Foundation

/// The counters the summaries keep, summed over facts. Booking counts belong to the period the
/// booking was made in; everything else to the period of the visit.
public struct StatisticsCounts: Hashable, Sendable, Codable {
    /// Bookings made in the period (including those later cancelled).
    public var booked = 0
    /// Visits planned in the period and not cancelled.
    public var visits = 0
    /// Visits the patient came to (arrived or fulfilled).
    public var attended = 0
    public var noShows = 0
    public var cancelled = 0
    public var cancelledByPatient = 0
    /// Cancelled by the hospital (staff, or the system: an absence, a closed department).
    public var cancelledByHospital = 0
    /// Cancelled less than `AppointmentFact.lateNoticeHours` before the visit.
    public var cancelledLate = 0
    /// Cancelled less than a week before the visit (late ones included).
    public var cancelledWithinWeek = 0
    /// Cancelled before the visit began: time given back to the agenda.
    public var freed = 0
    /// Visits moved at least once.
    public var moved = 0
    /// Visits booked from a waiting-list offer.
    public var refilled = 0
    /// Minutes of the visits not cancelled (the fill rate's numerator).
    public var bookedMinutes = 0
    public var surveyAnswers = 0
    public var surveyScoreSum = 0
    /// Answers of 9 or 10.
    public var surveyPromoters = 0
    /// Answers of 0 to 6.
    public var surveyDetractors = 0

    public init() {}

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.add(rhs)
        return sum
    }

    public mutating func add(_ other: Self) {
        booked += other.booked
        visits += other.visits
        attended += other.attended
        noShows += other.noShows
        cancelled += other.cancelled
        cancelledByPatient += other.cancelledByPatient
        cancelledByHospital += other.cancelledByHospital
        cancelledLate += other.cancelledLate
        cancelledWithinWeek += other.cancelledWithinWeek
        freed += other.freed
        moved += other.moved
        refilled += other.refilled
        bookedMinutes += other.bookedMinutes
        surveyAnswers += other.surveyAnswers
        surveyScoreSum += other.surveyScoreSum
        surveyPromoters += other.surveyPromoters
        surveyDetractors += other.surveyDetractors
    }

    /// What one fact adds to the period of its booking (`booking`) or of its visit. The storage sums
    /// the same rules in SQL (`SQLStore+Statistics`); a test holds the two together.
    public static func of(_ fact: AppointmentFact, booking: Bool) -> Self {
        var counts = Self()
        if booking {
            counts.booked = 1
            return counts
        }
        let live = fact.status != .cancelled
        counts.visits = live ? 1 : 0
        counts.attended = fact.status == .arrived || fact.status == .fulfilled ? 1 : 0
        counts.noShows = fact.status == .noshow ? 1 : 0
        counts.cancelled = live ? 0 : 1
        counts.cancelledByPatient = fact.status == .cancelled && fact.cancelledBy == .patient ? 1 : 0
        counts.cancelledByHospital = fact.status == .cancelled && (fact.cancelledBy == .staff || fact.cancelledBy == .system) ? 1 : 0
        counts.cancelledLate = fact.status == .cancelled && (fact.noticeHours ?? Int.max) < AppointmentFact.lateNoticeHours ? 1 : 0
        counts.cancelledWithinWeek = fact.status == .cancelled && (fact.noticeHours ?? Int.max) < AppointmentFact.weekNoticeHours ? 1 : 0
        counts.freed = fact.status == .cancelled && (fact.noticeHours ?? -1) >= 0 ? 1 : 0
        counts.moved = live && fact.moved ? 1 : 0
        counts.refilled = live && fact.refilled ? 1 : 0
        counts.bookedMinutes = live ? fact.minutes : 0
        if let score = fact.surveyScore {
            counts.surveyAnswers = 1
            counts.surveyScoreSum = score
            counts.surveyPromoters = score >= 9 ? 1 : 0
            counts.surveyDetractors = score <= 6 ? 1 : 0
        }
        return counts
    }

    // MARK: Rates (nil when there is nothing to divide by)

    /// No-shows among the visits whose outcome is known.
    public var noShowRate: Double? { ratio(noShows, attended + noShows) }
    public var surveyMean: Double? { ratio(surveyScoreSum, surveyAnswers) }
    /// Net promoter score: share of 9–10 minus share of 0–6, in points (−100…100).
    public var netPromoterScore: Double? { ratio(surveyPromoters - surveyDetractors, surveyAnswers).map { $0 * 100 } }
    /// Freed slots given again to someone on the waiting list.
    public var refillRate: Double? { ratio(refilled, freed) }

    func ratio(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
}
