import CreneauDomain
import Foundation
import Hummingbird

/// The home page and the search: every site's departments, practitioners with their first slots.
extension PatientPagesController {
    /// The search form's choices: every specialty and site of this instance.
    func searchForm(_ query: String, specialty: String?, site: String?, language: Language) async throws -> [String: Any] {
        // From the directory's memory (kept exact by the configuration version), not one query per site.
        let listed = try await directory.siteDepartments()
        let sites = listed.map(\.site)
        var specialties: [String: String] = [:]
        var siteSections: [[String: Any]] = []
        for (site, departments) in listed.prefix(60).map({ ($0.site, $0.departments.sorted { SearchText.fold($0.name) < SearchText.fold($1.name) }) }) {
            for department in departments { specialties[department.specialty] = specialties[department.specialty] ?? department.name }
            siteSections.append(["name": site.name, "city": site.city, "departments": departments.map { department -> [String: Any] in
                ["name": department.name, "href": "/search?specialty=\(Self.encode(department.specialty))&site=\(Self.encode(site.slug))"]
            }])
        }
        return [
            "query": query, "sites": siteSections,
            "specialties": specialties.sorted { SearchText.fold($0.value) < SearchText.fold($1.value) }
                .map { ["value": $0.key, "label": $0.value, "selected": $0.key == specialty] },
            "siteOptions": sites.map { ["value": $0.slug, "label": $0.name, "selected": $0.slug == site] },
        ]
    }

    func home(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let page = PageContext(request, context)
        let pages = try pages()
        let language = page.language
        return try await pages.render(cachedIn: rendered, key: "home", stamp: try await directory.configurationStamp(), now: clock.now(), csrf: nil,
                                      "home", page, title: pages.text("home_title", language)) { [self] in
            try await searchForm("", specialty: nil, site: nil, language: language)
        }
    }

    func results(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var page = PageContext(request, context)
        let pages = try pages()
        let parameters = request.uri.queryParameters
        func parameter(_ name: String) -> String? { parameters.get(name).map { String($0) }?.trimmed.nilIfEmpty }
        let text = parameter("q"), specialty = parameter("specialty"), siteSlug = parameter("site")
        guard text != nil || specialty != nil else {
            var values = try await searchForm(text ?? "", specialty: specialty, site: siteSlug, language: page.language)
            values["noResults"] = false
            values["error"] = pages.text("search_ask", page.language)
            return try pages.render("search", page, title: pages.text("search_title", page.language), values: values)
        }
        // The page is the same for every reader but their form token: rendered once a second at most while nothing moves.
        let csrf = page.csrf(request, context, browser)
        let key = "results|\(text ?? "")|\(specialty ?? "")|\(siteSlug ?? "")"
        let now = clock.now()
        let stamp = try await search.stamp()
        let language = page.language
        return try await pages.render(cachedIn: rendered, key: key, stamp: stamp, now: now, csrf: csrf, "search", page,
                                      title: pages.text("search_title", language)) { [self] in
            try await resultValues(text: text, specialty: specialty, siteSlug: siteSlug, language: language, csrf: WebPages.formTokenMarker)
        }
    }

    private func resultValues(text: String?, specialty: String?, siteSlug: String?, language: Language, csrf: String) async throws -> [String: Any] {
        var values = try await searchForm(text ?? "", specialty: specialty, site: siteSlug, language: language)
        var siteID: UUID?
        if let siteSlug { siteID = try await directory.site(reference: siteSlug)?.id }
        let (_, found) = try await search.search(
            text: text, specialty: specialty, siteID: siteID, channel: .online, from: nil, days: Self.searchDays, limit: 30, slotsPerResult: Self.slotsPerResult)
        values["results"] = found.map { result -> [String: Any] in
            let practitioner = result.profile.practitioner
            let motiveQuery = result.motive.map { "?motive=\($0.id.json)" } ?? ""
            return [
                "name": practitioner.displayName, "profession": practitioner.profession, "specialty": Self.specialtyName(result.profile),
                "sites": result.profile.sites.map(\.name).joined(separator: ", "), "href": "/practitioners/\(practitioner.id.json)\(motiveQuery)",
                "motiveName": result.motive?.name ?? "", "hasSlots": !result.slots.isEmpty,
                "slots": result.slots.map { slot -> [String: Any] in
                    var button = Self.slotButton(slot, practitioner: practitioner.id, motive: result.motive?.id, zone: result.timeZone, language: language, csrf: csrf)
                    button["day"] = PageFormat.shortDay(slot.start, result.timeZone, language)
                    return button
                },
            ]
        }
        values["noResults"] = found.isEmpty
        return values
    }

    static func specialtyName(_ profile: PractitionerProfile) -> String {
        profile.departments.first { $0.specialty == profile.practitioner.specialty }?.name ?? profile.departments.first?.name ?? ""
    }

    static func slotButton(_ slot: Slot, practitioner: UUID, motive: UUID?, zone: TimeZone, language: Language, csrf: String) -> [String: Any] {
        let time = PageFormat.time(slot.start, zone, language)
        return [
            "practitioner": practitioner.json, "motive": motive?.json ?? "", "start": String(Int64(slot.start.timeIntervalSince1970)),
            "time": time, "label": "\(PageFormat.day(slot.start, zone, language)) \(time)", "csrf": csrf,
        ]
    }

    /// Percent-encodes all but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? ""
    }
}
