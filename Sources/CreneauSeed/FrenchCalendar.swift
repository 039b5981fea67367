import CreneauDomain

/// French public holidays ("jours fériés"), the days a site closes.
public enum FrenchCalendar {
    public static func publicHolidays(year: Int) -> [(LocalDate, String)] {
        let easter = easterSunday(year: year)
        return [
            (LocalDate(year: year, month: 1, day: 1)!, "Jour de l'an"),
            (easter.adding(days: 1), "Lundi de Pâques"),
            (LocalDate(year: year, month: 5, day: 1)!, "Fête du Travail"),
            (LocalDate(year: year, month: 5, day: 8)!, "Victoire 1945"),
            (easter.adding(days: 39), "Ascension"),
            (easter.adding(days: 50), "Lundi de Pentecôte"),
            (LocalDate(year: year, month: 7, day: 14)!, "Fête nationale"),
            (LocalDate(year: year, month: 8, day: 15)!, "Assomption"),
            (LocalDate(year: year, month: 11, day: 1)!, "Toussaint"),
            (LocalDate(year: year, month: 11, day: 11)!, "Armistice 1918"),
            (LocalDate(year: year, month: 12, day: 25)!, "Noël"),
        ].sorted { $0.0 < $1.0 }
    }

    /// Gregorian Easter (the anonymous "Meeus/Jones/Butcher" algorithm).
    public static func easterSunday(year: Int) -> LocalDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)!
    }
}
