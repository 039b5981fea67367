import Foundation

/// Which public holidays a site keeps. French law sets eleven for the whole country; the
/// Alsace-Moselle departments keep two more (local law of 1892, art. L3134-13 of the Labour
/// Code), and each overseas territory a day of the abolition of slavery (decree 83-1003).
public enum HolidayCalendar: String, CaseIterable, Codable, Hashable, Sendable {
    case metropolitan
    case alsaceMoselle = "alsace_moselle"
    case guadeloupe
    case martinique
    case guyane
    case reunion
    case mayotte
    case saintMartin = "saint_martin"
    case saintBarthelemy = "saint_barthelemy"
    /// No public holiday closes the site (a unit open every day); closures still do.
    case none
}

/// The public holidays of any year, computed rather than stored, so that no year is ever missing.
public enum PublicHolidays {
    public struct Holiday: Hashable, Sendable {
        public var date: LocalDate
        public var name: String
    }

    /// The holidays of `year` under `calendar`, in date order.
    public static func days(year: Int, calendar: HolidayCalendar = .metropolitan) -> [Holiday] {
        guard calendar != .none, (1...9999).contains(year) else { return [] }
        var days = fixed(calendar).compactMap { rule in
            LocalDate(year: year, month: rule.month, day: rule.day).map { Holiday(date: $0, name: rule.name) }
        }
        let easter = easterSunday(year: year)
        days += easterRelative(calendar).map { Holiday(date: easter.adding(days: $0.offset), name: $0.name) }
        // Two holidays can fall on one day (Ascension on 1 May in 2008, Whit Monday on Guyane's
        // 10 June in 2030): one closed day, both names.
        var merged: [Holiday] = []
        for holiday in days.sorted(by: { $0.date < $1.date }) {
            if let last = merged.last, last.date == holiday.date {
                merged[merged.count - 1].name += " / " + holiday.name
            } else {
                merged.append(holiday)
            }
        }
        return merged
    }

    /// The holiday's name when `date` is one, else nil. Cheap enough to ask for every day of an agenda.
    public static func name(of date: LocalDate, calendar: HolidayCalendar) -> String? {
        guard calendar != .none else { return nil }
        if let rule = fixed(calendar).first(where: { $0.month == date.month && $0.day == date.day }) { return rule.name }
        guard (3...6).contains(date.month) else { return nil }
        let offset = easterSunday(year: date.year).days(until: date)
        return easterRelative(calendar).first { $0.offset == offset }?.name
    }

    typealias FixedRule = (month: Int, day: Int, name: String)

    static let national: [FixedRule] = [
        (1, 1, "Jour de l'an"), (5, 1, "Fête du Travail"), (5, 8, "Victoire 1945"), (7, 14, "Fête nationale"),
        (8, 15, "Assomption"), (11, 1, "Toussaint"), (11, 11, "Armistice 1918"), (12, 25, "Noël"),
    ]

    static func fixed(_ calendar: HolidayCalendar) -> [FixedRule] {
        switch calendar {
        case .metropolitan, .none: national
        case .alsaceMoselle: national + [(12, 26, "Saint-Étienne")]
        case .guadeloupe: national + [(5, 27, "Abolition de l'esclavage")]
        case .martinique: national + [(5, 22, "Abolition de l'esclavage")]
        case .guyane: national + [(6, 10, "Abolition de l'esclavage")]
        case .reunion: national + [(12, 20, "Abolition de l'esclavage")]
        case .mayotte: national + [(4, 27, "Abolition de l'esclavage")]
        case .saintMartin: national + [(5, 28, "Abolition de l'esclavage")]
        case .saintBarthelemy: national + [(10, 9, "Abolition de l'esclavage")]
        }
    }

    /// Days counted from Easter Sunday.
    static func easterRelative(_ calendar: HolidayCalendar) -> [(offset: Int, name: String)] {
        let national: [(offset: Int, name: String)] = [(1, "Lundi de Pâques"), (39, "Ascension"), (50, "Lundi de Pentecôte")]
        return calendar == .alsaceMoselle ? [(-2, "Vendredi saint")] + national : national
    }

    /// Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm), for years 1–9999.
    public static func easterSunday(year: Int) -> LocalDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        // Always a day of March or April; the arithmetic cannot give another.
        return LocalDate(daysSinceEpoch: LocalDate.days(year: year, month: month, day: day))
    }
}

/// The days a site is closed: its public holidays (computed for any year) and the closures its
/// administrators entered (a bridge day, a move, a strike).
public struct ClosedDays: Hashable, Sendable, ExpressibleByArrayLiteral {
    public var calendar: HolidayCalendar
    public var closures: Set<LocalDate>

    public init(calendar: HolidayCalendar, closures: Set<LocalDate> = []) {
        self.calendar = calendar
        self.closures = closures
    }

    /// Closures only (no public holiday): what tests of the engine give.
    public init(arrayLiteral days: LocalDate...) {
        self.init(calendar: .none, closures: Set(days))
    }

    public func contains(_ day: LocalDate) -> Bool {
        closures.contains(day) || PublicHolidays.name(of: day, calendar: calendar) != nil
    }
}
