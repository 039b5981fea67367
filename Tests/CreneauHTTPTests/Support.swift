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

    /// What `creneau serve` wires, on `store` (pass a second instance's store to act as another server).
    func dependencies(store: SQLStore, metrics: HTTPMetrics = HTTPMetrics(), clock: Clock, mailer: RecordingMailer = RecordingMailer()) -> HTTPDependencies {
        // The cached directory and availability, and the group-commit writer, as `creneau serve` uses them.
        let directory = CachedDirectory(store: store, clock: clock)
        let availability = CachedAvailability(store: store, clock: clock)
        let booking = BookingService(.init(
            directory: directory, motives: store, availability: availability, patients: store, referringDoctors: store,
            appointments: store, bookings: store, writer: GroupCommitWriter(store: store, clock: clock, cache: availability), audit: store, clock: clock,
            ids: .random, tokens: .random))
        let emails = AccountEmails(publicURL: "https://rdv.avoine.example")
        return HTTPDependencies(
            health: store, organisation: store, practitioners: store, directory: directory,
            availability: availability, booking: booking, bookings: store,
            authenticator: Authenticator(accounts: store, sessions: store, challenges: store, mailer: mailer, emails: emails, clock: clock),
            patientAccounts: PatientAccounts(accounts: store, tokens: store, sessions: store, mailer: mailer, emails: emails, clock: clock),
            relatives: Relatives(patients: store, appointments: store, clock: clock, ids: .random),
            audit: store, patients: store, appointments: store, motives: store, metrics: metrics, clock: clock)
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
