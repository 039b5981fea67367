import CreneauDomain
import Foundation
import Hummingbird

/// The satisfaction survey from the message's link (`/survey/{id}?token=`): no sign-in, a score
/// from 0 to 10 and a comment, once per fulfilled visit, for 30 days.
struct SurveyPagesController: Sendable {
    let surveys: Surveys
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        router.get("/survey/{id}") { request, context in try await form(request, context) }
        router.post("/survey/{id}") { request, context in try await answer(request, context) }
    }

    func pages() throws -> WebPages { try renderer.get() }

    static func id(_ context: AppRequestContext) -> UUID? { context.parameters.get("id").flatMap(UUID.init(uuidString:)) }

    func form(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters.get("token").map { String($0) }
        guard let id = Self.id(context) else { return try problem(Surveys.Problem.invalidLink, request, context) }
        do {
            _ = try await surveys.visit(id, token: token)
        } catch {
            return try problem(error, request, context)
        }
        return try render(request, context, id: id, token: token ?? "", error: nil, status: .ok, score: nil, comment: "")
    }

    func answer(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let id = Self.id(context) else { return try problem(Surveys.Problem.invalidLink, request, context) }
        let token = fields["token"] ?? ""
        let score = fields["score"].flatMap { Int($0) }
        do {
            _ = try await surveys.answer(id, token: token, score: score, comment: fields["comment"])
        } catch let problem as Surveys.Problem where problem == .score || problem == .comment {
            let page = PageContext(request, context)
            let pages = try pages()
            let text = pages.text(problem == .score ? "survey_score_missing" : "survey_comment_invalid", page.language)
            return try render(request, context, id: id, token: token, error: text, status: .unprocessableContent, score: score, comment: fields["comment"] ?? "")
        } catch {
            return try problem(error, request, context)
        }
        let page = PageContext(request, context)
        let pages = try pages()
        return try pages.render("message", page, title: pages.text("survey_thanks_title", page.language), values: [
            "text": pages.text("survey_thanks", page.language), "kind": "notice", "role": "status",
        ])
    }

    func render(_ request: Request, _ context: AppRequestContext, id: UUID, token: String, error: String?, status: HTTPResponse.Status,
                score: Int?, comment: String) throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        var values: [String: Any] = [
            "id": id.json, "token": token, "csrf": page.csrf(request, context, browser), "comment": comment, "limit": Surveys.commentLimit,
            "scores": (0...10).map { value -> [String: Any] in ["value": value, "checked": score == .some(value)] },
        ]
        if let error { values["error"] = error }
        return try pages.render("survey", page, title: pages.text("survey_title", page.language), values: values, status: status)
    }

    /// A link that is not (or no longer) valid, a visit already answered or not fulfilled: a page that says so.
    func problem(_ error: any Error, _ request: Request, _ context: AppRequestContext) throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        let (key, status): (String, HTTPResponse.Status) = switch error as? Surveys.Problem {
        case .alreadyAnswered: ("survey_already", .conflict)
        case .notFulfilled: ("survey_not_fulfilled", .notFound)
        default: ("survey_invalid_link", .notFound)
        }
        return try pages.render("message", page, title: pages.text("survey_title", page.language), values: [
            "text": pages.text(key, page.language), "kind": "error", "role": "alert",
        ], status: status)
    }
}

/// `/admin/surveys`: the survey's results for the sites the administrator runs.
struct AdminSurveysController: Sendable {
    let report: SurveyReport
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: AdminPageContext.self)
        group.get("/admin/surveys") { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: AdminPageContext) async throws -> Response {
        let page = PageContext(request, context.app)
        let pages = try renderer.get()
        let (lines, comments) = try await report.report(for: context.administrator)
        let format = { (value: Double) in String(format: "%.1f", value) }
        let values: [String: Any] = [
            "wide": true, "none": lines.isEmpty,
            "lines": lines.map { line -> [String: Any] in
                ["site": line.site, "department": line.department, "practitioner": line.practitioner ?? pages.text("surveys_whole_department", page.language),
                 "whole": line.practitioner == nil, "answers": line.result.answers, "average": format(line.result.average), "nps": line.result.netPromoterScore]
            },
            "comments": comments.map { comment -> [String: Any] in
                ["department": comment.department, "practitioner": comment.practitioner, "score": comment.answer.score, "text": comment.answer.comment ?? "",
                 "when": PageFormat.day(comment.answer.answeredAt, Site.defaultZone, page.language)]
            },
            "hasComments": !comments.isEmpty,
        ]
        return try pages.render("admin-surveys", page, title: pages.text("surveys_title", page.language), values: values)
    }
}
