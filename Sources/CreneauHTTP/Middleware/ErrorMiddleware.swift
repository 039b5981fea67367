import CreneauDomain
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Where errors become HTTP responses: mapped once (`ErrorMapping`), rendered by the surface
/// the request is for (`ErrorRenderer`). Known errors keep their
/// meaning (400, 404, 409, 422, 503); anything else is a 500 with the request
/// id and a generic message, logged in full on the server only — never
/// `"\(error)"` sent to a client.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Tried in order; the first that answers renders the error. The JSON API's is the last word.
    let renderers: [any ErrorRenderer]

    public init(pages: Result<WebPages, any Error>) {
        renderers = [FHIRErrorRenderer(), PageErrorRenderer(pages: pages), JSONErrorRenderer()]
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = ErrorMapping.map(error)
            if apiError.status == .internalServerError {
                context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            } else if apiError.status == .serviceUnavailable {
                context.logger.warning("Dependency unavailable", metadata: ["error": "\(String(reflecting: error))"])
            }
            for renderer in renderers {
                if let response = renderer.render(apiError, for: request, requestID: context.id) { return response }
            }
            return JSONErrorRenderer.response(for: apiError, requestID: context.id)
        }
    }
}

/// How one surface writes an error it was given: nil when the request is not its own.
protocol ErrorRenderer: Sendable {
    func render(_ error: APIError, for request: Request, requestID: String) -> Response?
}
