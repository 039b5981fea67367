import CreneauDomain
import Foundation
import Hummingbird
import Mustache

/// Server-rendered pages: Mustache templates (HTML-escaped by default) and the
/// translation tables, one per language, shipped as resources. No string a person
/// reads is written in Swift.
public struct WebPages: Sendable {
    let library: MustacheLibrary
    let tables: [Language: [String: String]]

    /// The templates and translations shipped with the server, loaded by the composition root.
    /// A template that does not parse fails every page (and the tests), not the server.
    public static func loaded() -> Result<WebPages, any Error> { Result { try load() } }

    struct MissingResource: Error { let name: String }

    static func load() throws -> WebPages {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
              let translations = Bundle.module.url(forResource: "Translations", withExtension: nil) else { throw MissingResource(name: "Templates") }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil) where file.pathExtension == "mustache" {
            try library.register(String(contentsOf: file, encoding: .utf8), named: file.deletingPathExtension().lastPathComponent)
        }
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let data = try Data(contentsOf: translations.appendingPathComponent("\(language.rawValue).json"))
            tables[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return WebPages(library: library, tables: tables)
    }

    func text(_ key: String, _ language: Language) -> String { tables[language]?[key] ?? key }

    /// A page in `language`; `values` fill the template beside `t` (the translations),
    /// `lang` and the language switch.
    func html(_ template: String, _ page: PageContext, title: String, values: [String: Any]) throws -> String {
        var all = values
        all["t"] = tables[page.language] ?? [:]
        all["lang"] = page.language.rawValue
        all["title"] = title
        all["switchHref"] = page.switchHref
        all["signedIn"] = page.signedIn
        all["accountHref"] = page.accountHref
        guard let html = library.render(all, withTemplate: template) else { throw MissingResource(name: template) }
        return html
    }

    /// Stands for the reader's form token in a page rendered once for every reader
    /// (`render(cachedIn:…)`); random per process, so no reader can type it.
    static let formTokenMarker = "csrf" + TokenGenerator.random.next().filter { $0.isLetter || $0.isNumber }

    /// Renders `template` once per `stamp` (what the page was computed from) and reader's view
    /// (language, the language switch, signed in or not), then serves that copy, with the
    /// reader's own form token put in place of `formTokenMarker` when `csrf` is given. `values`
    /// runs only when the page is rendered; with no stamp (the repositories cannot tell what
    /// the page depends on) the page is rendered every time.
    func render(cachedIn cache: RenderedPages, key: String, stamp: String?, now: Date, csrf: String?, _ template: String, _ page: PageContext,
                title: String, values: @escaping @Sendable () async throws -> [String: Any]) async throws -> Response {
        let fullKey = "\(key)|\(template)|\(page.language.rawValue)|\(page.switchHref)|\(page.signedIn)|\(page.accountHref)|\(title)"
        // Kept cut at the token's places, so that a reader's copy is only joined, not searched.
        let reader = page
        let rendered: @Sendable () async throws -> [ByteBuffer] = {
            try html(template, reader, title: title, values: try await values())
                .components(separatedBy: Self.formTokenMarker).map { ByteBuffer(string: $0) }
        }
        let parts = if let stamp { try await cache.answer(fullKey, stamp: stamp, now: now, compute: rendered) } else { try await rendered() }
        var body = ByteBuffer()
        body.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes } + (parts.count - 1) * (csrf?.utf8.count ?? 0))
        for (index, part) in parts.enumerated() {
            if index > 0 { body.writeString(csrf ?? Self.formTokenMarker) }
            body.writeImmutableBuffer(part)
        }
        var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: body))
        for cookie in page.cookies { response.headers[values: .setCookie].append(cookie) }
        return response
    }

    func render(_ template: String, _ page: PageContext, title: String, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) throws -> Response {
        let html = try html(template, page, title: title, values: values)
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        for cookie in page.cookies { response.headers[values: .setCookie].append(cookie) }
        return response
    }
}

/// What every page needs to know of its request: the reader's language, the address
/// of the same page in the other language, and cookies to set.
struct PageContext {
    var language: Language
    var switchHref: String
    var cookies: [String] = []
    /// Whether the header offers "My account" (signed in) or "Sign in".
    var signedIn = false
    /// Staff land on their agenda, patients on their account.
    var accountHref = "/account"

    init(_ request: Request, _ context: AppRequestContext) {
        self.init(request)
        signedIn = context.identity != nil
        if context.identity?.isStaff == true {
            accountHref = "/staff"
        } else if context.identity?.roles.contains(.departmentHead) == true {
            accountHref = StatisticsPagesController.base
        } else if context.identity?.roles.contains(.referringDoctor) == true {
            accountHref = "/referrals"
        }
    }

    static let languageCookie = "creneau_lang"

    /// `?lang=` (remembered in a cookie), else the cookie, else `Accept-Language`, else French.
    init(_ request: Request) {
        var cookies: [String] = []
        let query = request.uri.queryParameters
        if let asked = query.get("lang").flatMap(Language.init(rawValue:)) {
            language = asked
            cookies.append("\(Self.languageCookie)=\(asked.rawValue); Path=/; Max-Age=31536000; SameSite=Lax")
        } else if let remembered = BrowserSession.cookie(Self.languageCookie, in: request).flatMap(Language.init(rawValue:)) {
            language = remembered
        } else {
            language = Self.accepted(request.headers[.acceptLanguage] ?? "")
        }
        let other: Language = language == .fr ? .en : .fr
        var items = request.uri.queryParameters.filter { $0.key != "lang" }.map { (String($0.key), String($0.value)) }
        items.append(("lang", other.rawValue))
        var components = URLComponents()
        components.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
        switchHref = request.uri.path + "?" + (components.percentEncodedQuery ?? "lang=\(other.rawValue)")
        self.cookies = cookies
    }

    /// The first of French or English in the reader's preference order (q-values honoured).
    static func accepted(_ header: String) -> Language {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (Language, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = pieces.first else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let language: Language? = tag.hasPrefix("fr") ? .fr : tag.hasPrefix("en") ? .en : nil
            return language.map { ($0, quality, index) }
        }
        return ranked.filter { $0.1 > 0 }.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.first?.0 ?? .fr
    }
}

/// Reads an `application/x-www-form-urlencoded` body ("+" is a space).
enum FormBody {
    /// Forms are small, except the practitioners file an administrator pastes (a few thousand lines).
    static func limit(for path: String) -> Int { path == "/admin/import" ? 4 * 1_024 * 1_024 : 64 * 1_024 }

    static func parse(_ request: Request) async throws -> [String: String] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit(for: request.uri.path))
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "The form is too large.")
        }
        return fields(String(buffer: buffer))
    }

    static func fields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let name = parts.first, !name.isEmpty { fields[name] = parts.count == 2 ? parts[1] : "" }
        }
        return fields
    }
}

extension PageContext {
    /// The `_csrf` value for this page's forms: the session's token when signed in with a
    /// cookie, else the visitor's double-submit token (made and set in a cookie the first time).
    mutating func csrf(_ request: Request, _ context: AppRequestContext, _ browser: BrowserSession) -> String {
        if context.sessionKind == .browser, let session = context.sessionToken { return BrowserSession.csrfToken(forSession: session) }
        if let existing = browser.formToken(in: request) { return existing }
        let token = TokenGenerator.random.next()
        cookies.append(browser.setFormCookie(token))
        return token
    }
}

/// Dates and times as a reader of the page says them, in the site's time zone.
/// Pages rendered once per stamp, cut at their form tokens (`WebPages.render(cachedIn:…)`).
typealias RenderedPages = AnswerCache<[ByteBuffer]>

extension AnswerCache where Answer == [ByteBuffer] {
    convenience init(budget: Int = 32 << 20) {
        self.init(budget: budget, size: { $0.reduce(0) { $0 + $1.readableBytes } })
    }
}

enum PageFormat {
    /// Foundation's formatter for `pattern` (a skeleton): what the hand-written forms below are
    /// tested against (`PageFormatTests`). Building one costs milliseconds on Linux (ICU data),
    /// and a page of slots needs hundreds of dates: pages use the forms below.
    static func formatter(_ pattern: String, _ zone: TimeZone, _ language: Language) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .fr ? "fr_FR" : "en_GB")
        formatter.timeZone = zone
        formatter.setLocalizedDateFormatFromTemplate(pattern)
        return formatter
    }

    static let weekdays: [Language: [String]] = [
        .fr: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
        .en: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    ]
    static let shortWeekdays: [Language: [String]] = [
        .fr: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
        .en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    ]
    static let months: [Language: [String]] = [
        .fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
        .en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    ]
    static let shortMonths: [Language: [String]] = [
        .fr: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
        .en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    ]

    /// The local calendar day and minute of `date` in `zone`.
    static func local(_ date: Date, _ zone: TimeZone) -> (day: LocalDate, minute: Int) {
        let raw = date.timeIntervalSince1970
        // Clamped like LocalDate's: an instant no input can carry still prints instead of trapping.
        let seconds = Int((raw.isFinite ? min(max(raw, -1e13), 1e13) : 0).rounded(.down)) + zone.secondsFromGMT(for: date)
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        return (LocalDate(daysSinceEpoch: (seconds - secondOfDay) / 86_400), secondOfDay / 60)
    }

    /// "lundi 23 novembre" / "Monday 23 November".
    static func day(_ date: Date, _ zone: TimeZone, _ language: Language) -> String {
        let day = local(date, zone).day
        let names = weekdays[language] ?? [], monthNames = months[language] ?? []
        return "\(names[day.isoWeekday - 1]) \(day.day) \(monthNames[day.month - 1])"
    }

    /// "lun. 23 nov." / "Mon 23 Nov".
    static func shortDay(_ date: Date, _ zone: TimeZone, _ language: Language) -> String {
        let day = local(date, zone).day
        let names = shortWeekdays[language] ?? [], monthNames = shortMonths[language] ?? []
        return "\(names[day.isoWeekday - 1]) \(day.day) \(monthNames[day.month - 1])"
    }

    /// A week of slots as the pages show it: one entry per local day that has any ("day"), each
    /// slot turned into its button's values by `button`.
    static func days(_ slots: [Slot], _ zone: TimeZone, _ language: Language, button: (Slot) -> [String: Any]) -> [[String: Any]] {
        var byDay: [LocalDate: [Slot]] = [:]
        for slot in slots { byDay[LocalDate(slot.start, in: zone), default: []].append(slot) }
        return byDay.keys.sorted().compactMap { key in
            guard let slots = byDay[key], let first = slots.first else { return nil }
            return ["day": day(first.start, zone, language), "slots": slots.map(button)]
        }
    }

    /// "09:05".
    static func time(_ date: Date, _ zone: TimeZone, _ language: Language) -> String {
        let minute = local(date, zone).minute
        let hours = minute / 60, minutes = minute % 60
        return (hours < 10 ? "0" : "") + String(hours) + (minutes < 10 ? ":0" : ":") + String(minutes)
    }
}
