import CreneauDomain
import Foundation
import Hummingbird

/// Exceptional openings: a session added outside the weekly template.
extension StaffPagesController {
    /// The form for an exceptional session (`?practitioner=&department=`); `fields` are what was typed.
    func openingForm(
        _ request: Request, _ context: AppRequestContext, booker: Booker, fields: [String: String]?, saved: ScheduleException?, error: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        func parameter(_ name: String) -> UUID? {
            (fields?[name] ?? request.uri.queryParameters.get(name).map { String($0) }).flatMap(UUID.init(uuidString:))
        }
        guard let practitionerID = parameter("practitioner"), let departmentID = parameter("department") else {
            throw APIError.notFound("No practitioner of your departments has this id.")
        }
        let (profile, department, zone, motives) = try await agenda.openingChoices(practitionerID: practitionerID, departmentID: departmentID, by: booker)
        // A first visit to the form proposes the channels staff book through; online is a choice.
        let chosenChannels: Set<String> = fields.map { typed in Set(AdminPagesController.channels.map(\.rawValue).filter { typed["ch-" + $0] != nil }) }
            ?? [Channel.phone.rawValue, Channel.desk.rawValue, Channel.practitioner.rawValue]
        var values: [String: Any] = [
            "practitioner": profile.practitioner.displayName, "practitionerId": practitionerID.json, "department": department.name,
            "departmentId": departmentID.json, "csrf": page.csrf(request, context, browser),
            "from": fields?["from"] ?? "", "to": fields?["to"] ?? "", "reason": fields?["reason"] ?? "",
            "channels": AdminPagesController.channels.map { ["name": "ch-" + $0.rawValue, "label": pages.text("channel_" + $0.rawValue, page.language),
                                                           "checked": chosenChannels.contains($0.rawValue)] },
            "motives": motives.map { ["name": "m-" + $0.id.json, "label": $0.name, "checked": fields?["m-" + $0.id.json] != nil] },
            "backHref": "/staff/agenda?department=\(departmentID.json)",
        ]
        if let saved {
            values["saved"] = true
            values["dayHref"] = "/staff/agenda?department=\(departmentID.json)&practitioner=\(practitionerID.json)&day=\(LocalDate(saved.startsAt, in: zone).description)"
        }
        if let error { values["error"] = error }
        return try pages.render("opening", page, title: pages.text("opening_title", page.language), values: values, status: status)
    }

    func opening(_ request: Request, _ context: AppRequestContext, booker: Booker) async throws -> Response {
        let fields = try await FormBody.parse(request)
        let page = PageContext(request, context)
        let pages = try pages()
        guard let practitionerID = fields["practitioner"].flatMap(UUID.init(uuidString:)), let departmentID = fields["department"].flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("No practitioner of your departments has this id.")
        }
        let (_, _, zone, _) = try await agenda.openingChoices(practitionerID: practitionerID, departmentID: departmentID, by: booker)
        func refuse(_ problem: StaffAgenda.OpeningProblem) async throws -> Response {
            try await openingForm(request, context, booker: booker, fields: fields, saved: nil, error: pages.text(problem.rawValue, page.language), status: .unprocessableContent)
        }
        guard let start = Self.localInstant(fields["from"], zone: zone, now: clock.now()), let end = Self.localInstant(fields["to"], zone: zone, now: clock.now()) else {
            return try await refuse(.times)
        }
        let channels = ChannelSet(channels: AdminPagesController.channels.filter { fields["ch-" + $0.rawValue] != nil })
        // Ticked boxes that are not ids of this department's motives are refused by the rule, not dropped.
        let ticked = fields.keys.filter { $0.hasPrefix("m-") }.map { UUID(uuidString: String($0.dropFirst(2))) ?? UUID() }
        do {
            let saved = try await agenda.addOpening(
                practitionerID: practitionerID, departmentID: departmentID, from: start, to: end, channels: channels, motiveIDs: ticked,
                reason: fields["reason"] ?? "", by: booker)
            return try await openingForm(request, context, booker: booker, fields: fields, saved: saved, error: nil)
        } catch let problem as StaffAgenda.OpeningProblem {
            return try await refuse(problem)
        }
    }
}
