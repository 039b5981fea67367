import CreneauDomain
import Foundation
import Hummingbird

/// The messages the outbox gave up on (`/admin/messages`): to whom (masked), what, why, how many
/// attempts, and a button that queues each again (audited). The desk calls whoever email could not reach.
struct AdminMessagesController: Sendable {
    let outbox: any OutboxRepository
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator
    let browser: BrowserSession
    /// The pages' templates and translations (`HTTPDependencies.pages`).
    let renderer: Result<WebPages, any Error>

    func register(on router: Router<AppRequestContext>) {
        let group = router.group(context: AdminPageContext.self)
        group.get("/admin/messages") { request, context in try await list(request, context) }
        group.post("/admin/messages/{id}/retry") { _, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No message has this id.") }
            guard try await outbox.retry(id: id, at: clock.now()) else { throw APIError.notFound("No message given up has this id.") }
            try await audit.append(AccessAuditEntry(
                id: ids.next(), at: clock.now(), actorAccountID: context.administrator.accountID, action: "admin:retry_message", patientID: nil,
                target: "message:\(id.uuidString.lowercased())", outcome: .allowed))
            return Response(status: .seeOther, headers: [.location: "/admin/messages?retried=1", .cacheControl: "no-store"])
        }
    }

    /// "+33 6•• •• •• 78": the country, the first digit and the last two.
    static func masked(phone: String) -> String {
        let digits = Array(phone)
        guard digits.count > 6 else { return "•••" }
        return String(digits.prefix(4)) + String(repeating: "•", count: digits.count - 6) + String(digits.suffix(2))
    }

    func list(_ request: Request, _ context: AdminPageContext) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try renderer.get()
        let csrf = page.csrf(request, context.app, browser)
        let messages = try await outbox.failedMessages(limit: 200).map { message -> [String: Any] in
            [
                "id": message.id.json,
                "to": message.channel == .email ? AccountRules.masked(email: message.recipient) : Self.masked(phone: message.recipient),
                "subject": message.subject.isEmpty ? pages.text("message_kind_" + message.kind.rawValue, page.language) + " (" + pages.text("message_channel_" + message.channel.rawValue, page.language) + ")" : message.subject,
                "error": message.lastError ?? "", "attempts": message.attempts, "csrf": csrf,
                "created": "\(PageFormat.shortDay(message.createdAt, Site.defaultZone, page.language)) \(PageFormat.time(message.createdAt, Site.defaultZone, page.language))",
            ]
        }
        var values: [String: Any] = ["messages": messages, "none": messages.isEmpty, "wide": true]
        if request.uri.queryParameters.get("retried") != nil { values["notice"] = pages.text("messages_retried", page.language) }
        return try pages.render("admin-messages", page, title: pages.text("messages_title", page.language), values: values)
    }
}
