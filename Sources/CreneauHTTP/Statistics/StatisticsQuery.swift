import CreneauDomain
import Foundation
import Hummingbird

/// Reads a statistics question from a query string (the pages' filter form and the API alike):
/// `site`, `department`, `practitioner` (with its `department`), `grain` (month, week), `from` and
/// `to` (`2026-03` or a day), `channel`, `kind` (new, known). Bad values are refused with a sentence.
enum StatisticsQuery {
    static func parse(_ query: Parameters, today: LocalDate) throws(StatisticsError) -> StatisticsRequest {
        func value(_ name: String) throws(StatisticsError) -> String? {
            guard let text = query.get(name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard text.count <= 64 else { throw .invalid(code: "invalid_\(name)", "The value of “\(name)” is too long.") }
            return text
        }
        func id(_ name: String, _ what: String) throws(StatisticsError) -> UUID? {
            guard let text = try value(name) else { return nil }
            guard let id = UUID(uuidString: text) else { throw .notFound("No \(what) has this id.") }
            return id
        }
        let grainText = try value("grain") ?? StatisticsGrain.month.rawValue
        guard let grain = StatisticsGrain(rawValue: grainText) else {
            throw .invalid(code: "invalid_grain", "“grain” is month or week.")
        }
        var channel: Channel?
        if let text = try value("channel") {
            guard let parsed = Channel(rawValue: text) else { throw .invalid(code: "invalid_channel", "“channel” is online, phone, desk, referral or practitioner.") }
            channel = parsed
        }
        var kind: PatientKind?
        if let text = try value("kind") {
            guard let parsed = PatientKind(rawValue: text) else { throw .invalid(code: "invalid_kind", "“kind” is new or known.") }
            kind = parsed
        }
        let site = try id("site", "site"), department = try id("department", "department"), practitioner = try id("practitioner", "practitioner")
        let scope: StatisticsScope
        if let practitioner {
            guard let department else { throw .invalid(code: "invalid_scope", "A practitioner's statistics are read in one of their departments: give “department” too.") }
            scope = .practitioner(practitioner, department: department)
        } else if let department {
            scope = .department(department)
        } else if let site {
            scope = .site(site)
        } else {
            scope = .all
        }
        guard let recent = StatisticsRequest.recent(grain, scope: scope, today: today) else {
            throw .invalid(code: "period_out_of_range", "Statistics cover the years 2000 to 2100.")
        }
        let from = try day(try value("from"), name: "from") ?? recent.from
        let to = try day(try value("to"), name: "to") ?? (query.get("from") == nil ? recent.to : max(from, recent.to))
        return try StatisticsRequest(scope: scope, grain: grain, from: from, to: to, channel: channel, kind: kind)
    }

    /// `2026-03` (a month) or `2026-03-16` (a day: its period).
    static func day(_ text: String?, name: String) throws(StatisticsError) -> LocalDate? {
        guard let text else { return nil }
        if let day = LocalDate(text) { return day }
        if text.count == 7, let day = LocalDate(text + "-01") { return day }
        throw .invalid(code: "invalid_\(name)", "“\(name)” is a month (2026-03) or a day (2026-03-16).")
    }

    /// The query string that asks for `scope` with the same period and filters (the drill-down links).
    static func href(_ base: String, _ request: StatisticsRequest, scope: StatisticsScope? = nil, extra: [(String, String)] = []) -> String {
        var items: [(String, String)] = []
        switch scope ?? request.scope {
        case .all: break
        case .site(let id): items.append(("site", id.json))
        case .department(let id): items.append(("department", id.json))
        case .practitioner(let id, let department): items += [("department", department.json), ("practitioner", id.json)]
        }
        items += [("grain", request.grain.rawValue), ("from", request.from.description), ("to", request.to.description)]
        if let channel = request.channel { items.append(("channel", channel.rawValue)) }
        if let kind = request.kind { items.append(("kind", kind.rawValue)) }
        items += extra
        return base + "?" + items.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}
