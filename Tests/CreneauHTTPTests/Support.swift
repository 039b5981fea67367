import CreneauApp
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
    func dependencies(metrics: HTTPMetrics = HTTPMetrics(), clock: Clock = .fixed(Fixtures.now), mailer: RecordingMailer = RecordingMailer()) -> HTTPDependencies {
        dependencies(store: store, metrics: metrics, clock: clock, mailer: mailer)
    }

    /// What `creneau serve` wires (`Composition.live`), on `store` (pass a second instance's store to act as another server).
    func dependencies(store: SQLStore, metrics: HTTPMetrics = HTTPMetrics(), clock: Clock, mailer: RecordingMailer = RecordingMailer()) -> HTTPDependencies {
        Composition.live(store: store, clock: clock, mailer: mailer, publicURL: "https://rdv.avoine.example", metrics: metrics)
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
