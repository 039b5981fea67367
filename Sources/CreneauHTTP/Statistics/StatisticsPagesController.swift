import CreneauDomain
import Foundation
import Hummingbird

/// `/admin/statistics`: management's dashboard (charts drawn as SVG, each with its table), drill-down
/// from the group to a site, a department, a practitioner; `/admin/statistics/{table}.csv` exports
/// each table with the same filters. Group and site administrators and department heads read it.
struct StatisticsPagesController: Sendable {
    let report: StatisticsReport
    let renderer: Result<WebPages, any Error>

    static let base = "/admin/statistics"

    func register(on router: Router<AppRequestContext>) {
        router.get("/admin/statistics") { request, context in try await dashboard(request, context) }
        router.get("/admin/statistics/{file}") { request, context in try await csv(request, context) }
    }

    /// The reader, or the sign-in page (no one signed in) / a refusal (a role without statistics).
    func viewer(_ context: AppRequestContext) async throws -> StatisticsViewer {
        guard let identity = context.identity else { throw PageSignInRequired() }
        guard let viewer = StatisticsViewer(identity) else {
            await report.refused(nil, accountID: identity.account.id, scope: .all)
            throw StatisticsError.forbidden("Statistics are for group and site administrators and department heads.")
        }
        return viewer
    }

    func dashboard(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try renderer.get()
        do {
            let viewer = try await viewer(context)
            let asked = try StatisticsQuery.parse(request.uri.queryParameters, today: report.today)
            let dashboard: StatisticsDashboard
            do {
                dashboard = try await report.dashboard(for: viewer, asked)
            } catch let error as StatisticsError {
                if case .forbidden = error { await report.refused(viewer, accountID: viewer.accountID, scope: asked.scope) }
                throw error
            }
            return try pages.render("admin-statistics", page, title: pages.text("stats_title", page.language),
                                    values: values(dashboard, page: page, pages: pages))
        } catch StatisticsError.invalid(let code, _) {
            // The form again, with what to change, in the reader's language.
            var values = form(nil, query: request.uri.queryParameters, page: page, pages: pages)
            values["error"] = pages.text("stats_error_" + code, page.language) == "stats_error_" + code
                ? pages.text("stats_error_invalid", page.language) : pages.text("stats_error_" + code, page.language)
            return try pages.render("admin-statistics", page, title: pages.text("stats_title", page.language), values: values, status: .unprocessableContent)
        } catch StatisticsError.notFound {
            return try message(pages.text("stats_not_found", page.language), status: .notFound, page: page, pages: pages)
        } catch StatisticsError.forbidden {
            return try message(pages.text("stats_forbidden", page.language), status: .forbidden, page: page, pages: pages)
        }
    }

    func message(_ text: String, status: HTTPResponse.Status, page: PageContext, pages: WebPages) throws -> Response {
        try pages.render("message", page, title: pages.text("stats_title", page.language), values: ["text": text, "kind": "error", "role": "alert"], status: status)
    }

    /// `trend.csv`, `breakdown.csv`…: one table of the view the same query string asks for.
    func csv(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try renderer.get()
        let viewer = try await viewer(context)
        guard let file = context.parameters.get("file"), file.hasSuffix(".csv"), StatisticsTable.names.contains(String(file.dropLast(4))) else {
            throw APIError.notFound("There is no such statistics table: \(StatisticsTable.names.map { $0 + ".csv" }.joined(separator: ", ")).")
        }
        let name = String(file.dropLast(4))
        let asked = try StatisticsQuery.parse(request.uri.queryParameters, today: report.today)
        let dashboard = try await report.dashboard(for: viewer, asked)
        guard let table = StatisticsTable.all(dashboard, base: Self.base).first(where: { $0.name == name }) else {
            throw APIError.notFound("This view has no \(name) table (motives are a department's).")
        }
        let body = table.csv(page.language) { Self.label($0, pages, page.language) }
        let filename = "creneau-\(name)-\(asked.from)-\(asked.to).csv"
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\"", .cacheControl: "no-store",
        ], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func label(_ key: String, _ pages: WebPages, _ language: Language) -> String {
        LocalDate(key) != nil ? key : pages.text("stats_col_" + key, language)
    }

    // MARK: The page's values

    func form(_ request: StatisticsRequest?, query: Parameters, page: PageContext, pages: WebPages) -> [String: Any] {
        let language = page.language
        let grain = request?.grain.rawValue ?? query.get("grain") ?? "month"
        let channel = request?.channel?.rawValue ?? query.get("channel") ?? ""
        let kind = request?.kind?.rawValue ?? query.get("kind") ?? ""
        var hidden: [[String: String]] = []
        for name in ["site", "department", "practitioner"] { if let value = query.get(name), value.count <= 64 { hidden.append(["name": name, "value": value]) } }
        return [
            "wide": true, "hidden": hidden,
            "from": request.map { $0.grain == .month ? String($0.from.description.prefix(7)) : $0.from.description } ?? String((query.get("from") ?? "").prefix(64)),
            "to": request.map { $0.grain == .month ? String($0.to.description.prefix(7)) : $0.to.description } ?? String((query.get("to") ?? "").prefix(64)),
            "grains": StatisticsGrain.allCases.map { ["value": $0.rawValue, "label": pages.text("stats_grain_" + $0.rawValue, language), "selected": $0.rawValue == grain] },
            "channels": [["value": "", "label": pages.text("stats_all_channels", language), "selected": channel.isEmpty]]
                + Channel.allCases.map { ["value": $0.rawValue, "label": pages.text("channel_" + $0.rawValue, language), "selected": $0.rawValue == channel] },
            "kinds": [["value": "", "label": pages.text("stats_all_patients", language), "selected": kind.isEmpty]]
                + ["new", "known"].map { ["value": $0, "label": pages.text("stats_kind_" + $0, language), "selected": $0 == kind] },
        ]
    }

    func values(_ dashboard: StatisticsDashboard, page: PageContext, pages: WebPages) -> [String: Any] {
        let language = page.language
        let decimal: Character = language == .fr ? "," : "."
        let request = dashboard.request
        var values = form(request, query: Parameters(), page: page, pages: pages)
        values["hidden"] = Self.hidden(request.scope)
        values["heading"] = dashboard.title
        values["crumbs"] = dashboard.breadcrumbs.enumerated().map { index, crumb -> [String: Any] in
            ["label": crumb.label, "href": StatisticsQuery.href(Self.base, request, scope: crumb.scope), "current": index == dashboard.breadcrumbs.count - 1]
        }
        values["empty"] = dashboard.isEmpty
        values["hasDashboard"] = true
        values["recounting"] = !dashboard.counted
        values["hasCrumbs"] = true
        let total = dashboard.total
        func cell(_ cell: StatisticsTable.Cell) -> String { StatisticsTable.text(cell, language) }
        let outcomes = total.counts.attended + total.counts.noShows
        values["figures"] = [
            (pages.text("stats_fig_bookings", language), cell(.count(total.counts.booked))),
            (pages.text("stats_fig_online_share", language), cell(.percent(total.onlineShare, over: total.counts.booked))),
            (pages.text("stats_fig_noshow", language), cell(.percent(total.counts.noShowRate, over: outcomes))),
            (pages.text("stats_fig_fill", language), cell(.percent(total.fillRate, over: Int.max))),
            (pages.text("stats_fig_cancelled_late", language), cell(.count(total.counts.cancelledLate))),
            (pages.text("stats_fig_refilled", language), "\(cell(.count(total.counts.refilled))) / \(cell(.count(total.counts.freed)))"),
            (pages.text("stats_fig_survey", language), StatisticsPrivacy.rate(total.counts.surveyMean, over: total.counts.surveyAnswers) == nil ? "—"
                : "\(cell(.decimal(total.counts.surveyMean, over: total.counts.surveyAnswers))) / 10 · NPS \(cell(.decimal(total.counts.netPromoterScore, over: total.counts.surveyAnswers)))"),
            (pages.text("stats_fig_third", language), total.access.mean.map { StatisticsTable.decimal($0, language) + " " + pages.text("stats_days", language) } ?? "—"),
        ].map { ["label": $0.0, "value": $0.1] }

        let all = StatisticsTable.all(dashboard, base: Self.base)
        let tables = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func csvHref(_ name: String) -> String { StatisticsQuery.href(Self.base + "/\(name).csv", request, extra: [("lang", language.rawValue)]) }
        func tableValues(_ name: String, columns keep: [String]? = nil) -> [String: Any]? {
            guard let table = tables[name] else { return nil }
            let indices = table.columns.indices.filter { keep?.contains(table.columns[$0]) ?? (table.columns[$0] != "id") }
            return [
                "caption": pages.text("stats_table_" + name, language), "csv": csvHref(name),
                "columns": indices.map { ["label": Self.label(table.columns[$0], pages, language)] },
                "rows": table.rows.enumerated().map { rowIndex, row -> [String: Any] in
                    ["cells": indices.enumerated().map { position, index -> [String: Any] in
                        var text = cell(row[index])
                        // Channels and kinds by their names on the page (the CSV and JSON keep the codes).
                        if position == 0, name == "channels" || name == "patients" {
                            text = pages.text((name == "channels" ? "channel_" : "stats_kind_") + text, language)
                        }
                        var value: [String: Any] = ["text": text, "header": position == 0]
                        if position == 0, rowIndex < table.links.count, let href = table.links[rowIndex] { value["href"] = href }
                        return value
                    }]
                },
            ]
        }
        func chart(_ id: String, _ heading: String, svg: String, table: [String: Any]?) -> [String: Any] {
            var section: [String: Any] = ["id": id, "heading": heading, "svg": svg]
            if let table { section["table"] = table }
            return section
        }
        func summary(_ heading: String, _ points: [SVGChart.Point], unit: String) -> String {
            heading + " — " + points.map { "\($0.label) : \($0.value.map { SVGChart.format($0, decimal: decimal) + unit } ?? pages.text("stats_unknown", language))" }
                .joined(separator: " ; ")
        }
        var sections: [[String: Any]] = []
        let share = pages.text("stats_chart_online_share", language) + " (" + pages.text("stats_grain_" + request.grain.rawValue, language) + ")"
        let trendPoints = dashboard.trend.map { SVGChart.Point(label: Self.periodLabel($0.period, request.grain), value: StatisticsPrivacy.rate($0.onlineShare, over: $0.counts.booked).map { $0 * 100 }) }
        sections.append(chart("trend", share, svg: SVGChart.line(id: "trend", title: share, summary: summary(share, trendPoints, unit: " %"), points: trendPoints, unit: " %", decimal: decimal),
                              table: tableValues("trend", columns: ["period", "bookings", "online_bookings", "online_share", "no_show_rate", "cancelled", "cancelled_by_patient",
                                                                     "cancelled_by_hospital", "cancelled_late", "cancelled_within_week", "moved", "freed", "refilled",
                                                                     "fill_rate", "survey_mean", "survey_nps", "third_available_days"])))
        if dashboard.childrenKind != .none {
            let heading = pages.text("stats_chart_online_by_" + dashboard.childrenKind.rawValue, language)
            let points = dashboard.children.map { SVGChart.Point(label: $0.label, value: StatisticsPrivacy.rate($0.onlineShare, over: $0.counts.booked).map { $0 * 100 }) }
            sections.append(chart("breakdown", heading, svg: SVGChart.bars(id: "breakdown", title: heading, summary: summary(heading, points, unit: " %"), points: points, unit: " %",
                                                                          decimal: decimal, unknown: pages.text("stats_unknown", language)),
                                  table: tableValues("breakdown", columns: ["name", "bookings", "online_share", "no_show_rate", "cancelled_late", "refill_rate", "fill_rate", "survey_answers", "survey_mean", "survey_nps", "third_available_days"])))
        }
        let byChannel = pages.text("stats_chart_noshow_channel", language)
        let channelPoints = dashboard.byChannel.map { SVGChart.Point(label: pages.text("channel_" + $0.channel.rawValue, language),
                                                                     value: StatisticsPrivacy.rate($0.counts.noShowRate, over: $0.counts.attended + $0.counts.noShows).map { $0 * 100 }) }
        sections.append(chart("channels", byChannel, svg: SVGChart.bars(id: "channels", title: byChannel, summary: summary(byChannel, channelPoints, unit: " %"), points: channelPoints,
                                                                       unit: " %", decimal: decimal, unknown: pages.text("stats_unknown", language)), table: tableValues("channels")))
        let byKind = pages.text("stats_chart_noshow_kind", language)
        let kindPoints = dashboard.byKind.map { SVGChart.Point(label: pages.text("stats_kind_" + $0.kind.rawValue, language),
                                                               value: StatisticsPrivacy.rate($0.counts.noShowRate, over: $0.counts.attended + $0.counts.noShows).map { $0 * 100 }) }
        sections.append(chart("patients", byKind, svg: SVGChart.bars(id: "patients", title: byKind, summary: summary(byKind, kindPoints, unit: " %"), points: kindPoints,
                                                                    unit: " %", decimal: decimal, unknown: pages.text("stats_unknown", language)), table: tableValues("patients")))
        let access = pages.text("stats_chart_access", language)
        let days = " " + pages.text("stats_days_short", language)
        let accessPoints = dashboard.specialties.map { SVGChart.Point(label: $0.label, value: $0.access.mean) }
        sections.append(chart("access", access, svg: SVGChart.bars(id: "access", title: access, summary: summary(access, accessPoints, unit: days), points: accessPoints,
                                                                  unit: days, decimal: decimal, unknown: pages.text("stats_unknown", language)), table: nil))
        let accessTrend = pages.text("stats_chart_access_trend", language)
        let accessTrendPoints = dashboard.trend.map { SVGChart.Point(label: Self.periodLabel($0.period, request.grain), value: $0.access.mean) }
        sections.append(chart("access-trend", accessTrend, svg: SVGChart.line(id: "access-trend", title: accessTrend, summary: summary(accessTrend, accessTrendPoints, unit: days),
                                                                             points: accessTrendPoints, unit: days, decimal: decimal), table: tableValues("access")))
        if dashboard.childrenKind != .none {
            let survey = pages.text("stats_chart_survey", language)
            let points = dashboard.children.map { SVGChart.Point(label: $0.label, value: StatisticsPrivacy.rate($0.counts.surveyMean, over: $0.counts.surveyAnswers)) }
            sections.append(chart("survey", survey, svg: SVGChart.bars(id: "survey", title: survey, summary: summary(survey, points, unit: "/10"), points: points, unit: "/10",
                                                                      decimal: decimal, unknown: pages.text("stats_unknown", language)), table: nil))
        }
        if let motives = tableValues("motives", columns: ["motive", "bookings", "online_share", "no_show_rate", "cancelled", "cancelled_late", "refilled", "survey_mean", "third_available_days"]) {
            sections.append(["id": "motives", "heading": pages.text("stats_table_motives", language), "table": motives])
        }
        values["sections"] = sections
        values["csvAll"] = all.map { ["label": pages.text("stats_table_" + $0.name, language), "href": csvHref($0.name)] }
        return values
    }

    static func hidden(_ scope: StatisticsScope) -> [[String: String]] {
        switch scope {
        case .all: []
        case .site(let id): [["name": "site", "value": id.json]]
        case .department(let id): [["name": "department", "value": id.json]]
        case .practitioner(let id, let department): [["name": "department", "value": department.json], ["name": "practitioner", "value": id.json]]
        }
    }

    static func periodLabel(_ period: LocalDate?, _ grain: StatisticsGrain) -> String {
        guard let period else { return "" }
        return grain == .month ? String(period.description.prefix(7)) : String(period.description.suffix(5))
    }
}
