import CreneauDomain
import Foundation
import Hummingbird

/// A practitioner's page: profile, online motives, the week's slots.
extension PatientPagesController {
    func practitioner(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let now = clock.now()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
              let offer = try await directory.practitionerWithMotives(id: id, now: now) else { throw APIError.notFound("No practitioner has this id.") }
        let online = offer.motives.filter { $0.channels.contains(.online) }
        let parameters = request.uri.queryParameters
        let chosen = parameters.get("motive").flatMap { UUID(uuidString: String($0)) }.flatMap { id in online.first { $0.id == id } } ?? online.first { $0.patients != .known } ?? online.first
        let profile = offer.profile
        // The same page for every reader but their form token: rendered once a second at most while nothing moves.
        let window = try chosen.map { _ in try WeekWindow(request, zone: profile.timeZone, now: now) }
        let csrf = page.csrf(request, context, browser)
        let key = "practitioner|\(id)|\(chosen?.id.uuidString ?? "-")|\(window?.from.description ?? "-")"
        let language = page.language
        return try await pages.render(cachedIn: rendered, key: key, stamp: try await search.stamp(), now: now, csrf: csrf, "practitioner", page,
                                      title: profile.practitioner.displayName) { [self] in
            try await practitionerValues(offer: offer, online: online, chosen: chosen, window: window, pages: pages, language: language,
                                         csrf: WebPages.formTokenMarker)
        }
    }

    private func practitionerValues(offer: (profile: PractitionerProfile, motives: [Motive]), online: [Motive], chosen: Motive?, window: WeekWindow?,
                                    pages: WebPages, language: Language, csrf: String) async throws -> [String: Any] {
        let profile = offer.profile, id = profile.practitioner.id
        var values: [String: Any] = [
            "name": profile.practitioner.displayName, "profession": profile.practitioner.profession, "specialty": Self.specialtyName(profile),
            "sites": profile.sites.map { "\($0.name), \($0.city)" }.joined(separator: " · "),
            "languages": profile.practitioner.languages.map { code in
                let name = pages.text("language_" + code, language)
                return name.hasPrefix("language_") ? code : name
            }.joined(separator: ", "),
            "skills": profile.practitioner.skills,
            "hasMotives": !online.isEmpty,
            "motives": online.map { motive -> [String: Any] in
                ["name": motive.name, "href": "/practitioners/\(id.json)?motive=\(motive.id.json)", "current": motive.id == chosen?.id,
                 "duration": "\(motive.durationMinutes) \(pages.text("minutes", language))", "knownOnly": motive.patients == .known]
            },
        ]
        if let motive = chosen, let window {
            let week = try await search.slots(practitionerID: id, motive: motive, channel: .online, from: window.from, days: WeekWindow.days)
            let days = PageFormat.days(week.slots, week.timeZone, language) {
                Self.slotButton($0, practitioner: id, motive: motive.id, zone: week.timeZone, language: language, csrf: csrf)
            }
            var section: [String: Any] = [
                "name": motive.name, "instructions": motive.instructionsBefore, "days": days,
                "next": "/practitioners/\(id.json)?motive=\(motive.id.json)&from=\(window.next.description)",
                // Nothing suits: wait for a slot to free up (signing in first, if need be).
                "waitlistHref": "/account/waitlist?practitioner=\(id.json)&motive=\(motive.id.json)",
            ]
            if let previous = window.previous { section["previous"] = "/practitioners/\(id.json)?motive=\(motive.id.json)&from=\(previous.description)" }
            if days.isEmpty {
                // Nothing this week: the next date anything opens, within the motive's horizon.
                let horizon = max(1, motive.horizonDays - window.today.days(until: window.from))
                let later = try await search.slots(practitionerID: id, motive: motive, channel: .online, from: window.from, days: min(horizon, 366))
                if let first = later.slots.first {
                    section["nextAvailable"] = PageFormat.day(first.start, later.timeZone, language)
                    section["nextHref"] = "/practitioners/\(id.json)?motive=\(motive.id.json)&from=\(LocalDate(first.start, in: later.timeZone).description)"
                }
            }
            values["motive"] = section
        }
        return values
    }
}
