import CreneauDomain
import CreneauSeed
import CreneauStorage
import Foundation
import Logging
import Synchronization

/// `creneau simulate`: one department for `days` days on the real availability engine, booking
/// service and waiting list, with a virtual clock, on a throw-away SQLite database. Patients ask
/// for visits, cancel with a lead time, do not come; those who find nothing soon enough join the
/// waiting list (or, without it, book later or go elsewhere); offers are answered by chance, the
/// sooner the visit the less often. A discrete-event loop: nothing waits on the wall clock.
public struct DepartmentSimulation: Sendable {
    public struct Result: Sendable {
        public var waitlist: Bool
        public var reminders: Bool
        /// Cancellations made more than two hours before the visit, and how many of those slots were booked again.
        public var freedAhead = 0
        public var refilled = 0
        public var visits = 0
        public var noShows = 0
        /// Slots booked when their time came, and slots the agendas opened.
        public var bookedSlots = 0
        public var openSlots = 0
        /// The delay to the third next available slot, averaged over the working mornings, in days.
        public var thirdAvailableDays = 0.0
        public var offers = 0
        public var offersAccepted = 0
        public var requests = 0
        public var joined = 0
        public var lost = 0
        public var seconds = 0.0

        public var refilledShare: Double { freedAhead == 0 ? 0 : Double(refilled) / Double(freedAhead) }
        public var noShowRate: Double { visits == 0 ? 0 : Double(noShows) / Double(visits) }
        public var fillRate: Double { openSlots == 0 ? 0 : Double(bookedSlots) / Double(openSlots) }
        public var offersPerRefill: Double { offersAccepted == 0 ? 0 : Double(offers) / Double(offersAccepted) }
    }

    let parameters: SimulationParameters
    let logger: Logger

    public init(parameters: SimulationParameters, logger: Logger) {
        self.parameters = parameters
        self.logger = logger
    }

    /// A clock the loop moves.
    final class VirtualClock: Sendable {
        let instant: Mutex<Date>
        init(_ start: Date) { instant = Mutex(start) }
        var clock: Clock { Clock { [self] in instant.withLock { $0 } } }
        func set(_ date: Date) { instant.withLock { $0 = max($0, date) } }
        var now: Date { instant.withLock { $0 } }
    }

    enum Event: Sendable {
        case request
        /// The patient cancels with their message's link (by phone when it is too late online).
        case cancel(UUID, token: String)
        case visit(UUID, PatientKind)
        case pass
        case answer(UUID, accept: Bool)
        case morning
    }

    /// Events by time, then by the order they were planned (a binary heap).
    struct Queue {
        private var heap: [(at: Date, order: Int, event: Event)] = []
        private var counter = 0
        var isEmpty: Bool { heap.isEmpty }

        mutating func add(_ event: Event, at: Date) {
            counter += 1
            heap.append((at, counter, event))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.before(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func next() -> (at: Date, event: Event)? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let first = heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
            return (first.at, first.event)
        }

        static func before(_ a: (at: Date, order: Int, event: Event), _ b: (at: Date, order: Int, event: Event)) -> Bool {
            a.at != b.at ? a.at < b.at : a.order < b.order
        }
    }

    /// Runs once with `parameters` on a database of its own in `folder`, removed afterwards.
    public func run(in folder: URL) async throws -> Result {
        let started = ContinuousClock.now
        let path = folder.appendingPathComponent("simulation-\(UUID().uuidString.prefix(8)).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let database = try Database.sqlite(path: path, logger: logger)
        do {
            var result = try await simulate(on: database)
            await database.shutdown()
            result.seconds = (ContinuousClock.now - started).simulationSeconds
            return result
        } catch {
            await database.shutdown()
            throw error
        }
    }

    func simulate(on database: Database) async throws -> Result {
        let p = parameters
        _ = try await Migrator(database: database).migrate()
        let store = SQLStore(database: database, cipher: try FieldCipher(keyRing: FieldCipher.newKeyRingLine(id: "sim")))
        var random = SeededRandom(seed: p.seed)
        // Monday 4 January 2027, 07:00 in Paris: a quarter without Christmas in it.
        let zone = Site.defaultZone
        let firstDay = LocalDate(year: 2027, month: 1, day: 4) ?? LocalDate(Date(), in: zone)
        let time = VirtualClock(firstDay.instant(atMinute: 7 * 60, in: zone))
        let clock = time.clock

        // The department.
        let group = HospitalGroup(id: random.uuid(), name: "Groupe simulé", slug: "simulation")
        let site = Site(id: random.uuid(), groupID: group.id, name: "Hôpital simulé", slug: "hopital-simule", city: "Paris")
        let department = Department(id: random.uuid(), siteID: site.id, name: "Dermatologie", specialty: "dermatologie", newPatientsNeedReferral: false)
        let motive = Motive(id: random.uuid(), departmentID: department.id, name: "Consultation", durationMinutes: p.visitMinutes, patients: .both,
                            channels: [.online, .phone], horizonDays: 90, referral: .notRequired)
        try await store.insert(group)
        try await store.insert(site)
        try await store.insert(department)
        try await store.insert(motive)
        var practitioners: [UUID] = []
        for n in 0..<max(1, p.practitioners) {
            let practitioner = Practitioner(id: random.uuid(), title: "Dr", firstName: "Praticien", lastName: "N\(n + 1)", profession: "Médecin", specialty: "dermatologie")
            try await store.insert(practitioner)
            try await store.insert(Membership(practitionerID: practitioner.id, departmentID: department.id))
            // Weekdays 09:00–12:00 and 14:00–17:00.
            let ranges = (1...5).flatMap { day in
                [OpeningRange(id: random.uuid(), weekday: day, startMinute: 540, endMinute: 720, motiveIDs: [motive.id], channels: .all),
                 OpeningRange(id: random.uuid(), weekday: day, startMinute: 840, endMinute: 1_020, motiveIDs: [motive.id], channels: .all)]
            }
            try await store.insert(ScheduleTemplate(id: random.uuid(), owner: .practitioner(practitioner.id), departmentID: department.id,
                                                    validFrom: firstDay.adding(days: -7), ranges: ranges))
            practitioners.append(practitioner.id)
        }
        let secretaryID = random.uuid()
        try await store.insert(Account(id: secretaryID, email: "secretariat@simulation.test", displayName: "Secrétariat", createdAt: time.now))
        let secretary = Booker(.staff(accountID: secretaryID, role: .secretary))

        let directory = CachedDirectory(store: store, clock: clock)
        let availability = CachedAvailability(store: store, clock: clock)
        let booking = BookingService.live(store: store, directory: directory, availability: availability,
                                          writer: DirectBookingWriter(store: store, clock: clock), clock: clock, holdDuration: 600, links: nil)
        let waitlist = try Composition.waitlist(store: store, booking: booking, availability: availability, clock: clock,
                                                publicURL: "https://rdv.simulation.test")
        // The opening hours are news on the feed: nobody waits yet.
        while try await waitlist.offerFreedTime(batch: 10_000).events > 0 {}

        var result = Result(waitlist: p.waitlist, reminders: p.reminders)
        let slotsPerDay = (180 + 180) / p.visitMinutes
        var queue = Queue()
        var openDays = 0
        for offset in 0..<p.days {
            let day = firstDay.adding(days: offset)
            guard day.isoWeekday <= 5 else { continue }
            openDays += 1
            queue.add(.morning, at: day.instant(atMinute: 7 * 60 + 30, in: zone))
            let expected = p.demand * Double(slotsPerDay * practitioners.count)
            let count = max(0, Int((expected + expected.squareRoot() * random.gaussian()).rounded()))
            for _ in 0..<count { queue.add(.request, at: day.instant(atMinute: 8 * 60, in: zone).addingTimeInterval(Double.random(in: 0..<(11 * 3_600), using: &random))) }
        }
        result.openSlots = openDays * slotsPerDay * practitioners.count
        let end = firstDay.adding(days: p.days).instant(atMinute: 0, in: zone)
        // Followed patients the department knows (a follow-up needs no referral; a new patient is created per request).
        var known: [UUID] = []
        var backlog: [(Appointment, String)] = []
        for n in 0..<3_000 {
            let patient = Patient(id: random.uuid(), firstName: "Suivi", lastName: "P\(n)", birthDate: LocalDate(year: 1940 + n % 60, month: 1 + n % 12, day: 1 + n % 28) ?? firstDay,
                                  email: "suivi\(n)@simulation.test", phone: String(format: "06%08d", n), createdAt: time.now)
            try await store.insert(patient)
            try await store.insert(KnownPatient(departmentID: department.id, patientID: patient.id, source: .importedIndex, since: time.now))
            known.append(patient.id)
        }
        // The shortage the department starts with: its next weeks already booked by followed patients.
        let today = firstDay
        for offset in 0..<p.backlogDays {
            let day = today.adding(days: offset)
            guard day.isoWeekday <= 5 else { continue }
            let agendas = try await availability.agendas(practitioners.map { ($0, motive) }, from: day.instant(atMinute: 0, in: zone), to: day.adding(days: 1).instant(atMinute: 0, in: zone))
            for id in practitioners {
                guard let agenda = agendas[id] else { continue }
                for slot in AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .phone, from: day, days: 1, now: time.now), in: agenda)
                where random.chance(p.backlogFill) {
                    let request = BookingRequest(practitionerID: id, motiveID: motive.id, start: slot.start, patient: .existing(random.pick(known)), channel: .phone)
                    if let (appointment, token) = try? await booking.book(request, by: secretary) { backlog.append((appointment, token)) }
                }
            }
        }
        var newPatients = 0
        var thirdDelays: [Double] = []
        var liveSeen: Set<UUID> = []

        func schedule(_ appointment: Appointment, kind: PatientKind, token: String) {
            let now = time.now
            let base = kind == .new ? p.noShowNew : p.noShowKnown
            if random.chance(p.cancellationRate) {
                let bucket = Self.pick(p.cancellationLead.map { ($0.hours, $0.share) }, using: &random)
                let at = appointment.startsAt.addingTimeInterval(-Double.random(in: bucket, using: &random) * 3_600)
                if at > now { queue.add(.cancel(appointment.id, token: token), at: at) }
            } else if p.reminders, random.chance(base * (1 - p.reminderNoShowFactor) * p.reminderCancelShare) {
                // The reminder's link: a visit that would have been missed is cancelled a day or two before.
                let at = appointment.startsAt.addingTimeInterval(-Double.random(in: 24...48, using: &random) * 3_600)
                if at > now { queue.add(.cancel(appointment.id, token: token), at: at) }
            }
            queue.add(.visit(appointment.id, kind), at: appointment.startsAt)
        }

        /// The first free slot of the department from now, within `days` local days.
        func firstSlot(within days: Int, notice: Double) async throws -> (practitioner: UUID, slot: Slot)? {
            let now = time.now
            let today = LocalDate(now, in: zone)
            let agendas = try await availability.agendas(practitioners.map { ($0, motive) }, from: now, to: today.adding(days: days + 1).instant(atMinute: 0, in: zone))
            var best: (UUID, Slot)?
            for id in practitioners {
                guard let agenda = agendas[id] else { continue }
                let slots = AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .phone, from: today, days: days, now: now), in: agenda)
                let earliest = now.addingTimeInterval(notice * 3_600)
                if let first = slots.first(where: { $0.start >= earliest }), best.map({ first.start < $0.1.start }) ?? true { best = (id, first) }
            }
            return best
        }

        for (appointment, token) in backlog { schedule(appointment, kind: .known, token: token) }

        while let (at, event) = queue.next() {
            guard at < end else { break }
            time.set(at)
            let now = time.now
            switch event {
            case .request:
                result.requests += 1
                let kind: PatientKind = random.chance(p.newPatientShare) ? .new : .known
                let patientID: UUID
                if kind == .new {
                    newPatients += 1
                    let patient = Patient(id: random.uuid(), firstName: "Nouveau", lastName: "N\(newPatients)", birthDate: LocalDate(year: 1950 + newPatients % 50, month: 6, day: 15) ?? firstDay,
                                          email: "nouveau\(newPatients)@simulation.test", phone: String(format: "07%08d", newPatients), createdAt: now)
                    try await store.insert(patient)
                    patientID = patient.id
                } else {
                    patientID = random.pick(known)
                }
                let patience = Self.pick(p.patience.map { ($0.days, $0.share) }, using: &random)
                let notice = Self.pick(p.requestNotice.map { ($0.hours, $0.share) }, using: &random)
                var found = try await firstSlot(within: patience, notice: notice)
                if found == nil {
                    if p.waitlist {
                        let today = LocalDate(now, in: zone)
                        let request = Waitlist.Request(patientID: patientID, motiveID: motive.id, practitionerID: nil, preferences: WaitlistPreferences(
                            firstDay: today, lastDay: today.adding(days: patience), weekdays: Set(1...5), noticeHours: Int(notice), reach: .both))
                        if (try? await waitlist.join(request, by: secretary)) != nil { result.joined += 1 } else { result.lost += 1 }
                        continue
                    }
                    found = random.chance(p.bookLaterShare) ? try await firstSlot(within: 90, notice: notice) : nil
                }
                guard let (practitioner, slot) = found else {
                    result.lost += 1
                    continue
                }
                let request = BookingRequest(practitionerID: practitioner, motiveID: motive.id, start: slot.start, patient: .existing(patientID), channel: .phone)
                guard let (appointment, token) = try? await booking.book(request, by: secretary) else {
                    result.lost += 1
                    continue
                }
                schedule(appointment, kind: kind, token: token)
            case .cancel(let id, let token):
                let appointment: Appointment
                do {
                    appointment = try await booking.perform(.cancel(reason: nil), appointmentID: id, by: .visitor, manageToken: token)
                } catch BookingError.refused(let violation) where violation.code == .cutOffPassed {
                    guard let called = try? await booking.perform(.cancel(reason: "Le patient a appelé"), appointmentID: id, by: secretary, manageToken: nil) else { continue }
                    appointment = called
                } catch {
                    continue
                }
                if appointment.startsAt.timeIntervalSince(now) > 2 * 3_600 { result.freedAhead += 1 }
                queue.add(.pass, at: now.addingTimeInterval(1))
            case .pass:
                _ = try await waitlist.offerFreedTime()
                // The offers just made: each patient answers (or not) in their own time.
                for offer in try await store.liveOffers(limit: 1_000) where !liveSeen.contains(offer.id) {
                    liveSeen.insert(offer.id)
                    result.offers += 1
                    let hours = offer.startsAt.timeIntervalSince(now) / 3_600
                    let window = offer.expiresAt.timeIntervalSince(now)
                    let delay = min(Double.random(in: p.answerMinutes, using: &random) * 60, max(1, window - 1))
                    if random.chance(p.acceptance(hours: hours)) {
                        queue.add(.answer(offer.id, accept: true), at: now.addingTimeInterval(delay))
                    } else if random.chance(p.declineShare) {
                        queue.add(.answer(offer.id, accept: false), at: now.addingTimeInterval(delay))
                    } else {
                        queue.add(.pass, at: offer.expiresAt.addingTimeInterval(1))
                    }
                }
            case .answer(let id, let accept):
                let token = waitlist.offerToken(id)
                if accept {
                    if let (appointment, manageToken) = try? await waitlist.accept(offerID: id, token: token) {
                        result.offersAccepted += 1
                        let kind: PatientKind = try await store.isKnown(patientID: appointment.patientID, departmentID: department.id) ? .known : .new
                        schedule(appointment, kind: kind, token: manageToken)
                    }
                } else {
                    try? await waitlist.decline(offerID: id, token: token)
                }
                queue.add(.pass, at: now.addingTimeInterval(1))
            case .visit(let id, let kind):
                guard let appointment = try await store.appointment(id: id), appointment.status == .booked, appointment.startsAt == now else { continue }
                result.visits += 1
                let base = kind == .new ? p.noShowNew : p.noShowKnown
                if random.chance(p.reminders ? base * p.reminderNoShowFactor : base) { result.noShows += 1 }
            case .morning:
                // The delay to the third next available slot of the department, from this morning.
                let today = LocalDate(now, in: zone)
                let agendas = try await availability.agendas(practitioners.map { ($0, motive) }, from: now, to: today.adding(days: 91).instant(atMinute: 0, in: zone))
                var starts: [Date] = []
                for id in practitioners {
                    guard let agenda = agendas[id] else { continue }
                    starts += AvailabilityEngine.slots(AvailabilityRequest(motive: motive, channel: .phone, from: today, days: 90, now: now), in: agenda).prefix(3).map(\.start)
                }
                starts.sort()
                thirdDelays.append(starts.count >= 3 ? starts[2].timeIntervalSince(now) / 86_400 : 90)
            }
        }
        time.set(end)
        result.thirdAvailableDays = thirdDelays.isEmpty ? 0 : thirdDelays.reduce(0, +) / Double(thirdDelays.count)
        // What the agendas hold at the end: booked slots in the period, and freed slots booked again.
        let start = firstDay.instant(atMinute: 0, in: zone)
        var booked: [UUID: Set<Date>] = [:]
        for id in practitioners {
            let appointments = try await store.appointments(practitionerID: id, from: start, to: end)
            booked[id] = Set(appointments.filter { $0.status != .cancelled }.map(\.startsAt))
            result.bookedSlots += booked[id]?.count ?? 0
        }
        result.refilled = try await Self.refilled(store, booked: booked)
        return result
    }

    /// Cancellations made more than two hours ahead whose slot holds a booking now.
    static func refilled(_ store: SQLStore, booked: [UUID: Set<Date>]) async throws -> Int {
        try await store.database.withConnection { db in
            let rows = try await db.raw("""
                SELECT owner_id, from_at, at FROM change_events WHERE kind = 'capacity_freed' AND appointment_id IS NOT NULL AND from_at - at > 7200
                """).all()
            return try rows.filter { row in
                let owner = try row.decode(column: "owner_id", as: String.self)
                let from = Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "from_at", as: Int64.self)))
                return UUID(uuidString: owner).flatMap { booked[$0] }?.contains(from) ?? false
            }.count
        }
    }

    /// A value drawn by its share.
    static func pick<T>(_ choices: [(T, Double)], using random: inout SeededRandom) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var draw = Double.random(in: 0..<max(total, .leastNonzeroMagnitude), using: &random)
        for (value, share) in choices {
            if draw < share { return value }
            draw -= share
        }
        return choices[choices.count - 1].0
    }
}

extension SeededRandom {
    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

extension Duration {
    var simulationSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
