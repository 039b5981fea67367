import CreneauDomain
import Foundation
import Hummingbird

/// A room's or machine's own weekly hours (`/admin/resources/{id}/hours`): up to two ranges a
/// day; none at all means it can be used whenever its practitioners work.
extension AdminOrganisationController {
    func registerHours(on group: RouterGroup<AdminPageContext>) {
        group.get("/admin/resources/{id}/hours") { request, context in
            try await hoursForm(request, context, resource: try await self.resource(try Self.id(context), context), fields: nil, problem: nil)
        }
        group.post("/admin/resources/{id}/hours") { request, context in
            let resource = try await self.resource(try Self.id(context), context)
            let fields = try await FormBody.parse(request)
            guard let ranges = Self.ranges(in: fields) else {
                return try await hoursForm(request, context, resource: resource, fields: fields,
                                           problem: .init("hours", "hours_times", "Give both times of each range, like 08:30 and 12:00."), status: .unprocessableContent)
            }
            do {
                _ = try await admin.setHours(ranges, resourceID: resource.id, by: context.administrator)
            } catch AdminError.refused(let problem) {
                return try await hoursForm(request, context, resource: resource, fields: fields, problem: problem, status: .unprocessableContent)
            }
            return Self.backToOverview(notice: "saved")
        }
    }

    /// "h-1-2-start" is Monday's second range's start. Nil when a range has one time only or a time is not one.
    static func ranges(in fields: [String: String]) -> [(weekday: Int, start: Int, end: Int)]? {
        var ranges: [(weekday: Int, start: Int, end: Int)] = []
        for weekday in 1...7 {
            for slot in 1...2 {
                let start = fields["h-\(weekday)-\(slot)-start"]?.trimmed.nilIfEmpty, end = fields["h-\(weekday)-\(slot)-end"]?.trimmed.nilIfEmpty
                switch (start, end) {
                case (nil, nil): continue
                case (let start?, let end?):
                    guard let from = minutes(start), let to = minutes(end) else { return nil }
                    ranges.append((weekday, from, to))
                default: return nil
                }
            }
        }
        return ranges
    }

    /// "08:30" → 510.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...24).contains(hours), (0..<60).contains(minutes), hours * 60 + minutes <= 1_440 else { return nil }
        return hours * 60 + minutes
    }

    func hoursForm(_ request: Request, _ context: AdminPageContext, resource: Resource, fields: [String: String]?, problem: OrganisationRules.Problem?,
                   status: HTTPResponse.Status = .ok) async throws -> Response {
        var page = PageContext(request, context.app)
        let pages = try pages()
        let stored = try await admin.hours(of: resource.id, for: context.administrator)
        func time(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }
        let days = (1...7).map { weekday -> [String: Any] in
            let own = (stored?.ranges ?? []).filter { $0.weekday == weekday }.sorted { $0.startMinute < $1.startMinute }
            return [
                "weekday": weekday, "name": pages.text("weekday_\(weekday)", page.language),
                "ranges": (1...2).map { slot -> [String: Any] in
                    let range = own.count >= slot ? own[slot - 1] : nil
                    return ["weekday": weekday, "slot": slot,
                            "start": fields?["h-\(weekday)-\(slot)-start"] ?? range.map { time($0.startMinute) } ?? "",
                            "end": fields?["h-\(weekday)-\(slot)-end"] ?? range.map { time($0.endMinute) } ?? ""]
                },
            ]
        }
        var values: [String: Any] = ["name": resource.name, "id": resource.id.json, "days": days, "csrf": page.csrf(request, context.app, browser)]
        if let problem { values["error"] = Self.sentence(problem, pages, page.language) }
        return try pages.render("admin-hours", page, title: pages.text("hours_title", page.language), values: values, status: status)
    }
}
