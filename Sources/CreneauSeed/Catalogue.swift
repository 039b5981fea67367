import CreneauDomain

/// What a department of a given specialty offers: the profession that staffs
/// it and its motives. Durations and rules follow common French practice.
struct SpecialtyPlan: Sendable {
    let code: String
    let department: String
    let profession: String
    let motives: [MotivePlan]
}

struct MotivePlan: Sendable {
    var name: String
    var duration: Int
    var patients: PatientAcceptance = .both
    var channels: ChannelSet = .all
    var capacity: Int = 1
    var horizonDays: Int = 60
    var instructions: String = ""
    /// Needs the department's room or equipment besides the practitioner.
    var needsResource: Bool = false
}

enum Catalogue {
    static let referralAndStaff: ChannelSet = [.referral, .phone, .desk, .practitioner]
    /// Departments a new patient books without a referring doctor (first-line care).
    static let openToNewPatients: Set<String> = ["medecine-generale", "pediatrie", "maternite", "soins-infirmiers"]

    static func generic(_ code: String, _ department: String, profession: String = "Médecin") -> SpecialtyPlan {
        SpecialtyPlan(code: code, department: department, profession: profession, motives: [
            MotivePlan(name: "Première consultation", duration: 30, patients: .new, horizonDays: 90,
                       instructions: "Apportez le courrier de votre médecin traitant et vos derniers examens."),
            MotivePlan(name: "Consultation de suivi", duration: 20, patients: .known, horizonDays: 90),
            MotivePlan(name: "Avis spécialisé (médecin adresseur)", duration: 30, patients: .new, channels: referralAndStaff, horizonDays: 30),
        ])
    }

    static let specialties: [SpecialtyPlan] = [
        SpecialtyPlan(code: "medecine-generale", department: "Médecine générale", profession: "Médecin", motives: [
            MotivePlan(name: "Consultation", duration: 15, horizonDays: 14),
            MotivePlan(name: "Renouvellement d'ordonnance", duration: 15, patients: .known, horizonDays: 30,
                       instructions: "Apportez votre dernière ordonnance."),
            MotivePlan(name: "Première consultation (nouveau patient)", duration: 30, patients: .new, horizonDays: 30,
                       instructions: "Apportez votre carte Vitale et vos traitements en cours."),
        ]),
        SpecialtyPlan(code: "pediatrie", department: "Pédiatrie", profession: "Médecin", motives: [
            MotivePlan(name: "Consultation pédiatrique", duration: 20, horizonDays: 30, instructions: "Apportez le carnet de santé."),
            MotivePlan(name: "Consultation nourrisson", duration: 30, horizonDays: 60, instructions: "Apportez le carnet de santé."),
            MotivePlan(name: "Vaccination", duration: 15, horizonDays: 60, instructions: "Apportez le carnet de santé et le vaccin prescrit."),
        ]),
        SpecialtyPlan(code: "maternite", department: "Maternité", profession: "Sage-femme", motives: [
            MotivePlan(name: "Consultation de suivi de grossesse", duration: 30, horizonDays: 90),
            MotivePlan(name: "Échographie obstétricale", duration: 30, horizonDays: 90,
                       instructions: "Venez la vessie pleine, avec vos comptes rendus d'échographie précédents.", needsResource: true),
            MotivePlan(name: "Préparation à la naissance (groupe)", duration: 60, capacity: 8, horizonDays: 90),
        ]),
        SpecialtyPlan(code: "gynecologie", department: "Gynécologie", profession: "Médecin", motives: [
            MotivePlan(name: "Consultation de gynécologie", duration: 30, horizonDays: 90),
            MotivePlan(name: "Renouvellement de contraception", duration: 15, patients: .known, horizonDays: 90),
        ]),
        SpecialtyPlan(code: "kinesitherapie", department: "Kinésithérapie", profession: "Masseur-kinésithérapeute", motives: [
            MotivePlan(name: "Bilan kinésithérapique", duration: 45, patients: .new, horizonDays: 90,
                       instructions: "Apportez l'ordonnance et vos imageries."),
            MotivePlan(name: "Séance de rééducation", duration: 30, patients: .known, horizonDays: 90),
        ]),
        SpecialtyPlan(code: "soins-infirmiers", department: "Soins infirmiers", profession: "Infirmier", motives: [
            MotivePlan(name: "Prise de sang", duration: 10, horizonDays: 30, instructions: "Venez à jeun si l'ordonnance le précise."),
            MotivePlan(name: "Pansement", duration: 20, horizonDays: 30),
        ]),
        SpecialtyPlan(code: "cardiologie", department: "Cardiologie", profession: "Médecin", motives: [
            MotivePlan(name: "Première consultation", duration: 30, patients: .new, horizonDays: 90,
                       instructions: "Apportez le courrier de votre médecin, votre dernier ECG et vos traitements."),
            MotivePlan(name: "Consultation de suivi", duration: 20, patients: .known, horizonDays: 90),
            MotivePlan(name: "Avis cardiologique (médecin adresseur)", duration: 30, patients: .new, channels: referralAndStaff, horizonDays: 30),
            MotivePlan(name: "Échocardiographie", duration: 30, patients: .known, channels: ChannelSet.staff.union(.referral), horizonDays: 90, needsResource: true),
        ]),
        SpecialtyPlan(code: "dermatologie", department: "Dermatologie", profession: "Médecin", motives: [
            MotivePlan(name: "Première consultation", duration: 30, patients: .new, horizonDays: 90),
            MotivePlan(name: "Consultation de suivi", duration: 20, patients: .known, horizonDays: 90),
        ]),
        SpecialtyPlan(code: "orthophonie", department: "Orthophonie", profession: "Orthophoniste", motives: [
            MotivePlan(name: "Bilan orthophonique", duration: 60, patients: .new, horizonDays: 90),
            MotivePlan(name: "Séance d'orthophonie", duration: 30, patients: .known, horizonDays: 90),
        ]),
        SpecialtyPlan(code: "dietetique", department: "Diététique", profession: "Diététicien", motives: [
            MotivePlan(name: "Consultation diététique", duration: 45, horizonDays: 60),
        ]),
        SpecialtyPlan(code: "podologie", department: "Podologie", profession: "Pédicure-podologue", motives: [
            MotivePlan(name: "Soin de pédicurie", duration: 30, horizonDays: 60),
        ]),
        SpecialtyPlan(code: "radiologie", department: "Imagerie", profession: "Médecin", motives: [
            MotivePlan(name: "IRM", duration: 30, channels: ChannelSet.staff.union([.referral, .online]), horizonDays: 90,
                       instructions: "Retirez tout objet métallique. Apportez l'ordonnance et les examens antérieurs.", needsResource: true),
            MotivePlan(name: "Échographie", duration: 20, horizonDays: 60, needsResource: true),
        ]),
        generic("ophtalmologie", "Ophtalmologie"),
        generic("orl", "ORL"),
        generic("neurologie", "Neurologie"),
        generic("pneumologie", "Pneumologie"),
        generic("endocrinologie", "Endocrinologie"),
        generic("rhumatologie", "Rhumatologie"),
        generic("gastro-enterologie", "Gastro-entérologie"),
        generic("urologie", "Urologie"),
        generic("psychiatrie", "Psychiatrie"),
        generic("chirurgie-orthopedique", "Chirurgie orthopédique"),
        generic("oncologie", "Oncologie"),
        generic("nephrologie", "Néphrologie"),
    ]

    static func specialty(_ code: String) -> SpecialtyPlan {
        specialties.first { $0.code == code }!
    }
}

enum Names {
    static let first = [
        "Léa", "Hugo", "Chloé", "Lucas", "Emma", "Louis", "Manon", "Gabriel", "Camille", "Jules", "Inès", "Arthur",
        "Sarah", "Adam", "Jade", "Raphaël", "Louise", "Paul", "Alice", "Nathan", "Zoé", "Théo", "Lina", "Tom",
        "Bérénice", "Élodie", "Mathilde", "François", "Hélène", "Jérôme", "Agnès", "Benoît", "Cécile", "Étienne",
        "Amina", "Karim", "Yasmine", "Mehdi", "Fatou", "Moussa", "Anaïs", "Noé", "Maëlys", "Loïc", "Océane", "Gaëlle",
    ]
    static let last = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
        "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
        "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
        "Benali", "Nguyen", "Diallo", "Haddad", "Da Silva", "Kowalski", "Le Gall", "Éluard", "Château",
    ]
    static let cities: [(String, String)] = [
        ("Pontoise", "95300"), ("Chinon", "37500"), ("Tours", "37000"), ("Saumur", "49400"), ("Paris", "75012"),
        ("Créteil", "94000"), ("Bobigny", "93000"), ("Cergy", "95000"), ("Avoine", "37420"), ("Bourgueil", "37140"),
    ]
}
