import CreneauDomain
import CreneauStorage
import Foundation

/// Sustained durable bookings per second: `clients` concurrent patients book
/// distinct free slots through the booking service (rules, the slot checked
/// against the current agenda, group commit), for `seconds`, on an empty
/// database it fills with a vaccination centre. Every counted booking is
/// committed durably. Also measures the disk's single-writer fsync rate.
public struct BookingBenchmark: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public var engine: String
        public var clients: Int
        public var seconds: Double
        public var booked: Int
        public var refused: Int
        public var failed: Int
        public var p50: Double
        public var p99: Double
        public var maximum: Double
        public var fsyncsPerSecond: Double

        public var description: String {
            String(format: """
                Bookings on %@: %d clients for %.1f s
                  booked:   %d (%.0f durable bookings/s), refused %d, failed %d
                  latency:  p50 %.1f ms, p99 %.1f ms, max %.1f ms
                  disk:     %.0f fsyncs/s for one writer (4 KiB writes, same folder)
                """, engine, clients, seconds, booked, Double(booked) / seconds, refused, failed, p50 * 1_000, p99 * 1_000, maximum * 1_000, fsyncsPerSecond)
        }
    }

    let storage: Storage
    let fsyncFolder: String

    public init(storage: Storage, fsyncFolder: String) {
        self.storage = storage
        self.fsyncFolder = fsyncFolder
    }

    struct Centre {
        var practitioners: [UUID]
        var motive: Motive
        var doctor: UUID
        var timeZone: TimeZone
    }

    /// A vaccination centre open every day 07:00–21:00, ten-minute slots.
    func makeCentre(practitioners count: Int, now: Date) async throws -> Centre {
        let store = storage.store
        guard try await store.isEmpty() else { throw BookingBenchmarkError.notEmpty }
        let today = LocalDate(now, in: Site.defaultZone)
        let group = HospitalGroup(id: UUID(), name: "Bench", slug: "bench")
        let site = Site(id: UUID(), groupID: group.id, name: "Centre de vaccination", slug: "centre-vaccination", city: "Paris")
        let department = Department(id: UUID(), siteID: site.id, name: "Vaccination", specialty: "vaccination")
        let motive = Motive(id: UUID(), departmentID: department.id, name: "Vaccination", durationMinutes: 10, channels: [.online, .phone],
                            horizonDays: 90, minimumNoticeMinutes: 0)
        let practitioners = (0..<count).map { index in
            Practitioner(id: UUID(), title: "", firstName: "Infirmier", lastName: "N° \(index)", profession: "Infirmier", specialty: "vaccination")
        }
        let templates = practitioners.map { practitioner in
            ScheduleTemplate(id: UUID(), owner: .practitioner(practitioner.id), departmentID: department.id, validFrom: today.adding(days: -1),
                             ranges: (1...7).map { OpeningRange(id: UUID(), weekday: $0, startMinute: 7 * 60, endMinute: 21 * 60, motiveIDs: [motive.id], channels: .all) })
        }
        let doctor = ReferringDoctor(id: UUID(), nationalID: "810000099999", firstName: "Anne", lastName: "Martin", profession: "Médecin")
        try await store.bulk { writer in
            try await writer.groups([group])
            try await writer.sites([site])
            try await writer.departments([department])
            try await writer.practitioners(practitioners)
            try await writer.memberships(practitioners.map { Membership(practitionerID: $0.id, departmentID: department.id) })
            try await writer.motives([motive])
            try await writer.templates(templates)
            try await writer.referringDoctors([doctor])
        }
        return Centre(practitioners: practitioners.map(\.id), motive: motive, doctor: doctor.id, timeZone: TimeZone(identifier: site.timeZone)!)
    }

    public func run(clients: Int, seconds: Double, practitioners: Int) async throws -> Result {
        let now = Clock.live.now()
        let centre = try await makeCentre(practitioners: max(practitioners, clients), now: now)
        let directory = CachedDirectory(store: storage.store, clock: .live)
        try await directory.warm()
        let availability = CachedAvailability(store: storage.store, clock: .live)
        let service = BookingService.live(
            store: storage.store, directory: directory, availability: availability,
            writer: GroupCommitWriter(store: storage.store, clock: .live, cache: availability), clock: .live, holdDuration: 600,
            links: try Composition.links(store: storage.store, publicURL: "http://127.0.0.1"))
        let tomorrow = LocalDate(now, in: centre.timeZone).adding(days: 1)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        let started = ContinuousClock.now

        // Client c books, in time order, the slots of the practitioners c, c + clients, …: no two clients want the same slot.
        let outcomes = try await withThrowingTaskGroup(of: (latencies: [Double], refused: Int, failed: Int).self) { group in
            for client in 0..<clients {
                group.addTask {
                    var latencies: [Double] = [], refused = 0, failed = 0
                    let mine = stride(from: client, to: centre.practitioners.count, by: clients).map { centre.practitioners[$0] }
                    var slot = 0
                    while ContinuousClock.now < deadline {
                        let practitioner = mine[slot % mine.count]
                        let perDay = 84
                        let index = slot / mine.count
                        let day = tomorrow.adding(days: index / perDay)
                        let start = day.instant(atMinute: 7 * 60 + (index % perDay) * 10, in: centre.timeZone)
                        slot += 1
                        let request = BookingRequest(
                            practitionerID: practitioner, motiveID: centre.motive.id, start: start,
                            patient: .new(PatientDetails(firstName: "Patient", lastName: "Bench \(client)-\(slot)",
                                                         birthDate: LocalDate(year: 1980, month: 1, day: 1)!, phone: "0600000000")),
                            channel: .online, reason: "Rappel", referringDoctorID: centre.doctor)
                        let begin = ContinuousClock.now
                        do {
                            _ = try await service.book(request, by: .visitor)
                            latencies.append((ContinuousClock.now - begin).benchSeconds)
                        } catch is BookingError {
                            refused += 1
                        } catch {
                            failed += 1
                        }
                    }
                    return (latencies, refused, failed)
                }
            }
            return try await group.reduce(into: [(latencies: [Double], refused: Int, failed: Int)]()) { $0.append($1) }
        }
        let elapsed = (ContinuousClock.now - started).benchSeconds
        let latencies = outcomes.flatMap(\.latencies).sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return Result(
            engine: storage.database.engine == .sqlite ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL (synchronous_commit=on)",
            clients: clients, seconds: elapsed, booked: latencies.count, refused: outcomes.map(\.refused).reduce(0, +),
            failed: outcomes.map(\.failed).reduce(0, +), p50: percentile(0.5), p99: percentile(0.99), maximum: latencies.last ?? 0,
            fsyncsPerSecond: try Self.fsyncRate(in: fsyncFolder))
    }

    /// One writer appending 4 KiB and calling fsync, for two seconds.
    static func fsyncRate(in folder: String) throws -> Double {
        let path = folder + "/creneau-fsync-probe-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw BookingBenchmarkError.cannotProbe(folder) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let block = Data(repeating: 0x2A, count: 4_096)
        let start = ContinuousClock.now
        var count = 0
        while ContinuousClock.now - start < .seconds(2) {
            try handle.write(contentsOf: block)
            try handle.synchronize()
            count += 1
        }
        return Double(count) / (ContinuousClock.now - start).benchSeconds
    }
}

public enum BookingBenchmarkError: Error, CustomStringConvertible, Sendable {
    case notEmpty
    case cannotProbe(String)

    public var description: String {
        switch self {
        case .notEmpty: "The booking benchmark fills its own database: give it an empty one (a new --database-path, or an empty PostgreSQL database)."
        case .cannotProbe(let folder): "Cannot write in \(folder) to measure the disk."
        }
    }
}

extension Duration {
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
