import CreneauApp
import CreneauDomain
import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import HTTPTypes
import Testing

/// A health check that always fails, as when the database is gone.
struct UnreachableDatabase: HealthRepository {
    func ping() async throws { throw RepositoryError.unavailable("connection refused") }
}

extension TestDatabase {
    func dependencies(metrics: HTTPMetrics = HTTPMetrics(), clock: Clock = .fixed(Fixtures.now), mailer: RecordingMailer = RecordingMailer()) -> HTTPDependencies {
        dependencies(store: store, metrics: metrics, clock: clock, mailer: mailer)
    }

    /// What `creneau serve` wires (`Composition.live`), on `store` (pass a second instance's store to act as another server).
    /// `counters`: where attempts are counted (by default as `serve` does: the database on PostgreSQL, memory on SQLite).
    func dependencies(store: SQLStore, metrics: HTTPMetrics = HTTPMetrics(), clock: Clock, mailer: RecordingMailer = RecordingMailer(),
                      counters: (any LimitCounters)? = nil) -> HTTPDependencies {
        Composition.live(store: store, clock: clock, mailer: mailer, publicURL: "https://rdv.avoine.example", metrics: metrics, counters: counters)
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

extension AccountPagesTests {
    /// Signs in through the sign-in page (its form cookie and CSRF token, the password, the
    /// authenticator code at `at`): the answer, and the session cookie it set.
    static func signInThroughPage(_ client: some TestClientProtocol, email: String, secret: String, at: Date = Fixtures.now) async throws -> (response: TestResponse, session: String?) {
        let signInPage = try await client.execute(uri: "/signin", method: .get, headers: html)
        let csrf = try #require(hidden("_csrf", in: signInPage.text))
        let formCookie = try #require(cookie(signInPage, named: "creneau_form"))
        let code = String(format: "%06d", TOTP(secret: secret).compute(date: at))
        let signedIn = try await post(client, "/signin", form: ["email": email, "password": "correct horse battery staple", "code": code, "_csrf": csrf], cookie: formCookie)
        return (signedIn, signedIn.headers[values: .setCookie].first { $0.hasPrefix("creneau_session=") }.map { String($0.prefix { $0 != ";" }) })
    }
}
