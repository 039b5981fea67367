import CreneauDomain
import Foundation

/// Writes Annuaire Santé extracts ("PS_LibreAcces_Personne_activite", `RPPSExtract`) for tests and
/// benchmarks: the real layout (56 columns, a trailing `|`, a header), professionals with one to
/// three activities on consecutive lines, a long tail of names, towns with accents. With
/// `edgeCases`, the lines an importer must survive come first: a quoted trade name, a name
/// holding a tab and a backslash, a professional without a place, a short line, a line without identifier, a professional
/// listed again further down, a line ending in CRLF. Deterministic for a seed; streamed, so a
/// two-million-line file costs no memory.
public struct RPPSExtractGenerator: Sendable {
    public enum Encoding: String, Sendable, CaseIterable {
        case utf8 = "utf-8"
        case windows1252 = "windows-1252"
    }

    public var lines: Int
    public var seed: UInt64
    public var encoding: Encoding
    public var edgeCases: Bool
    /// National identifiers are numbered from here: two extracts with different offsets overlap
    /// in part, as a newer extract does with an older one.
    public var firstProfessional: Int

    public init(lines: Int, seed: UInt64 = 2026, encoding: Encoding = .utf8, edgeCases: Bool = false, firstProfessional: Int = 0) {
        self.lines = lines
        self.seed = seed
        self.encoding = encoding
        self.edgeCases = edgeCases
        self.firstProfessional = firstProfessional
    }

    /// Bad lines among the edge cases (a short line, one without identifier).
    public static let badEdgeLines = 2

    /// Writes the extract; answers how many professionals it lists.
    @discardableResult
    public func write(to handle: FileHandle) throws -> Int {
        var random = SeededRandom(seed: seed)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func emit(_ line: String, crlf: Bool = false) throws {
            append(line, to: &buffer)
            buffer.append(contentsOf: crlf ? [13, 10] : [10])
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try emit(RPPSExtract.header.joined(separator: "|") + "|")
        var written = 0, number = firstProfessional
        if edgeCases {
            for line in Self.edgeLines { try emit(line.text, crlf: line.crlf) }
            written += Self.edgeLines.count
        }
        var repeated: Professional?
        while written < lines {
            number += 1
            let professional = Professional(number: number, random: &random)
            let activities = min(lines - written, random.chance(0.6) ? 1 : random.chance(0.75) ? 2 : 3)
            for activity in 0..<activities {
                try emit(professional.line(activity: activity, random: &random))
            }
            written += activities
            // The same professional again, far from their first lines, in another place (an extract sorted otherwise).
            if edgeCases && number == firstProfessional + 10 { repeated = professional }
            if let again = repeated, number == firstProfessional + 500, written < lines {
                try emit(again.line(activity: 0, random: &random))
                written += 1
                repeated = nil
            }
        }
        if !buffer.isEmpty { try handle.write(contentsOf: buffer) }
        return number - firstProfessional + (edgeCases ? Self.edgeProfessionals : 0)
    }

    /// Writes `text` in the extract's encoding (a character Windows-1252 lacks becomes `?`).
    func append(_ text: String, to buffer: inout [UInt8]) {
        switch encoding {
        case .utf8: buffer.append(contentsOf: text.utf8)
        case .windows1252:
            for scalar in text.unicodeScalars {
                if scalar.value < 0x80 || (0xA0..<0x100).contains(scalar.value) {
                    buffer.append(UInt8(scalar.value))
                } else if let index = LineDecoder.high.firstIndex(of: scalar.value), scalar.value != 0xFFFD {
                    buffer.append(UInt8(0x80 + index))
                } else {
                    buffer.append(UInt8(ascii: "?"))
                }
            }
        }
    }

    // MARK: - The lines an importer must survive

    /// Professionals the edge lines list (the good ones).
    static let edgeProfessionals = 4

    static var edgeLines: [(text: String, crlf: Bool)] {
        let dupont = Professional(nationalID: "810000000101", title: "Docteur", first: "Claire", last: "DUPONT", profession: ("10", "Médecin"),
                                  specialty: ("SM54", "Médecine Générale"))
        let place = Place(structure: "R10000000001", name: "CABINET \"LES TILLEULS\"", street: ("12", "RUE", "DE LA GARE"),
                          postalCode: "95300", commune: "95500", city: "PONTOISE", phone: "0130000001")
        let lefevre = Professional(nationalID: "810000000102", title: "Docteur", first: "Hélène", last: "LEFÈVRE", profession: ("10", "Médecin"),
                                   specialty: ("SM04", "Cardiologie et maladies vasculaires"))
        let orleans = Place(structure: "R10000000002", name: "CENTRE MÉDICAL\tSAINT-ÉTIENNE \\ BÂT. A", street: ("3", "BD", "ALEXANDRE MARTIN"),
                            postalCode: "45000", commune: "45234", city: "ORLÉANS", phone: "0238000002")
        let noPlace = Professional(nationalID: "810000000103", title: "", first: "Chloé", last: "N'GUYEN", profession: ("60", "Infirmier"),
                                   specialty: ("", ""))
        let twoPlaces = Professional(nationalID: "810000000104", title: "Docteur", first: "Marie", last: "DUPONT", profession: ("10", "Médecin"),
                                     specialty: ("SM54", "Médecine Générale"))
        let paris = Place(structure: "R10000000004", name: "", street: ("40", "AV", "DAUMESNIL"), postalCode: "75012", commune: "75112",
                          city: "PARIS", phone: "0140000004")
        let cergy = Place(structure: "", name: "MAISON DE SANTÉ DES TROIS FONTAINES", street: ("1", "PL", "DES ARTS"), postalCode: "95000",
                          commune: "95127", city: "CERGY", phone: "")
        let short = Array(dupont.fields(place: place).prefix(20)).joined(separator: "|")
        var unnamed = dupont.fields(place: place)
        unnamed[2] = ""
        return [
            (dupont.line(place: place), false),
            (lefevre.line(place: orleans), true),
            (noPlace.line(place: nil), false),
            (short, false),
            (unnamed.joined(separator: "|") + "|", false),
            (twoPlaces.line(place: paris), false),
            (twoPlaces.line(place: cergy), false),
        ]
    }

    // MARK: - Generated professionals

    struct Place {
        var structure: String
        var name: String
        var street: (String, String, String)
        var postalCode: String
        var commune: String
        var city: String
        var phone: String
    }

    struct Professional {
        var nationalID: String
        var title: String
        var first: String
        var last: String
        var profession: (String, String)
        var specialty: (String, String)

        init(nationalID: String, title: String, first: String, last: String, profession: (String, String), specialty: (String, String)) {
            self.nationalID = nationalID
            self.title = title
            self.first = first
            self.last = last
            self.profession = profession
            self.specialty = specialty
        }

        init(number: Int, random: inout SeededRandom) {
            let kind = Vocabulary.professions[Int(random.next() % UInt64(Vocabulary.professions.count))]
            self.init(
                nationalID: "8" + Self.padded(100_000 + number, 11), title: kind.code == "10" ? "Docteur" : "",
                first: Vocabulary.firstNames[Int(random.next() % UInt64(Vocabulary.firstNames.count))],
                last: Vocabulary.lastName(&random).uppercased(), profession: (kind.code, kind.label),
                specialty: kind.code == "10" ? Vocabulary.specialties[Int(random.next() % UInt64(Vocabulary.specialties.count))] : ("", ""))
        }

        func line(activity: Int, random: inout SeededRandom) -> String {
            let town = Vocabulary.towns[Int(random.next() % UInt64(Vocabulary.towns.count))]
            let structure = random.chance(0.9) ? "R1" + Self.padded(Int(random.next() % 5_000_000), 10) : ""
            let street = Vocabulary.streets[Int(random.next() % UInt64(Vocabulary.streets.count))]
            let place = Place(
                structure: structure, name: random.chance(0.5) ? "CABINET DU DR \(last)" : "",
                street: (String(1 + random.next() % 120), street.0, street.1), postalCode: town.postalCode, commune: town.commune,
                city: town.city.uppercased(), phone: "0" + String(1 + random.next() % 5) + Self.padded(Int(random.next() % 100_000_000), 8))
            return self.line(place: random.chance(0.03) ? nil : place)
        }

        func fields(place: Place?) -> [String] {
            var fields = [String](repeating: "", count: RPPSExtract.columnCount)
            fields[0] = "8"
            fields[1] = String(nationalID.dropFirst())
            fields[2] = nationalID
            fields[3] = title.isEmpty ? "" : "DR"
            fields[4] = title
            fields[5] = first.hasSuffix("e") ? "MME" : "M"
            fields[6] = first.hasSuffix("e") ? "Madame" : "Monsieur"
            fields[7] = last
            fields[8] = first
            fields[9] = profession.0
            fields[10] = profession.1
            fields[11] = "C"
            fields[12] = "Civil"
            if !specialty.0.isEmpty {
                fields[13] = "S"
                fields[14] = "Spécialité ordinale"
                fields[15] = specialty.0
                fields[16] = specialty.1
            }
            fields[17] = "L"
            fields[18] = "Libéral"
            if let place {
                fields[23] = place.structure
                fields[24] = place.name
                fields[28] = place.street.0
                fields[30] = place.street.1
                fields[31] = place.street.1 == "RUE" ? "Rue" : place.street.1 == "AV" ? "Avenue" : place.street.1 == "BD" ? "Boulevard" : "Place"
                fields[32] = place.street.2
                fields[35] = place.postalCode
                fields[36] = place.commune
                fields[37] = place.city
                fields[38] = "99000"
                fields[39] = "France"
                fields[40] = place.phone
                fields[44] = String(place.postalCode.prefix(2))
                fields[47] = "ARS/ARS/ARS"
                fields[48] = "SA07"
                fields[49] = "Cabinet individuel"
                fields[52] = "FON-01"
                fields[53] = "Titulaire de cabinet"
                fields[54] = "GENR01"
                fields[55] = "Activité standard"
            }
            return fields
        }

        func line(place: Place?) -> String { fields(place: place).joined(separator: "|") + "|" }

        static func padded(_ number: Int, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }

    enum Vocabulary {
        static let professions: [(code: String, label: String)] = [
            ("10", "Médecin"), ("10", "Médecin"), ("10", "Médecin"), ("10", "Médecin"), ("60", "Infirmier"), ("60", "Infirmier"),
            ("70", "Masseur-Kinésithérapeute"), ("21", "Pharmacien"), ("40", "Chirurgien-Dentiste"), ("50", "Sage-Femme"),
        ]
        static let specialties: [(String, String)] = [
            ("SM54", "Médecine Générale"), ("SM54", "Médecine Générale"), ("SM54", "Médecine Générale"),
            ("SM04", "Cardiologie et maladies vasculaires"), ("SM15", "Dermatologie et vénéréologie"), ("SM38", "Ophtalmologie"),
            ("SM40", "Oto-rhino-laryngologie"), ("SM42", "Pédiatrie"), ("SM43", "Pneumologie"), ("SM53", "Gynécologie médicale"),
            ("SM33", "Neurologie"), ("SM45", "Psychiatrie"), ("SM50", "Rhumatologie"), ("SM24", "Gastro-entérologie et hépatologie"),
        ]
        static let firstNames = [
            "Jean", "Marie", "Pierre", "Anne", "Philippe", "Catherine", "Nicolas", "Isabelle", "François", "Sophie", "Éric", "Hélène",
            "Laurent", "Nathalie", "Stéphane", "Valérie", "Frédéric", "Céline", "Olivier", "Sandrine", "Jérôme", "Aurélie", "Benoît",
            "Émilie", "Thierry", "Élodie", "Sébastien", "Camille", "Mathieu", "Léa", "Antoine", "Chloé", "Julien", "Inès", "Karim",
            "Yasmine", "Mehdi", "Fatou", "Moussa", "Anaïs", "Loïc", "Gaëlle", "Agnès", "Cécile", "Étienne", "Noël", "Zoé", "Théo",
        ]
        static let commonLastNames = [
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
            "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
            "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
            "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez",
            "Fontaine", "Chevalier", "Robin", "Le Gall", "Da Silva", "Nguyen", "Benali", "Diallo", "Haddad", "Kowalski", "Château",
        ]
        static let syllables = [
            "ber", "mar", "tin", "lan", "ger", "ro", "ché", "va", "lier", "bou", "det", "mon", "neau", "gi", "rard", "pel", "le",
            "tier", "four", "nier", "ba", "ron", "co", "quin", "dé", "lau", "mé", "sa", "vin", "cha", "teau", "bru", "nel", "ga",
            "bois", "champ", "du", "fa", "gau", "jo", "ker", "la", "mil", "no", "pa", "ri", "sé", "tho", "vau", "zi", "bel",
            "cour", "dan", "fer", "gré", "hu", "jac", "lo", "mor", "nou", "pi", "rey", "sau", "tou", "vé", "ar", "ol", "us",
        ]

        /// Cumulative weights of the common names: the r-th is as frequent as 1/√r, and together
        /// they are 8% of the professionals — the commonest, Martin, about 0.6% (about 0.4% in France).
        static let commonWeights: [Double] = {
            let weights = (1...commonLastNames.count).map { 1 / Double($0).squareRoot() }
            let total = weights.reduce(0, +)
            var sum = 0.0
            return weights.map { sum += $0 / total; return sum }
        }()

        /// A few common names, as in France, then a long tail made of two or three syllables
        /// (some 4,600 and 310,000 names).
        static func lastName(_ random: inout SeededRandom) -> String {
            if random.chance(0.08) {
                let draw = Double(random.next() % 1_000_000) / 1_000_000
                return commonLastNames[commonWeights.firstIndex { draw < $0 } ?? commonLastNames.count - 1]
            }
            let count = random.chance(0.5) ? 2 : 3
            return (0..<count).map { _ in syllables[Int(random.next() % UInt64(syllables.count))] }.joined().capitalized
        }

        static let towns: [(city: String, postalCode: String, commune: String)] = [
            ("Paris", "75012", "75112"), ("Paris", "75015", "75115"), ("Paris", "75018", "75118"), ("Marseille", "13005", "13205"),
            ("Lyon", "69003", "69383"), ("Toulouse", "31000", "31555"), ("Nice", "06000", "06088"), ("Nantes", "44000", "44109"),
            ("Strasbourg", "67000", "67482"), ("Montpellier", "34000", "34172"), ("Bordeaux", "33000", "33063"), ("Lille", "59000", "59350"),
            ("Rennes", "35000", "35238"), ("Reims", "51100", "51454"), ("Saint-Étienne", "42000", "42218"), ("Le Havre", "76600", "76351"),
            ("Toulon", "83000", "83137"), ("Grenoble", "38000", "38185"), ("Dijon", "21000", "21231"), ("Angers", "49000", "49007"),
            ("Nîmes", "30000", "30189"), ("Besançon", "25000", "25056"), ("Orléans", "45000", "45234"), ("Tours", "37000", "37261"),
            ("Chinon", "37500", "37072"), ("Avoine", "37420", "37011"), ("Pontoise", "95300", "95500"), ("Cergy", "95000", "95127"),
            ("Créteil", "94000", "94028"), ("Bobigny", "93000", "93008"), ("Évry-Courcouronnes", "91000", "91228"),
            ("Clermont-Ferrand", "63000", "63113"), ("Brest", "29200", "29019"), ("Limoges", "87000", "87085"), ("Amiens", "80000", "80021"),
            ("Perpignan", "66000", "66136"), ("Metz", "57000", "57463"), ("Caen", "14000", "14118"), ("Rouen", "76000", "76540"),
            ("Mulhouse", "68100", "68224"), ("Poitiers", "86000", "86194"), ("Pau", "64000", "64445"), ("La Rochelle", "17000", "17300"),
            ("Ajaccio", "20000", "2A004"), ("Bastia", "20200", "2B033"), ("Saint-Denis", "97400", "97411"), ("Fort-de-France", "97200", "97209"),
        ]
        static let streets: [(String, String)] = [
            ("RUE", "DE LA RÉPUBLIQUE"), ("AV", "JEAN JAURÈS"), ("BD", "VICTOR HUGO"), ("RUE", "PASTEUR"), ("PL", "DE L'ÉGLISE"),
            ("RUE", "DU GÉNÉRAL DE GAULLE"), ("AV", "DES CHAMPS"), ("RUE", "NATIONALE"), ("BD", "GAMBETTA"), ("RUE", "DES ÉCOLES"),
        ]
    }
}
