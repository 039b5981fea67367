import Hummingbird
import Logging

/// One log line per request: method, path and status — never the query string, where
/// links carry one-time tokens (`/account/verify?token=…`) and searches carry names.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        context.logger.log(level: level, "Request", metadata: [
            "http.method": .string(request.method.rawValue),
            "http.path": .string(request.uri.path),
            "http.status": .stringConvertible(response.status.code),
        ])
        return response
    }
}
