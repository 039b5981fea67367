import Foundation

/// The dates and instants a hospital can mean, checked where input enters (query
/// parameters, JSON bodies, forms) so that nothing far-fetched reaches the engine:
/// a birth date between 1900 and 2200, an agenda day or a slot within five years of
/// today. Everything past these edges is refused with a sentence, never computed.
public enum InputBounds {
    /// Birth dates: nobody alive was born before 1900; after today is refused by the patient rules.
    public static let birthDates: ClosedRange<LocalDate> = LocalDate(daysSinceEpoch: -25_567)...LocalDate(daysSinceEpoch: 84_370)
    /// How far from today an agenda, a slot, an absence or a template week may be.
    public static let agendaYears = 5
    /// Validity dates of a template or a rule: past agendas are kept, but not centuries.
    public static let validityYears = 50

    /// The days an agenda may show or a booking may target, around `today`.
    public static func agendaDays(around today: LocalDate) -> ClosedRange<LocalDate> {
        today.adding(days: -agendaYears * 366)...today.adding(days: agendaYears * 366)
    }

    /// The days a validity period may start or end on, around `today`.
    public static func validityDays(around today: LocalDate) -> ClosedRange<LocalDate> {
        today.adding(days: -validityYears * 366)...today.adding(days: validityYears * 366)
    }

    /// The instants a slot, a hold or an absence may start at, around `now`.
    public static func agendaInstants(around now: Date) -> ClosedRange<Date> {
        let span = TimeInterval(agendaYears * 366 * 86_400)
        return now.addingTimeInterval(-span)...now.addingTimeInterval(span)
    }

    /// Whole Unix seconds as a form carries them, if they fall within `agendaInstants`.
    public static func instant(unixSeconds text: String, around now: Date) -> Date? {
        guard text.count <= 12, let seconds = Int64(text) else { return nil }
        let instant = Date(timeIntervalSince1970: TimeInterval(seconds))
        return agendaInstants(around: now).contains(instant) ? instant : nil
    }
}
