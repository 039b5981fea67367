import CreneauDomain
import CreneauStorage
import Foundation
import Logging

/// Loads a demo or scale dataset. Everything derives from the seed and the
/// given day, so two runs with the same options write the same rows.
public struct Seeder: Sendable {
    let store: SQLStore
    let logger: Logger

    public init(store: SQLStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var counts: [(String, Int)] = []
        mutating func add(_ name: String, _ count: Int) {
            if let index = counts.firstIndex(where: { $0.0 == name }) { counts[index].1 += count } else { counts.append((name, count)) }
        }
        public func count(_ name: String) -> Int { counts.first { $0.0 == name }?.1 ?? 0 }
        public var description: String { counts.map { "\($0.0): \($0.1)" }.joined(separator: ", ") }
    }

    /// Seeds into an empty database; refuses to mix a dataset into existing data.
    public func seed(_ options: SeedOptions) async throws -> Report {
        guard try await store.isEmpty() else { throw SeedError.notEmpty }
        var random = SeededRandom(seed: options.seed)
        let plan = ProfilePlan.make(options.profile, random: &random)
        var report = Report()

        let group = HospitalGroup(id: random.uuid(), name: plan.groupName, slug: plan.groupSlug)
        let doctors = makeReferringDoctors(plan.referringDoctors, random: &random)
        let patients = makePatients(plan.patients, options: options, random: &random)
        try await store.bulk { writer in
            try await writer.groups([group])
            try await writer.referringDoctors(doctors)
        }
        for start in stride(from: 0, to: patients.count, by: 50_000) {
            let chunk = Array(patients[start..<min(start + 50_000, patients.count)])
            try await store.bulk { writer in try await writer.patients(chunk) }
        }
        report.add("referring doctors", doctors.count)
        report.add("patients", patients.count)

        var firstSite: SiteData?
        // Survey answers draw from a stream of their own: adding them left every other seeded value as it was.
        var surveyRandom = SeededRandom(seed: options.seed ^ 0x5355_5256_4559)
        var answers = 0
        for (index, sitePlan) in plan.sites.enumerated() {
            var generator = SiteGenerator(
                plan: plan, sitePlan: sitePlan, groupID: group.id, options: options, patients: patients,
                doctors: doctors, heldBackForFirstGP: options.profile == .avoine)
            let site = generator.generate(random: &random)
            try await site.write(to: store)
            let surveys = Self.surveyAnswers(site.appointments, now: options.now, random: &surveyRandom)
            for start in stride(from: 0, to: surveys.count, by: 20_000) {
                let chunk = Array(surveys[start..<min(start + 20_000, surveys.count)])
                try await store.bulk { writer in try await writer.surveyAnswers(chunk) }
            }
            answers += surveys.count
            site.count(into: &report)
            if index == 0 { firstSite = site }
            logger.info("Seeded site", metadata: ["site": "\(sitePlan.name)", "appointments": "\(site.appointments.count)"])
        }

        report.add("survey answers", answers)

        // Occupancy (no double booking) is derived from all appointments at once, after they are loaded.
        try await store.rebuildOccupancy()

        if options.profile == .avoine, let site = firstSite {
            let accounts = DemoAccountBuilder(options: options, site: site, groupID: group.id, patients: patients, doctors: doctors)
            try await accounts.write(to: store, random: &random)
            report.add("accounts", DemoAccounts.entries.count)
        } else {
            let admin = Account(id: random.uuid(), email: "direction@aphp.demo", displayName: "Direction AP-HP",
                                passwordHash: options.demoPasswordHash, emailVerifiedAt: options.now, createdAt: options.now)
            let grant = RoleGrant(id: random.uuid(), accountID: admin.id, role: .groupAdmin, scope: .group(group.id))
            try await store.bulk { writer in
                try await writer.accounts([admin])
                try await writer.roleGrants([grant])
            }
            // Its authenticator secret is public, as the avoine staff's: benchmarks sign in as it (the staff agenda).
            try await store.setTOTPSecret(DemoAccounts.totpSecret(for: admin.email), accountID: admin.id)
            report.add("accounts", 1)
        }
        return report
    }

    /// Two visits in five fulfilled before `now` were rated the morning after, mostly well (as hospitals' surveys read:
    /// a mean near 8.5, one detractor in ten).
    static func surveyAnswers(_ appointments: [Appointment], now: Date, random: inout SeededRandom) -> [SurveyAnswer] {
        let scores = [(10, 0.34), (9, 0.26), (8, 0.18), (7, 0.10), (6, 0.04), (5, 0.03), (4, 0.02), (3, 0.01), (2, 0.01), (0, 0.01)]
        var answers: [SurveyAnswer] = []
        for appointment in appointments where appointment.status == .fulfilled && appointment.endsAt < now {
            guard Double(random.next() % 1_000) / 1_000 < 0.4 else { continue }
            let answeredAt = appointment.endsAt.addingTimeInterval(TimeInterval(14 * 3_600 + Int(random.next() % 36_000)))
            guard answeredAt < now else { continue }
            var roll = Double(random.next() % 10_000) / 10_000, score = 10
            for (value, share) in scores {
                if roll < share { score = value; break }
                roll -= share
            }
            answers.append(SurveyAnswer(appointmentID: appointment.id, practitionerID: appointment.practitionerID, departmentID: appointment.departmentID,
                                        score: score, comment: nil, answeredAt: answeredAt))
        }
        return answers
    }

    private func makeReferringDoctors(_ count: Int, random: inout SeededRandom) -> [ReferringDoctor] {
        // Dr Jean Dupont of Pontoise is the GP of scenarios 2 and 3.
        var doctors = [ReferringDoctor(
            id: random.uuid(), nationalID: "810000000001", firstName: "Jean", lastName: "Dupont",
            profession: "Médecin", specialty: "Médecine générale", city: "Pontoise", postalCode: "95300")]
        for index in 1..<max(count, 1) {
            let (city, postcode) = random.pick(Names.cities)
            doctors.append(ReferringDoctor(
                id: random.uuid(), nationalID: String(format: "8%011d", 10_000 + index),
                firstName: random.pick(Names.first), lastName: random.pick(Names.last), profession: "Médecin",
                specialty: random.chance(0.8) ? "Médecine générale" : "Pédiatrie", city: city, postalCode: postcode))
        }
        return doctors
    }

    private func makePatients(_ count: Int, options: SeedOptions, random: inout SeededRandom) -> [Patient] {
        (0..<count).map { index in
            let age = Int.random(in: 0...92, using: &random)
            let birth = options.today.adding(days: -(age * 365 + Int.random(in: 0..<365, using: &random)))
            let first = random.pick(Names.first), last = random.pick(Names.last)
            let reachable = random.chance(0.8)
            return Patient(
                id: random.uuid(), firstName: first, lastName: last, birthDate: birth,
                email: reachable ? "patient\(index)@example.org" : nil,
                phone: String(format: "06%08d", index), ipp: String(format: "IPP%09d", index), createdAt: options.now)
        }
    }
}

public enum SeedError: Error, CustomStringConvertible, Sendable {
    case notEmpty

    public var description: String {
        switch self {
        case .notEmpty: "The database already holds data. Seed into a new database (or a new --database-path)."
        }
    }
}
