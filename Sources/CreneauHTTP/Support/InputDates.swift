import CreneauDomain
import Foundation

/// Dates and instants as they enter from a query, a JSON body or a form: parsed, then
/// held to what a hospital can mean (`InputBounds`), else a 400 that says what is
/// expected. Every date that comes from outside goes through here, so a far date is a
/// sentence for its sender and never a computation for the server.
///
/// Force-unwraps kept in Sources, none reachable from input: `HTTPField.Name("…")!` on
/// constant header names (a literal that is a valid token; a typo fails the first test
/// run), and in CreneauSeed and the benchmarks, values their own generators make. No
/// `try!` or `fatalError` is left on a request's path (SECURITY.md, finding 1).
enum InputDates {
    /// An agenda day (`from=`, `day=`, `week=`): nil when absent; 400 when malformed or
    /// more than five years from today.
    static func agendaDay(_ text: String?, field: String, now: Date) throws -> LocalDate? {
        guard let text = text?.trimmed.nilIfEmpty else { return nil }
        guard text.count <= 10, let day = LocalDate(text) else {
            throw APIError.badRequest("\(field) must be a date written YYYY-MM-DD, for example 2026-11-23.", code: "invalid_parameter")
        }
        let range = InputBounds.agendaDays(around: LocalDate(now, in: utc))
        guard range.contains(day) else {
            throw APIError.badRequest("\(field) must be a day between \(range.lowerBound) and \(range.upperBound): agendas reach five years either side of today.",
                                      code: "date_out_of_range")
        }
        return day
    }

    /// An agenda day from a page's link (`day=`, `week=`, `from=`): text that is no date at all
    /// falls back to today (nil), as a stale or edited link should; a real date more than five
    /// years away is a 400, never a computation.
    static func pageDay(_ text: String?, field: String, now: Date) throws -> LocalDate? {
        guard let text = text?.trimmed.nilIfEmpty, text.count <= 10, LocalDate(text) != nil else { return nil }
        return try agendaDay(text, field: field, now: now)
    }

    /// A birth date: nil when absent; 400 when malformed or outside 1900–2200.
    static func birthDate(_ text: String?, field: String) throws -> LocalDate? {
        guard let text = text?.trimmed.nilIfEmpty else { return nil }
        guard text.count <= 10, let day = LocalDate(text) else {
            throw APIError.badRequest("\(field) must be a date written YYYY-MM-DD, like 1984-03-07.", code: "invalid_field")
        }
        guard InputBounds.birthDates.contains(day) else {
            throw APIError.badRequest("\(field) must be a birth date between 1900-01-01 and 2200-12-31.", code: "date_out_of_range")
        }
        return day
    }

    /// A birth date as a form gives it, or nil (the form then says the field is wrong).
    static func birthDate(form text: String?) -> LocalDate? {
        (try? birthDate(text, field: "birthDate")) ?? nil
    }

    /// A slot's start as the API writes it (RFC 3339 with an offset), within five years of now.
    static func instant(rfc3339 text: String?, field: String, now: Date) throws -> Date {
        guard let text, !text.isEmpty else { throw APIError.badRequest("\"\(field)\" is missing.", code: "missing_field") }
        guard text.utf8.count <= 40, let instant = RFC3339.parse(text) else {
            throw APIError.badRequest("\"\(field)\" must be an RFC 3339 time with its offset, like 2026-11-24T09:15:00+01:00.", code: "invalid_field")
        }
        return try bounded(instant, field: "\"\(field)\"", now: now)
    }

    /// A slot's start as the pages carry it (whole Unix seconds), within five years of now.
    static func instant(unixSeconds text: String?, field: String, now: Date) throws -> Date {
        guard let text = text?.trimmed.nilIfEmpty, text.count <= 20, Int64(text) != nil else {
            throw APIError.badRequest("\(field) must be a time in whole seconds.", code: "invalid_field")
        }
        guard let instant = InputBounds.instant(unixSeconds: text, around: now) else { throw Self.outOfRange(field) }
        return instant
    }

    static func bounded(_ instant: Date, field: String, now: Date) throws -> Date {
        guard InputBounds.agendaInstants(around: now).contains(instant) else { throw outOfRange(field) }
        return instant
    }

    static func outOfRange(_ field: String) -> APIError {
        APIError.badRequest("\(field) must fall within five years of today.", code: "date_out_of_range")
    }

    private static let utc = TimeZone.gmt
}
