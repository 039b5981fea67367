import CreneauDomain
import Foundation
import Hummingbird

/// A FHIR search's parameters: references (`Schedule/{id}` or the bare id), date ranges with
/// their prefixes (`ge`, `gt`, `le`, `lt`, `eq`), tokens (`system|code` or `code`), `_count`
/// and the page offset. Every way one can be wrong is a 400 naming the parameter; a parameter
/// the server does not support is refused (FHIR's strict handling), not silently ignored.
struct FHIRQuery {
    let request: Request
    /// The parameters this search understands, besides the common ones.
    let supported: Set<String>

    static let common: Set<String> = ["_count", "_offset", "_format", "_id"]
    static let maximumCount = 500
    /// How deep a client may page: beyond it, narrow the search.
    static let maximumOffset = 10_000

    init(request: Request, supported: Set<String>) throws {
        self.request = request
        self.supported = supported
        for (name, _) in request.uri.queryParameters {
            let key = String(name)
            guard Self.common.contains(key) || supported.contains(key) else {
                throw APIError.badRequest(
                    "The search parameter \"\(key.prefix(40))\" is not supported here. Supported: \(supported.union(["_count", "_id"]).sorted().joined(separator: ", ")).",
                    code: "unsupported_parameter")
            }
        }
        if let format = string("_format"), !["json", "application/json", "application/fhir+json"].contains(format) {
            throw APIError(.notAcceptable, code: "unsupported_format", message: "This server writes FHIR JSON only (_format=json).")
        }
    }

    func string(_ name: String) -> String? {
        guard let value = request.uri.queryParameters.get(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func all(_ name: String) -> [String] {
        request.uri.queryParameters.getAll(name).map { String($0) }.filter { !$0.isEmpty }
    }

    var count: Int {
        get throws {
            guard let text = string("_count") else { return 50 }
            guard let value = Int(text), (0...Self.maximumCount).contains(value) else {
                throw APIError.badRequest("_count must be a whole number from 0 to \(Self.maximumCount).", code: "invalid_parameter")
            }
            return value
        }
    }

    var offset: Int {
        get throws {
            guard let text = string("_offset") else { return 0 }
            guard let value = Int(text), (0...Self.maximumOffset).contains(value) else {
                throw APIError.badRequest("_offset must be a whole number from 0 to \(Self.maximumOffset): narrow the search to go further.", code: "invalid_parameter")
            }
            return value
        }
    }

    /// An id from `Type/{id}`, a full URL ending so, or the bare id; nil when absent.
    func reference(_ name: String, type: String) throws -> UUID? {
        guard let text = string(name) else { return nil }
        return try Self.id(in: text, type: type, field: name)
    }

    static func id(in text: String, type: String, field: String) throws -> UUID {
        var last = Substring(text)
        if let slash = text.lastIndex(of: "/") {
            let before = text[..<slash]
            guard before == type || before.hasSuffix("/" + type) else {
                throw APIError.badRequest("\(field) must name a \(type): \(type)/{id}.", code: "invalid_parameter")
            }
            last = text[text.index(after: slash)...]
        }
        guard let id = UUID(uuidString: String(last)) else {
            throw APIError.badRequest("\(field) must name a \(type) by its id: \(type)/3f2a6c1e-9b0d-4c5e-8f7a-1b2c3d4e5f60.", code: "invalid_parameter")
        }
        return id
    }

    /// A token's code (`system|code` or `code`), when its system (if given) is `system`.
    func token(_ name: String, systems: Set<String>) throws -> String? {
        guard let text = string(name) else { return nil }
        guard let bar = text.firstIndex(of: "|") else { return text }
        let system = String(text[..<bar]), code = String(text[text.index(after: bar)...])
        guard system.isEmpty || systems.contains(system), !code.isEmpty else {
            throw APIError.badRequest("\(name) must be a code, or system|code with one of: \(systems.sorted().joined(separator: ", ")).", code: "invalid_parameter")
        }
        return code
    }

    /// `start=ge2026-11-24&start=lt2026-12-01`: the instants asked, within five years of now.
    /// A date without a time is its whole day in `zone`.
    func range(_ name: String, now: Date, zone: TimeZone) throws -> (lower: Date?, upper: Date?) {
        var lower: Date?, upper: Date?
        for value in all(name) {
            var text = Substring(value), prefix = "eq"
            if let first = text.first, first.isLetter {
                prefix = String(text.prefix(2))
                text = text.dropFirst(2)
            }
            guard text.utf8.count <= 40, let (from, to) = Self.instants(String(text), zone: zone) else {
                throw APIError.badRequest("\(name) must be a date (2026-11-24) or a time with its offset (2026-11-24T09:00:00+01:00), with ge, gt, le, lt or eq before it.",
                                          code: "invalid_parameter")
            }
            _ = try InputDates.bounded(from, field: name, now: now)
            switch prefix {
            case "ge", "sa": lower = max(lower ?? from, from)
            case "gt": lower = max(lower ?? to, to)
            case "le": upper = min(upper ?? to, to)
            case "lt", "eb": upper = min(upper ?? from, from)
            case "eq": lower = max(lower ?? from, from); upper = min(upper ?? to, to)
            default:
                throw APIError.badRequest("\(name) takes the prefixes ge, gt, le, lt or eq.", code: "invalid_parameter")
            }
        }
        return (lower, upper)
    }

    /// A date's whole day, or a time's instant (as a zero-length range's both ends).
    static func instants(_ text: String, zone: TimeZone) -> (Date, Date)? {
        if text.count == 10, let day = LocalDate(text) {
            return (day.instant(atMinute: 0, in: zone), day.adding(days: 1).instant(atMinute: 0, in: zone))
        }
        guard let instant = RFC3339.parse(text) else { return nil }
        return (instant, instant)
    }
}
