import CreneauDomain
import Foundation

/// The tables a statistics view shows, exported (CSV) and answered (API) alike, so the three never
/// disagree. Columns have stable keys (documented in docs/STATISTICS.md) and labels in both languages.
struct StatisticsTable {
    enum Cell {
        case text(String)
        /// People counted: from 1 to 4, hidden (`StatisticsPrivacy`).
        case count(Int)
        /// A plain number that counts no one (days, motive-days).
        case number(Int)
        /// A share (0…1), shown only over `over` ≥ 5 cases (nil: nothing to divide).
        case percent(Double?, over: Int)
        case decimal(Double?, over: Int)
    }

    var name: String
    var columns: [String]
    var rows: [[Cell]]
    /// Drill-down links of the rows' first cells (HTML only).
    var links: [String?] = []
}

extension StatisticsTable {
    /// The measures every line carries, after its label column(s).
    static let measureKeys = [
        "bookings", "online_bookings", "online_share", "visits", "attended", "no_shows", "no_show_rate", "cancelled", "cancelled_by_patient",
        "cancelled_by_hospital", "cancelled_late", "cancelled_within_week", "freed", "refilled", "refill_rate", "moved", "booked_hours", "open_hours", "fill_rate", "survey_answers", "survey_mean",
        "survey_nps", "third_available_days", "third_available_beyond",
    ]

    static func measures(_ line: StatisticsLine) -> [Cell] {
        let c = line.counts
        let outcomes = c.attended + c.noShows
        return [
            .count(c.booked), .count(line.online), .percent(line.onlineShare, over: c.booked), .count(c.visits), .count(c.attended), .count(c.noShows),
            .percent(c.noShowRate, over: outcomes), .count(c.cancelled), .count(c.cancelledByPatient), .count(c.cancelledByHospital), .count(c.cancelledLate),
            .count(c.cancelledWithinWeek), .count(c.freed),
            .count(c.refilled), .percent(c.refillRate, over: c.freed), .count(c.moved),
            .decimal(Double(c.bookedMinutes) / 60, over: Int.max), .decimal(line.openMinutes.map { Double($0) / 60 }, over: Int.max),
            .percent(line.fillRate, over: Int.max), .count(c.surveyAnswers), .decimal(c.surveyMean, over: c.surveyAnswers),
            .decimal(c.netPromoterScore, over: c.surveyAnswers), .decimal(line.access.mean, over: Int.max), .number(line.access.beyond),
        ]
    }

    static let names = ["trend", "breakdown", "channels", "patients", "access", "motives"]

    /// Every table of a view (`motives` only for a department).
    static func all(_ dashboard: StatisticsDashboard, base: String) -> [StatisticsTable] {
        let request = dashboard.request
        var tables: [StatisticsTable] = [
            StatisticsTable(name: "trend", columns: ["period"] + measureKeys,
                            rows: dashboard.trend.map { [.text($0.period?.description ?? $0.label)] + measures($0) }),
        ]
        if dashboard.childrenKind != .none {
            tables.append(StatisticsTable(
                name: "breakdown", columns: ["name", "id"] + measureKeys,
                rows: dashboard.children.map { [.text($0.label), .text(Self.id($0.scope))] + measures($0) },
                links: dashboard.children.map { line in line.scope.map { StatisticsQuery.href(base, request, scope: $0) } }))
        }
        tables.append(StatisticsTable(
            name: "channels", columns: ["channel", "bookings", "booking_share", "visits", "attended", "no_shows", "no_show_rate", "cancelled", "cancelled_late"],
            rows: dashboard.byChannel.map { channel, counts in
                [.text(channel.rawValue), .count(counts.booked), .percent(dashboard.total.counts.booked > 0 ? Double(counts.booked) / Double(dashboard.total.counts.booked) : nil,
                                                                          over: dashboard.total.counts.booked),
                 .count(counts.visits), .count(counts.attended), .count(counts.noShows), .percent(counts.noShowRate, over: counts.attended + counts.noShows),
                 .count(counts.cancelled), .count(counts.cancelledLate)]
            }))
        tables.append(StatisticsTable(
            name: "patients", columns: ["patients", "bookings", "visits", "attended", "no_shows", "no_show_rate", "cancelled"],
            rows: dashboard.byKind.map { kind, counts in
                [.text(kind.rawValue), .count(counts.booked), .count(counts.visits), .count(counts.attended), .count(counts.noShows),
                 .percent(counts.noShowRate, over: counts.attended + counts.noShows), .count(counts.cancelled)]
            }))
        tables.append(StatisticsTable(
            name: "access", columns: ["specialty", "label", "third_available_days", "recorded_days", "third_available_beyond"] + request.periods.map(\.description),
            rows: dashboard.specialties.map { specialty in
                [.text(specialty.specialty), .text(specialty.label), .decimal(specialty.access.mean, over: Int.max), .number(specialty.access.recorded),
                 .number(specialty.access.beyond)] + request.periods.map { .decimal(specialty.trend[$0]?.mean, over: Int.max) }
            }))
        if case .department = request.scope {
            tables.append(StatisticsTable(
                name: "motives", columns: ["motive"] + measureKeys, rows: dashboard.motives.map { [.text($0.label)] + measures($0) }))
        }
        return tables
    }

    static func id(_ scope: StatisticsScope?) -> String {
        switch scope {
        case .site(let id)?, .department(let id)?, .practitioner(let id, _)?: id.json
        default: ""
        }
    }

    // MARK: Formats

    /// A cell as people read it: hidden counts as "< 5", shares as "12.5 %" (a decimal comma in French), nothing as "—".
    static func text(_ cell: Cell, _ language: Language, empty: String = "—", unit: Bool = true) -> String {
        switch cell {
        case .text(let text): return text
        case .count(let count): return StatisticsPrivacy.shown(count).map(String.init) ?? "< \(StatisticsPrivacy.threshold)"
        case .number(let number): return String(number)
        case .percent(let value, let over):
            guard let value = StatisticsPrivacy.rate(value, over: over) else { return empty }
            return decimal(value * 100, language) + (unit ? " %" : "")
        case .decimal(let value, let over):
            guard let value = StatisticsPrivacy.rate(value, over: over) else { return empty }
            return decimal(value, language)
        }
    }

    static func decimal(_ value: Double, _ language: Language) -> String {
        let text = String(format: "%.1f", value.isFinite ? value : 0)
        return language == .fr ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    /// A cell as JSON: numbers, null for hidden or undefined ones.
    static func json(_ cell: Cell) -> Any {
        switch cell {
        case .text(let text): return text
        case .count(let count): return StatisticsPrivacy.shown(count).map { $0 as Any } ?? NSNull()
        case .number(let number): return number
        case .percent(let value, let over), .decimal(let value, let over):
            guard let value = StatisticsPrivacy.rate(value, over: over), value.isFinite else { return NSNull() }
            return (value * 1_000).rounded() / 1_000
        }
    }

    /// RFC 4180 with `;` (French spreadsheets read `,` as the decimal mark) and a UTF-8 byte order mark
    /// (so Excel reads accents), header labels in the reader's language, CRLF line ends.
    func csv(_ language: Language, label: (String) -> String) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [columns.map { field(label($0)) }.joined(separator: ";")]
        for row in rows { lines.append(row.map { field(Self.text($0, language, empty: "", unit: false)) }.joined(separator: ";")) }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}
