import HTTPTypes
import Hummingbird

/// Who may read `/metrics`: anyone who reaches the port (a loopback or private
/// deployment whose scraper is local), only a scraper sending the bearer token, or
/// nobody (the route answers 404, as if it did not exist).
public enum MetricsAccess: Sendable, Equatable {
    case open
    case token(String)
    case off
}

/// `GET /metrics` in the Prometheus text exposition format (version 0.0.4).
struct MetricsController: Sendable {
    let metrics: HTTPMetrics
    let access: MetricsAccess

    func register(on router: Router<AppRequestContext>) {
        guard access != .off else { return }
        router.get("/metrics") { request, _ in
            if case .token(let expected) = access {
                // The authentication middleware already refused a bearer that is no session: the
                // scraper sends its token in its own header so the two never mix.
                guard let given = request.headers[Self.tokenHeader], BrowserSession.constantTimeEquals(given, expected) else {
                    throw APIError(.unauthorized, code: "metrics_token", message: "The metrics need the scraper's token (Creneau-Metrics-Token).")
                }
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
    }

    static let tokenHeader = HTTPField.Name("Creneau-Metrics-Token")!
}
