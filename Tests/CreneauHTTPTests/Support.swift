import CreneauDomain
import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting

/// A health check that always fails, as when the database is gone.
struct UnreachableDatabase: HealthRepository {
    func ping() async throws { throw RepositoryError.unavailable("connection refused") }
}

extension TestDatabase {
    func dependencies(metrics: HTTPMetrics = HTTPMetrics(), clock: Clock = .fixed(Fixtures.now)) -> HTTPDependencies {
        // The cached directory and availability, as `creneau serve` uses them.
        HTTPDependencies(health: store, organisation: store, practitioners: store, directory: CachedDirectory(store: store, clock: clock),
                         availability: CachedAvailability(store: store, clock: clock), metrics: metrics, clock: clock)
    }
}

/// The decoded JSON error body.
struct ErrorPayload: Decodable {
    struct Detail: Decodable {
        let code: String
        let message: String
        let requestId: String?
    }
    let error: Detail
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer: body))
    }
}
