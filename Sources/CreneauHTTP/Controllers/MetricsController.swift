import Hummingbird

/// `GET /metrics` in the Prometheus text exposition format (version 0.0.4).
struct MetricsController: Sendable {
    let metrics: HTTPMetrics

    func register(on router: Router<AppRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
    }
}
