import CreneauDomain
import Foundation

/// The datasets `creneau seed` can load.
public enum SeedProfile: String, CaseIterable, Sendable {
    /// A rural multi-professional health centre: 1 site, 30 practitioners, 3 secretaries.
    case avoine
    /// A public hospital group at AP-HP scale: 39 sites, ~600 departments, ~9,000
    /// practitioners, 90 days of agenda, ~2 million appointments.
    case aphp
}

public struct SeedOptions: Sendable {
    public var profile: SeedProfile
    public var seed: UInt64
    /// The day the dataset treats as today: appointments before it are past.
    public var today: LocalDate
    /// Creation time stamped on rows.
    public var now: Date
    /// Hash of the demo password, shared by every demo account.
    public var demoPasswordHash: String

    public init(profile: SeedProfile, seed: UInt64, today: LocalDate, now: Date, demoPasswordHash: String) {
        self.profile = profile
        self.seed = seed
        self.today = today
        self.now = now
        self.demoPasswordHash = demoPasswordHash
    }
}

/// How the generator shapes a profile.
struct ProfilePlan: Sendable {
    struct SitePlan: Sendable {
        var name: String
        var slug: String
        var city: String
        var departments: [(code: String, practitioners: Int)]
        var address = ""
        /// Numbers from the range ARCEP keeps for fiction (01 99 00 xx xx), so the demo rings nobody.
        var phone = ""
    }

    var groupName: String
    var groupSlug: String
    var sites: [SitePlan]
    var patients: Int
    var referringDoctors: Int
    /// Chance that a practitioner works a given weekday half-day.
    var halfDayPresence: Double
    /// Share of template slots that hold an appointment.
    var fillRate: Double
    /// Appointments from `today - daysBefore` to `today + daysAfter`.
    var daysBefore: Int
    var daysAfter: Int

    static func make(_ profile: SeedProfile, random: inout SeededRandom) -> ProfilePlan {
        switch profile {
        case .avoine:
            return ProfilePlan(
                groupName: "Maison de santé pluriprofessionnelle d'Avoine", groupSlug: "msp-avoine",
                sites: [SitePlan(name: "MSP d'Avoine", slug: "avoine", city: "Avoine", departments: [
                    ("medecine-generale", 9), ("pediatrie", 2), ("maternite", 2), ("gynecologie", 1),
                    ("kinesitherapie", 5), ("soins-infirmiers", 4), ("dermatologie", 1), ("cardiologie", 2),
                    ("orthophonie", 2), ("dietetique", 1), ("podologie", 1),
                ], address: "1 place de la Mairie, 37420 Avoine", phone: "01 99 00 00 01")],
                patients: 800, referringDoctors: 60, halfDayPresence: 0.8, fillRate: 0.55, daysBefore: 14, daysAfter: 28)
        case .aphp:
            let hospitals = [
                "Pitié-Salpêtrière", "Hôpital européen Georges-Pompidou", "Necker-Enfants malades", "Bichat-Claude-Bernard",
                "Lariboisière", "Saint-Louis", "Cochin", "Hôtel-Dieu", "Henri-Mondor", "Avicenne", "Beaujon", "Bicêtre",
                "Robert-Debré", "Trousseau", "Tenon", "Saint-Antoine", "Ambroise-Paré", "Raymond-Poincaré", "Louis-Mourier",
                "Antoine-Béclère", "Paul-Brousse", "Jean-Verdier", "René-Muret", "Bretonneau", "Charles-Foix", "Corentin-Celton",
                "Vaugirard", "Broca", "Rothschild", "Fernand-Widal", "Sainte-Périne", "Émile-Roux", "Joffre-Dupuytren",
                "Albert-Chenevier", "Georges-Clemenceau", "Berck", "Hendaye", "San Salvadour", "Adélaïde-Hautval",
            ]
            let codes = Catalogue.specialties.map(\.code)
            let sites = hospitals.enumerated().map { index, name in
                // ~15 departments a site, ~15 practitioners a department: ~600 and ~9,000 in all.
                let chosen = codes.shuffled(using: &random).prefix(15)
                return SitePlan(
                    name: name, slug: SearchText.fold(name).replacingOccurrences(of: " ", with: "-"),
                    city: index < 20 ? "Paris" : "Île-de-France",
                    departments: chosen.map { ($0, Int.random(in: 12...18, using: &random)) },
                    address: "\(index + 1) rue de l'Hôpital, \(index < 20 ? "750\(String(format: "%02d", index + 1)) Paris" : "92100 Île-de-France")",
                    phone: "01 99 00 \(String(format: "%02d", (index + 2) / 100)) \(String(format: "%02d", (index + 2) % 100))")
            }
            return ProfilePlan(
                groupName: "Assistance Publique – Hôpitaux de Paris", groupSlug: "aphp", sites: sites,
                patients: 350_000, referringDoctors: 5_000, halfDayPresence: 0.42, fillRate: 0.5, daysBefore: 21, daysAfter: 69)
        }
    }
}
