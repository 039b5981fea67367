import CreneauDomain
import Foundation
import Hummingbird

/// `/api/v1/statistics`: the dashboard's figures as JSON (`GET /api/v1/statistics`) and each of its
/// tables (`GET /api/v1/statistics/{table}`), with the pages' query parameters and rules: counts from
/// 1 to 4 are null, like shares over fewer than 5 cases.
struct StatisticsAPIController: Sendable {
    let report: StatisticsReport

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/statistics") { request, context in try await summary(request, context) }
        router.get("/api/v1/statistics/{table}") { request, context in try await table(request, context) }
    }

    func viewer(_ context: AppRequestContext) async throws -> StatisticsViewer {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, code: "sign_in_required", message: "Sign in as an administrator or department head first.")
        }
        guard let viewer = StatisticsViewer(identity) else {
            await report.refused(nil, accountID: identity.account.id, scope: .all)
            throw StatisticsError.forbidden("Statistics are for group and site administrators and department heads.")
        }
        return viewer
    }

    func read(_ request: Request, _ context: AppRequestContext) async throws -> StatisticsDashboard {
        let viewer = try await viewer(context)
        let asked = try StatisticsQuery.parse(request.uri.queryParameters, today: report.today)
        do {
            return try await report.dashboard(for: viewer, asked)
        } catch StatisticsError.forbidden(let message) {
            await report.refused(viewer, accountID: viewer.accountID, scope: asked.scope)
            throw StatisticsError.forbidden(message)
        }
    }

    static func scope(_ scope: StatisticsScope) -> [String: Any] {
        switch scope {
        case .all: ["level": "all"]
        case .site(let id): ["level": "site", "site": id.json]
        case .department(let id): ["level": "department", "department": id.json]
        case .practitioner(let id, let department): ["level": "practitioner", "department": department.json, "practitioner": id.json]
        }
    }

    static func request(_ request: StatisticsRequest) -> [String: Any] {
        var value: [String: Any] = ["scope": scope(request.scope), "grain": request.grain.rawValue, "from": request.from.description,
                                    "to": request.to.description, "periods": request.periods.map(\.description)]
        value["channel"] = request.channel?.rawValue ?? NSNull()
        value["kind"] = request.kind?.rawValue ?? NSNull()
        return value
    }

    static func json(_ table: StatisticsTable) -> [String: Any] {
        ["name": table.name, "columns": table.columns, "rows": table.rows.map { $0.map(StatisticsTable.json) }]
    }

    func summary(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let dashboard = try await read(request, context)
        let tables = StatisticsTable.all(dashboard, base: StatisticsPagesController.base)
        let total = StatisticsTable(name: "total", columns: StatisticsTable.measureKeys, rows: [StatisticsTable.measures(dashboard.total)])
        let body: [String: Any] = [
            "request": Self.request(dashboard.request), "title": dashboard.title,
            "breadcrumbs": dashboard.breadcrumbs.map { ["label": $0.label, "scope": Self.scope($0.scope)] },
            "empty": dashboard.isEmpty, "complete": dashboard.counted,
            "total": Dictionary(uniqueKeysWithValues: zip(total.columns, total.rows[0].map(StatisticsTable.json))),
            "tables": tables.map(Self.json),
        ]
        return try Self.respond(body)
    }

    func table(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let name = context.parameters.get("table"), StatisticsTable.names.contains(name) else {
            throw APIError.notFound("There is no such statistics table; there are \(StatisticsTable.names.joined(separator: ", ")).")
        }
        let dashboard = try await read(request, context)
        guard let table = StatisticsTable.all(dashboard, base: StatisticsPagesController.base).first(where: { $0.name == name }) else {
            throw APIError.notFound("This view has no \(name) table (motives are a department's).")
        }
        var body = Self.json(table)
        body["request"] = Self.request(dashboard.request)
        return try Self.respond(body)
    }

    static func respond(_ body: [String: Any]) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
