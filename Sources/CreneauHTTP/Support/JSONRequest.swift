import CreneauDomain
import Foundation
import Hummingbird

/// Reading a JSON request, for every API controller: the body (bounded), decoded with a
/// message that names the field, and ids from the path or the body.
enum JSONRequest {
    static let maximumBody = 64 * 1024

    /// The body decoded as `T`; `allowEmpty`: an empty body reads as `{}`.
    static func read<T: Decodable>(_ request: Request, allowEmpty: Bool = false) async throws -> T {
        try decode(try await body(request), allowEmpty: allowEmpty)
    }


    static func body(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: maximumBody)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large (at most 64 KiB).")
        }
    }

    static func decode<T: Decodable>(_ buffer: ByteBuffer, allowEmpty: Bool = false) throws -> T {
        if buffer.readableBytes == 0 {
            if allowEmpty, let empty = try? JSONDecoder().decode(T.self, from: Data("{}".utf8)) { return empty }
            throw APIError.badRequest("The request needs a JSON body.", code: "malformed_body")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch {
            throw APIError.badRequest("The request body is not valid JSON of the expected shape: \(describe(error))", code: "malformed_body")
        }
    }

    /// A decoding error in words that name the field, without echoing values.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "it could not be read." }
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the body" : "\"" + names.joined(separator: ".") + "\""
        }
        switch error {
        case .typeMismatch(_, let context): return "\(path(context)) has the wrong type."
        case .valueNotFound(_, let context): return "\(path(context)) is missing."
        case .keyNotFound(let key, _): return "\"\(key.stringValue)\" is missing."
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "it is not JSON." : "\(path(context)) is not valid."
        @unknown default: return "it could not be read."
        }
    }

    static func pathID(_ context: AppRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw APIError.notFound("No record has this id.")
        }
        return id
    }

    static func requiredID(_ text: String?, field: String) throws -> UUID {
        guard let text, !text.isEmpty else { throw APIError.badRequest("\"\(field)\" is missing.", code: "missing_field") }
        guard let id = UUID(uuidString: text) else { throw APIError.badRequest("\"\(field)\" is not a valid id.", code: "invalid_field") }
        return id
    }
}
