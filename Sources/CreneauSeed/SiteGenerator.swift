import CreneauDomain
import CreneauStorage
import Foundation

/// Everything one site holds, written in one transaction.
struct SiteData: Sendable {
    var site: Site
    var departments: [Department] = []
    var practitioners: [Practitioner] = []
    var memberships: [Membership] = []
    var resources: [Resource] = []
    var motives: [Motive] = []
    var templates: [ScheduleTemplate] = []
    var appointments: [Appointment] = []
    var knownPatients: [KnownPatient] = []

    func write(to store: SQLStore) async throws {
        let data = self
        try await store.bulk { writer in
            try await writer.sites([data.site])
            try await writer.departments(data.departments)
            try await writer.practitioners(data.practitioners)
            try await writer.memberships(data.memberships)
            try await writer.resources(data.resources)
            try await writer.motives(data.motives)
            try await writer.templates(data.templates)
            try await writer.knownPatients(data.knownPatients)
        }
        // Appointments in chunks: one huge transaction would hold the write lock for minutes.
        for start in stride(from: 0, to: appointments.count, by: 20_000) {
            let chunk = Array(appointments[start..<min(start + 20_000, appointments.count)])
            try await store.bulk { writer in try await writer.appointments(chunk) }
        }
    }

    func count(into report: inout Seeder.Report) {
        report.add("sites", 1)
        report.add("departments", departments.count)
        report.add("practitioners", practitioners.count)
        report.add("resources", resources.count)
        report.add("motives", motives.count)
        report.add("templates", templates.count)
        report.add("appointments", appointments.count)
    }
}

struct SiteGenerator {
    let plan: ProfilePlan
    let sitePlan: ProfilePlan.SitePlan
    let groupID: UUID
    let options: SeedOptions
    let patients: [Patient]
    let doctors: [ReferringDoctor]
    let heldBackForFirstGP: Bool

    static let morning = 510..<750      // 08:30–12:30
    static let afternoon = 840..<1110   // 14:00–18:30

    mutating func generate(random: inout SeededRandom) -> SiteData {
        var data = SiteData(site: Site(
            id: random.uuid(), groupID: groupID, name: sitePlan.name, slug: sitePlan.slug, city: sitePlan.city,
            address: sitePlan.address, phone: sitePlan.phone))
        for (code, count) in sitePlan.departments {
            generateDepartment(Catalogue.specialty(code), practitioners: count, into: &data, random: &random)
        }
        generateAppointments(into: &data, random: &random)
        return data
    }

    private func generateDepartment(_ specialty: SpecialtyPlan, practitioners count: Int, into data: inout SiteData, random: inout SeededRandom) {
        let department = Department(
            id: random.uuid(), siteID: data.site.id, name: specialty.department, specialty: specialty.code,
            maxFutureAppointmentsPerPatient: 3, sameSpecialtyGapDays: specialty.code == "medecine-generale" ? 0 : 7,
            newPatientsNeedReferral: !Catalogue.openToNewPatients.contains(specialty.code))
        data.departments.append(department)
        var resourceIDs: [UUID] = []
        if specialty.motives.contains(where: \.needsResource) {
            let isMachine = specialty.code == "radiologie"
            let resource = Resource(
                id: random.uuid(), siteID: data.site.id, departmentID: department.id, kind: isMachine ? .equipment : .room,
                name: isMachine ? "IRM – \(specialty.department)" : "Salle d'échographie – \(specialty.department)")
            data.resources.append(resource)
            resourceIDs = [resource.id]
        }
        data.resources.append(Resource(id: random.uuid(), siteID: data.site.id, departmentID: department.id, kind: .room,
                                       name: "Bureau de consultation – \(specialty.department)"))
        let motives = specialty.motives.map { plan in
            Motive(
                id: random.uuid(), departmentID: department.id, name: plan.name, durationMinutes: plan.duration,
                capacity: plan.capacity, patients: plan.patients, channels: plan.channels,
                instructionsBefore: plan.instructions, instructionsAfter: plan.instructions, horizonDays: plan.horizonDays,
                minimumNoticeMinutes: plan.duration >= 30 ? 120 : 60,
                requiredResourceIDs: plan.needsResource ? resourceIDs : [])
        }
        data.motives += motives

        for index in 0..<count {
            var practitioner = Practitioner(
                id: random.uuid(), title: specialty.profession == "Médecin" ? "Dr" : "",
                firstName: random.pick(Names.first), lastName: random.pick(Names.last),
                profession: specialty.profession, specialty: specialty.code,
                rpps: String(format: "1%010d", Int.random(in: 0..<1_000_000_000, using: &random)),
                languages: random.chance(0.3) ? ["fr", "en"] : ["fr"])
            let heldBack = heldBackForFirstGP && specialty.code == "medecine-generale" && index == 0
            if heldBack {
                // Dr Morel of scenarios 5 and 9.
                practitioner.firstName = "Paul"
                practitioner.lastName = "Morel"
            }
            data.practitioners.append(practitioner)
            data.memberships.append(Membership(practitionerID: practitioner.id, departmentID: department.id))
            data.templates.append(makeTemplate(for: practitioner, department: department, motives: motives, heldBack: heldBack, random: &random))
        }
    }

    private func makeTemplate(for practitioner: Practitioner, department: Department, motives: [Motive], heldBack: Bool, random: inout SeededRandom) -> ScheduleTemplate {
        let motiveIDs = motives.map(\.id)
        var ranges: [OpeningRange] = []
        for weekday in 1...5 {
            for half in [Self.morning, Self.afternoon] where heldBack || random.chance(plan.halfDayPresence) {
                if heldBack && half == Self.morning {
                    // Two urgent slots each morning for the secretaries, released online the day before at 18:00.
                    ranges.append(OpeningRange(
                        id: random.uuid(), weekday: weekday, startMinute: half.lowerBound, endMinute: half.lowerBound + 30,
                        motiveIDs: [motives[0].id], channels: ChannelSet.staff,
                        release: .init(channels: .online, daysBefore: 1, atMinute: 18 * 60)))
                    ranges.append(OpeningRange(
                        id: random.uuid(), weekday: weekday, startMinute: half.lowerBound + 30, endMinute: half.upperBound,
                        motiveIDs: motiveIDs, channels: .all))
                } else {
                    ranges.append(OpeningRange(
                        id: random.uuid(), weekday: weekday, startMinute: half.lowerBound, endMinute: half.upperBound,
                        motiveIDs: motiveIDs, channels: .all))
                }
            }
        }
        return ScheduleTemplate(
            id: random.uuid(), owner: .practitioner(practitioner.id), departmentID: department.id,
            validFrom: options.today.adding(days: -365), validUntil: nil, ranges: ranges)
    }

    private func generateAppointments(into data: inout SiteData, random: inout SeededRandom) {
        let timeZone = TimeZone(identifier: data.site.timeZone)!
        let motivesByID = Dictionary(uniqueKeysWithValues: data.motives.map { ($0.id, $0) })
        let closed = ClosedDays(calendar: data.site.holidayCalendar)
        var known = Set<String>()
        // Busy intervals of rooms and equipment, so two practitioners never share the ultrasound room.
        var resourceBusy: [UUID: [(Date, Date)]] = [:]

        for offset in -plan.daysBefore..<plan.daysAfter {
            let day = options.today.adding(days: offset)
            guard !closed.contains(day) else { continue }
            let weekday = day.isoWeekday
            let isPast = day < options.today
            for template in data.templates {
                guard case .practitioner(let practitionerID) = template.owner else { continue }
                for range in template.ranges where range.weekday == weekday {
                    // Openings never span the 02:00–03:00 DST change, so minutes add linearly from the range's start.
                    let rangeStart = day.instant(atMinute: range.startMinute, in: timeZone)
                    var minute = range.startMinute
                    while true {
                        let motive = motivesByID[random.pick(range.motiveIDs)]!
                        guard minute + motive.durationMinutes <= range.endMinute else { break }
                        defer { minute += motive.durationMinutes }
                        guard random.chance(plan.fillRate) else { continue }
                        let start = rangeStart.addingTimeInterval(TimeInterval((minute - range.startMinute) * 60))
                        let end = start.addingTimeInterval(TimeInterval(motive.durationMinutes * 60))
                        if motive.requiredResourceIDs.contains(where: { id in
                            resourceBusy[id, default: []].contains { $0.0 < end && start < $0.1 }
                        }) { continue }
                        for id in motive.requiredResourceIDs { resourceBusy[id, default: []].append((start, end)) }
                        let seats = motive.capacity > 1 ? Int.random(in: 1...motive.capacity, using: &random) : 1
                        for _ in 0..<seats {
                            let appointment = makeAppointment(
                                motive: motive, practitionerID: practitionerID, start: start, end: end, isPast: isPast,
                                channels: motive.channels.intersection(range.channels), random: &random)
                            data.appointments.append(appointment)
                            let key = "\(motive.departmentID)|\(appointment.patientID)"
                            if (motive.patients == .known || appointment.status == .fulfilled), known.insert(key).inserted {
                                data.knownPatients.append(KnownPatient(
                                    departmentID: motive.departmentID, patientID: appointment.patientID,
                                    source: motive.patients == .known ? .importedIndex : .fulfilledAppointment,
                                    since: motive.patients == .known ? options.now.addingTimeInterval(-365 * 86_400) : end))
                            }
                        }
                    }
                }
            }
        }
    }

    private static let reasons = [
        "Fièvre depuis 2 jours", "Douleur au genou après une chute", "Suivi de tension", "Renouvellement du traitement",
        "Toux persistante", "Résultats de prise de sang à voir", "Vaccin de rappel", "Essoufflement à l'effort",
        "Grain de beauté qui change", "Contrôle après opération",
    ]
    private static let cancellationReasons = ["Empêchement professionnel", "Enfant malade", "Absence du praticien", "Rendez-vous pris ailleurs"]

    private func makeAppointment(
        motive: Motive, practitionerID: UUID, start: Date, end: Date, isPast: Bool, channels: ChannelSet,
        random: inout SeededRandom
    ) -> Appointment {
        let channel = Self.pickChannel(from: channels.isEmpty ? motive.channels : channels, random: &random)
        let status: AppointmentStatus
        let roll = Double.random(in: 0..<1, using: &random)
        if isPast {
            status = roll < 0.85 ? .fulfilled : roll < 0.92 ? .noshow : .cancelled
        } else {
            status = roll < 0.92 ? .booked : .cancelled
        }
        let cancelledBy: CancelledBy? = status == .cancelled ? (random.chance(0.7) ? .patient : random.chance(0.8) ? .staff : .system) : nil
        let created = start.addingTimeInterval(-Double(Int.random(in: 1...40, using: &random)) * 86_400)
        return Appointment(
            id: random.uuid(), departmentID: motive.departmentID, motiveID: motive.id, practitionerID: practitionerID,
            patientID: random.pick(patients).id, resourceIDs: motive.requiredResourceIDs, startsAt: start, endsAt: end,
            status: status, channel: channel,
            referringDoctorID: motive.patients == .new || channel == .referral ? random.pick(doctors).id : nil,
            reason: channel == .online && random.chance(0.6) ? random.pick(Self.reasons) : nil,
            cancelledBy: cancelledBy, cancellationReason: cancelledBy.map { _ in random.pick(Self.cancellationReasons) },
            createdAt: min(created, options.now), updatedAt: min(created, options.now))
    }

    /// Weighted like a hospital's mix: phone first, online second.
    private static func pickChannel(from channels: ChannelSet, random: inout SeededRandom) -> Channel {
        let weights: [(Channel, Double)] = [(.phone, 0.45), (.online, 0.35), (.desk, 0.1), (.referral, 0.05), (.practitioner, 0.05)]
        let allowed = weights.filter { channels.contains($0.0) }
        let total = allowed.reduce(0) { $0 + $1.1 }
        var roll = Double.random(in: 0..<total, using: &random)
        for (channel, weight) in allowed {
            if roll < weight { return channel }
            roll -= weight
        }
        return allowed.last!.0
    }
}
