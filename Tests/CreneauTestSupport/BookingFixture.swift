import CreneauDomain
import CreneauStorage
import Foundation
import Synchronization

/// A clock tests can move forward (holds expiring, cut-offs passing).
public final class MovableClock: Sendable {
    private let instant: Mutex<Date>
    public init(_ start: Date = Fixtures.now) { instant = Mutex(start) }
    public var clock: Clock { Clock { [self] in instant.withLock { $0 } } }
    public func advance(by seconds: TimeInterval) { instant.withLock { $0.addTimeInterval(seconds) } }
}

/// The organisation of `Fixtures` made bookable: Dr Lefèvre opens weekdays
/// 09:00–12:00 to every channel; her 30-minute first visit (new patients,
/// online and phone) needs the echo room; a 15-minute follow-up takes known
/// patients; a referring doctor is in the directory.
public struct BookingFixture: Sendable {
    public let org: Fixtures.Organisation
    public let followUp: Motive
    public let doctor: ReferringDoctor

    public static func make(in store: SQLStore) async throws -> BookingFixture {
        let org = try await Fixtures.organisation(in: store)
        let followUp = Motive(id: UUID(), departmentID: org.department.id, name: "Consultation de suivi", durationMinutes: 15,
                              patients: .known, channels: [.online, .phone, .practitioner], instructionsAfter: "Apportez vos résultats.")
        try await store.insert(followUp)
        let ranges = (1...5).map {
            OpeningRange(id: UUID(), weekday: $0, startMinute: 540, endMinute: 720, motiveIDs: [org.motive.id, followUp.id], channels: .all)
        }
        try await store.insert(ScheduleTemplate(id: UUID(), owner: .practitioner(org.practitioner.id), departmentID: org.department.id,
                                                validFrom: Fixtures.today.adding(days: -30), ranges: ranges))
        let doctor = ReferringDoctor(id: UUID(), nationalID: "810000000001", firstName: "Jean", lastName: "Dupont",
                                     profession: "Médecin", specialty: "Médecine générale", city: "Pontoise", postalCode: "95300")
        try await store.insert(doctor)
        return BookingFixture(org: org, followUp: followUp, doctor: doctor)
    }

    /// Monday 23 November 2026 at `hour:minute` in Paris (UTC+1).
    public static func monday(_ hour: Int, _ minute: Int = 0) -> Date {
        Fixtures.now.addingTimeInterval(TimeInterval((hour - 8) * 3_600 + minute * 60))
    }

    /// The booking service as `creneau serve` wires it, on `store`.
    public func service(store: SQLStore, clock: Clock = .fixed(Fixtures.now), writer: (any BookingWriter)? = nil) -> BookingService {
        let availability = CachedAvailability(store: store, clock: clock)
        return BookingService(.init(
            directory: CachedDirectory(store: store, clock: clock), motives: store, availability: availability,
            patients: store, referringDoctors: store, appointments: store, bookings: store,
            writer: writer ?? GroupCommitWriter(store: store, clock: clock, cache: availability), audit: store, clock: clock, ids: .random, tokens: .random))
    }

    public func newPatient(_ first: String = "Léa", email: String? = "lea@example.org") -> PatientDetails {
        PatientDetails(firstName: first, lastName: "Martin", birthDate: LocalDate(year: 1992, month: 5, day: 14)!, email: email)
    }

    /// A first visit for a new patient, online, referred by Dr Dupont.
    public func request(at start: Date, motive: Motive? = nil, patient: BookingRequest.PatientChoice? = nil, channel: Channel = .online) -> BookingRequest {
        BookingRequest(practitionerID: org.practitioner.id, motiveID: (motive ?? org.motive).id, start: start,
                       patient: patient ?? .new(newPatient()), channel: channel, reason: "Essoufflement à l'effort",
                       referringDoctorID: doctor.id)
    }
}
