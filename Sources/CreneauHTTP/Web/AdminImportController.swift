import CreneauDomain
import Foundation
import Hummingbird

/// Onboarding practitioners from a spreadsheet (`/admin/import`): the administrator pastes the
/// CSV (columns in `PractitionerImport`), checks it — every bad line named, nothing written —
/// then imports the good lines, all in one transaction. `creneau import practitioners` does the
/// same from a file.
struct AdminImportController: Sendable {
    let importer: PractitionerImport
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: AdminPageContext.self)
        group.get("/admin/import") { request, context in try await page(request, context, text: "", report: nil, status: .ok) }
        group.post("/admin/import") { request, context in
            let fields = try await FormBody.parse(request)
            let text = fields["csv"] ?? ""
            let write = fields["action"] == "import"
            let report = try await importer.run(text, acceptBadLines: fields["accept"] != nil, write: write, by: context.administrator)
            return try await page(request, context, text: text, report: report, status: report.problems.isEmpty ? .ok : .unprocessableContent)
        }
    }

    func page(_ request: Request, _ context: AdminPageContext, text: String, report: PractitionerImport.Report?, status: HTTPResponse.Status) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try renderer.get()
        var values: [String: Any] = [
            "csrf": page.csrf(request, context.app, browser), "csv": text, "columns": (PractitionerImport.required + PractitionerImport.optional).joined(separator: ", "),
        ]
        if let report {
            values["checked"] = true
            values["summary"] = pages.text("import_summary", page.language)
                .replacingOccurrences(of: "{lines}", with: String(report.lines)).replacingOccurrences(of: "{good}", with: String(report.rows.count))
                .replacingOccurrences(of: "{bad}", with: String(report.problems.count))
            values["problems"] = report.problems.prefix(200).map { ["line": $0.line, "message": $0.message] }
            values["hasProblems"] = !report.problems.isEmpty
            values["canImport"] = report.imported == nil && !report.rows.isEmpty
            if let counts = report.imported {
                values["imported"] = pages.text("import_done", page.language)
                    .replacingOccurrences(of: "{created}", with: String(counts.created)).replacingOccurrences(of: "{updated}", with: String(counts.updated))
                    .replacingOccurrences(of: "{memberships}", with: String(counts.memberships)).replacingOccurrences(of: "{accounts}", with: String(counts.accounts))
            }
        }
        return try pages.render("admin-import", page, title: pages.text("import_title", page.language), values: values, status: status)
    }
}
