import CreneauDomain
import Foundation
import Hummingbird
import HummingbirdCore

/// Reading query parameters with a clear 400 for each way they can be wrong.
struct QueryParameters {
    let request: Request
    /// Parsed once: each `request.uri.queryParameters` parses the query again.
    let parameters: FlatDictionary<Substring, Substring>

    init(request: Request) {
        self.request = request
        self.parameters = request.uri.queryParameters
    }

    func string(_ name: String) -> String? {
        // Spaces and tabs trimmed by hand: Foundation's trimming bridges through NSString on Linux.
        guard var value = parameters.get(name) else { return nil }
        while let first = value.first, first == " " || first == "\t" { value.removeFirst() }
        while let last = value.last, last == " " || last == "\t" { value.removeLast() }
        return value.isEmpty ? nil : String(value)
    }

    func requiredID(_ name: String, what: String) throws -> UUID {
        guard let text = string(name) else {
            throw APIError.badRequest("Say which \(what): ?\(name)=<id>.", code: "missing_parameter")
        }
        return try id(text, name: name)
    }

    func id(_ text: String, name: String) throws -> UUID {
        guard let id = UUIDText.parse(text) else {
            throw APIError.badRequest("\(name) must be an id like 3f2a6c1e-9b0d-4c5e-8f7a-1b2c3d4e5f60.", code: "invalid_parameter")
        }
        return id
    }

    /// An agenda day, within five years of `now` (`InputDates`).
    func date(_ name: String, now: Date) throws -> LocalDate? {
        try InputDates.agendaDay(string(name), field: name, now: now)
    }

    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>, explanation: String) throws -> Int {
        guard let text = string(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound) (\(explanation)).", code: "invalid_parameter")
        }
        return number
    }

    /// The channel asked for. Until staff sign in (accounts issue), every
    /// caller is a member of the public, who sees online availability only.
    /// The channel asked for (online by default), if `booker` may use it: staff see their
    /// channels' slots (phone, desk, practitioner), referring doctors the referral slots.
    func channel(for booker: Booker) throws -> Channel {
        guard let text = string("channel") else { return .online }
        guard let channel = Channel(rawValue: text) else {
            throw APIError.badRequest("channel must be one of: \(Channel.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_parameter")
        }
        guard channel == .online || booker.channels.contains(channel) else {
            throw APIError(.forbidden, code: "staff_only", message: "Only signed-in staff (or referring doctors, for referral slots) may see slots for the \(channel.rawValue) channel.")
        }
        return channel
    }

    /// The `site` filter, by id or slug; 404 when no site answers to it.
    func siteID(in directory: any DirectoryRepository) async throws -> UUID? {
        guard let reference = string("site") else { return nil }
        guard let site = try await directory.site(reference: reference) else {
            throw APIError.notFound("No site has the id or name \"\(reference.prefix(60))\".")
        }
        return site.id
    }
}
