import Foundation

/// Records what the agendas offer, once a day, so that trends are history and not recomputed from
/// today's agenda: the delay to the third next available slot per motive (the access measure
/// hospitals and the ministry use: the first free slot is often a fluke, the third is what a new
/// patient really gets), and each practitioner's open minutes per department and day (the fill
/// rate's denominator). Run by `StatisticsService` after `hour` o'clock, Paris time.
public struct StatisticsRecorder: Sendable {
    let directory: any DirectoryRepository
    let agendas: any AvailabilityRepository
    let repository: any StatisticsRepository
    let clock: Clock

    /// How far the delay is looked for (a motive with fewer than three slots within it is "beyond").
    public static let maximumHorizonDays = 120
    /// The first look, enough for most motives; the others are looked at over their whole horizon.
    static let firstLookDays = 21
    /// Open minutes are (re)written from a week back (late absences) to four weeks ahead.
    public static let openDaysBack = 7
    public static let openDaysAhead = 28

    public init(directory: any DirectoryRepository, agendas: any AvailabilityRepository, repository: any StatisticsRepository, clock: Clock) {
        self.directory = directory
        self.agendas = agendas
        self.repository = repository
        self.clock = clock
    }

    /// Records today's delays and open minutes unless already done; returns the number of motives recorded (nil: done before).
    @discardableResult
    public func recordToday() async throws -> Int? {
        let now = clock.now()
        let today = LocalDate(now, in: Site.defaultZone)
        guard !(try await repository.accessRecorded(day: today)) else { return nil }
        let offers = try await self.offers(on: today)
        let records = try await delays(offers, now: now)
        try await recordOpenTime(from: today.adding(days: -Self.openDaysBack), to: today.adding(days: Self.openDaysAhead), offers: offers, stoppable: true)
        return try await repository.recordAccess(day: today, records: records, at: now) ? records.count : nil
    }

    /// One pass of the counting: the changes since the last pass, or the whole history when it was never counted.
    /// Returns the number of change events read (or appointments recounted).
    public func refresh(limit: Int) async throws -> Int {
        if let events = try await repository.refreshStatistics(limit: limit) { return events }
        return try await rebuild()
    }

    /// Recounts everything (`creneau stats rebuild`): the summaries from the appointments, then the open time of the
    /// days they span (at most `rebuildDaysBack` days back), by the agendas as they stand today. Returns the appointments counted.
    @discardableResult
    public func rebuild() async throws -> Int {
        let counted = try await repository.rebuildStatistics()
        let today = LocalDate(clock.now(), in: Site.defaultZone)
        if let span = try await repository.statisticsSpan() {
            let from = max(span.first, today.adding(days: -Self.rebuildDaysBack)), to = min(span.last, today.adding(days: Self.openDaysAhead))
            try await recordOpenTime(from: from, to: max(from, to))
        }
        return counted
    }

    /// How far back a rebuild recomputes open time (today's templates say little of a year ago).
    public static let rebuildDaysBack = 400

    /// Open minutes of every practitioner in service, on `from...to`, by the agendas as they stand.
    public func recordOpenTime(from: LocalDate, to: LocalDate) async throws {
        try await recordOpenTime(from: from, to: to, offers: try await offers(on: LocalDate(clock.now(), in: Site.defaultZone)))
    }

    struct Offers {
        var profiles: [UUID: PractitionerProfile]
        /// Per practitioner, the motives they offer today.
        var motives: [UUID: [Motive]]
    }

    func offers(on day: LocalDate) async throws -> Offers {
        let profiles = try await directory.practitionersInService()
        let motives = try await directory.bookableMotives(practitionerIDs: profiles.map(\.practitioner.id), on: day)
        return Offers(profiles: Dictionary(profiles.map { ($0.practitioner.id, $0) }, uniquingKeysWith: { first, _ in first }), motives: motives)
    }

    /// The channel a motive's access is measured on: the phone (every public slot) when it has it, else online.
    static func channel(of motive: Motive) -> Channel? {
        if motive.channels.contains(.phone) { return .phone }
        if motive.channels.contains(.online) { return .online }
        return nil
    }

    /// The third next available start, as whole days from `today` in the motive's zone, from every practitioner's slots.
    public static func daysToThird(_ starts: [Date], today: LocalDate, zone: TimeZone) -> Int? {
        let sorted = starts.sorted()
        guard sorted.count >= 3 else { return nil }
        return max(0, today.days(until: LocalDate(sorted[2], in: zone)))
    }

    func delays(_ offers: Offers, now: Date) async throws -> [AccessRecord] {
        var byMotive: [UUID: (motive: Motive, practitioners: [UUID])] = [:]
        for (practitionerID, motives) in offers.motives {
            for motive in motives where Self.channel(of: motive) != nil {
                byMotive[motive.id, default: (motive, [])].practitioners.append(practitionerID)
            }
        }
        var departments: [UUID: Department] = [:]
        for profile in offers.profiles.values { for department in profile.departments { departments[department.id] = department } }

        var starts: [UUID: [Date]] = [:]
        var zones: [UUID: TimeZone] = [:]
        func look(_ motives: [UUID], days: (Motive) -> Int) async throws {
            var pairs: [(practitionerID: UUID, motive: Motive)] = []
            for id in motives { if let entry = byMotive[id] { pairs += entry.practitioners.sorted { $0.uuidString < $1.uuidString }.map { ($0, entry.motive) } } }
            for batch in stride(from: 0, to: pairs.count, by: 200).map({ Array(pairs[$0..<min($0 + 200, pairs.count)]) }) {
                // One agenda per practitioner a load: a practitioner offering several motives is loaded once per motive.
                var pending = batch
                while !pending.isEmpty {
                    // A server stopping does not wait for the day's whole look: nothing is written before its end.
                    try Task.checkCancellation()
                    var seen: Set<UUID> = [], round: [(practitionerID: UUID, motive: Motive)] = [], later: [(practitionerID: UUID, motive: Motive)] = []
                    for pair in pending { if seen.insert(pair.practitionerID).inserted { round.append(pair) } else { later.append(pair) } }
                    let longest = round.map { days($0.motive) }.max() ?? 1
                    let from = LocalDate(now, in: Site.defaultZone).adding(days: -1).instant(atMinute: 0, in: Site.defaultZone)
                    let to = LocalDate(now, in: Site.defaultZone).adding(days: longest + 1).instant(atMinute: 0, in: Site.defaultZone)
                    let loaded = try await agendas.agendas(round, from: from, to: to)
                    for (practitionerID, motive) in round {
                        guard let agenda = loaded[practitionerID], let channel = Self.channel(of: motive) else { continue }
                        let kind: PatientKind = motive.patients == .known ? .known : .new
                        let found = AvailabilityEngine.slots(
                            AvailabilityRequest(motive: motive, channel: channel, patientKind: kind, from: LocalDate(now, in: agenda.timeZone), days: days(motive), now: now),
                            in: agenda)
                        starts[motive.id, default: []] += found.prefix(3).map(\.start)
                        zones[motive.id] = agenda.timeZone
                    }
                    pending = later
                }
            }
        }
        let horizon = { (motive: Motive) in max(1, min(Self.maximumHorizonDays, motive.horizonDays(for: Self.channel(of: motive) ?? .phone))) }
        let all = byMotive.keys.sorted { $0.uuidString < $1.uuidString }
        try await look(all) { min(Self.firstLookDays, horizon($0)) }
        // Motives with fewer than three slots in the first look, and a longer horizon: look further.
        let further = all.filter { id in (starts[id]?.count ?? 0) < 3 && (byMotive[id].map { horizon($0.motive) > Self.firstLookDays } ?? false) }
        for id in further { starts[id] = [] }
        try await look(further, days: horizon)

        return all.compactMap { id -> AccessRecord? in
            guard let entry = byMotive[id], let department = departments[entry.motive.departmentID] else { return nil }
            let zone = zones[id] ?? Site.defaultZone
            return AccessRecord(
                motiveID: id, departmentID: department.id, siteID: department.siteID, specialty: department.specialty,
                daysToThird: Self.daysToThird(starts[id] ?? [], today: LocalDate(now, in: zone), zone: zone), horizonDays: horizon(entry.motive))
        }
    }

    func recordOpenTime(from: LocalDate, to: LocalDate, offers: Offers, stoppable: Bool = false) async throws {
        guard from <= to else { return }
        let practitioners = offers.motives.filter { !$0.value.isEmpty }.keys.sorted { $0.uuidString < $1.uuidString }
        for batch in stride(from: 0, to: practitioners.count, by: 200).map({ Array(practitioners[$0..<min($0 + 200, practitioners.count)]) }) {
            // Each batch's rows stand alone (written over by the next day's recording): a stop may come between
            // two. Not in a rebuild: its counted cursor is already written, nothing would redo the rest.
            if stoppable { try Task.checkCancellation() }
            let requests = batch.compactMap { id in offers.motives[id]?.first.map { (practitionerID: id, motive: $0) } }
            let loaded = try await agendas.agendas(requests, from: from.adding(days: -1).instant(atMinute: 0, in: Site.defaultZone),
                                                   to: to.adding(days: 2).instant(atMinute: 0, in: Site.defaultZone))
            var rows: [OpenDay] = []
            for id in batch {
                guard let agenda = loaded[id], let profile = offers.profiles[id] else { continue }
                for department in profile.departments {
                    var day = from
                    while day <= to {
                        rows.append(OpenDay(practitionerID: id, departmentID: department.id, siteID: department.siteID, day: day,
                                            minutes: agenda.openMinutes(on: day, departmentID: department.id)))
                        day = day.adding(days: 1)
                    }
                }
            }
            try await repository.recordOpenTime(rows)
        }
    }
}

extension AgendaSnapshot {
    /// The minutes the practitioner is open in the department on `day`: template ranges and extra
    /// openings, less public holidays and absences (whatever is booked: this is the fill rate's whole).
    public func openMinutes(on day: LocalDate, departmentID: UUID) -> Int {
        let open = Self.merged(openingHours(on: day, departmentID: departmentID))
        let free = Self.subtract(absences(on: day), from: open)
        let seconds = free.reduce(0.0) { $0 + $1.end.timeIntervalSince($1.start) }
        return max(0, min(1_440, Int(seconds / 60)))
    }
}
