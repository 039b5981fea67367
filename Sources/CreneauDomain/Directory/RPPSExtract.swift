import Foundation

/// The Annuaire Santé extract "PS_LibreAcces_Personne_activite": one line per activity of a
/// health professional (a professional practising in two places has two lines), 56 columns
/// separated by `|`, one header line. Fields are never quoted: a `"` is a character like any other.
/// The published file ends each line with a `|` too (a 57th, empty field), which is accepted.
public enum RPPSExtract {
    public static let columnCount = 56

    /// The columns, in order, as the header names them.
    public static let header: [String] = [
        "Type d'identifiant PP", "Identifiant PP", "Identification nationale PP",
        "Code civilité d'exercice", "Libellé civilité d'exercice", "Code civilité", "Libellé civilité",
        "Nom d'exercice", "Prénom d'exercice", "Code profession", "Libellé profession",
        "Code catégorie professionnelle", "Libellé catégorie professionnelle",
        "Code type savoir-faire", "Libellé type savoir-faire", "Code savoir-faire", "Libellé savoir-faire",
        "Code mode exercice", "Libellé mode exercice",
        "Numéro SIRET site", "Numéro SIREN site", "Numéro FINESS site", "Numéro FINESS établissement juridique",
        "Identifiant technique de la structure", "Raison sociale site", "Enseigne commerciale site",
        "Complément destinataire (coord. structure)", "Complément point géographique (coord. structure)",
        "Numéro Voie (coord. structure)", "Indice répétition voie (coord. structure)",
        "Code type de voie (coord. structure)", "Libellé type de voie (coord. structure)",
        "Libellé Voie (coord. structure)", "Mention distribution (coord. structure)", "Bureau cedex (coord. structure)",
        "Code postal (coord. structure)", "Code commune (coord. structure)", "Libellé commune (coord. structure)",
        "Code pays (coord. structure)", "Libellé pays (coord. structure)",
        "Téléphone (coord. structure)", "Téléphone 2 (coord. structure)", "Télécopie (coord. structure)",
        "Adresse e-mail (coord. structure)", "Code Département (structure)", "Libellé Département (structure)",
        "Ancien identifiant de la structure", "Autorité d'enregistrement",
        "Code secteur d'activité", "Libellé secteur d'activité",
        "Code section tableau pharmaciens", "Libellé section tableau pharmaciens",
        "Code rôle", "Libellé rôle", "Code genre activité", "Libellé genre activité",
    ]

    /// Column positions used here (0-based).
    enum Column {
        static let nationalID = 2, title = 4, lastName = 7, firstName = 8, professionCode = 9, profession = 10
        static let specialty = 16
        static let siret = 19, finessSite = 21, structureID = 23, companyName = 24, tradeName = 25
        static let recipient = 26, place = 27, streetNumber = 28, repetition = 29, streetType = 31, street = 32
        static let distribution = 33, postalCode = 35, city = 37, phone = 40
    }

    /// Longest field kept: the published columns are far shorter; a longer one is a broken line.
    static let maximumFieldLength = 500

    /// Whether a line is the header (the first line of a real extract; a file may come without it).
    public static func isHeader(_ line: String) -> Bool {
        line.hasPrefix("Type d'identifiant PP") || line.hasPrefix("\u{FEFF}Type d'identifiant PP")
    }

    /// One line as a professional's activity, or what is wrong with it.
    public static func record(_ line: String, number: Int) -> Result<RPPSRecord, ImportProblem> {
        // Split on the bytes: "|" is ASCII, so every cut falls between characters (and this is the
        // import's inner loop, two million times over).
        let bytes = line.utf8
        if bytes.contains(where: { $0 < 0x20 && $0 != 0x09 }) {
            return .failure(ImportProblem(line: number, message: "The line holds control characters."))
        }
        var fields: [Substring] = []
        fields.reserveCapacity(columnCount + 1)
        var start = bytes.startIndex
        var index = start
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "|") {
                fields.append(line[start..<index])
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        fields.append(line[start...])
        if fields.count == columnCount + 1, fields[columnCount].utf8.allSatisfy({ $0 == 0x20 }) { fields.removeLast() }
        guard fields.count == columnCount else {
            return .failure(ImportProblem(line: number, message: "\(fields.count) fields where the extract has \(columnCount) (a line cut short or joined to another)."))
        }
        if let long = fields.firstIndex(where: { $0.utf8.count > maximumFieldLength }) {
            return .failure(ImportProblem(line: number, message: "The field “\(header[long])” is longer than \(maximumFieldLength) characters."))
        }
        func text(_ index: Int) -> String { trimmed(fields[index]) }
        let nationalID = text(Column.nationalID)
        guard (3...20).contains(nationalID.utf8.count), nationalID.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
            return .failure(ImportProblem(line: number, message: nationalID.isEmpty
                ? "The national identifier (Identification nationale PP) is missing."
                : "The national identifier “\(nationalID.prefix(30))” is not 3 to 20 letters and digits."))
        }
        let lastName = text(Column.lastName)
        guard !SearchText.fold(lastName).isEmpty else {
            return .failure(ImportProblem(line: number, message: "The professional \(nationalID) has no name (Nom d'exercice)."))
        }
        return .success(RPPSRecord(
            nationalID: nationalID, title: text(Column.title), firstName: text(Column.firstName), lastName: lastName,
            professionCode: text(Column.professionCode), profession: text(Column.profession), specialty: text(Column.specialty),
            place: place(text)))
    }

    /// Without the spaces and tabs around it.
    static func trimmed(_ field: Substring) -> String {
        let bytes = field.utf8
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        return String(field[start..<end])
    }

    /// The place of practice of a line, when it names one (a town at least).
    static func place(_ text: (Int) -> String) -> RPPSPlace? {
        let city = text(Column.city), postalCode = text(Column.postalCode)
        guard !city.isEmpty || !postalCode.isEmpty else { return nil }
        let name = [text(Column.tradeName), text(Column.companyName)].first { !$0.isEmpty } ?? ""
        let street = [text(Column.streetNumber), text(Column.repetition), text(Column.streetType), text(Column.street)]
            .filter { !$0.isEmpty }.joined(separator: " ")
        let address = [text(Column.recipient), text(Column.place), street, text(Column.distribution)]
            .filter { !$0.isEmpty }.joined(separator: ", ")
        // The structure's own identifier when it has one; otherwise the place is what it says.
        let identified = [text(Column.structureID), text(Column.siret), text(Column.finessSite)].first { !$0.isEmpty }
        let key = identified ?? SearchText.fold("\(name) \(address) \(postalCode) \(city)")
        return RPPSPlace(key: String(key.prefix(200)), name: name, address: address, postalCode: postalCode,
                         city: city, phone: text(Column.phone))
    }
}

/// One activity of a professional, as the extract lists it.
public struct RPPSRecord: Hashable, Sendable {
    /// "Identification nationale PP": the RPPS number prefixed by its type ("810001234567").
    public var nationalID: String
    /// "Docteur", "Professeur", or empty.
    public var title: String
    public var firstName: String
    public var lastName: String
    public var professionCode: String
    /// "Médecin", "Masseur-Kinésithérapeute"…
    public var profession: String
    /// "Médecine générale", "Cardiologie et maladies vasculaires"… (the "savoir-faire"), or empty.
    public var specialty: String
    public var place: RPPSPlace?

    public init(nationalID: String, title: String, firstName: String, lastName: String, professionCode: String,
                profession: String, specialty: String, place: RPPSPlace?) {
        self.nationalID = nationalID
        self.title = title
        self.firstName = firstName
        self.lastName = lastName
        self.professionCode = professionCode
        self.profession = profession
        self.specialty = specialty
        self.place = place
    }
}

/// Where a professional practises.
public struct RPPSPlace: Hashable, Sendable {
    /// The structure's identifier, or its folded name and address.
    public var key: String
    public var name: String
    public var address: String
    public var postalCode: String
    public var city: String
    public var phone: String

    public init(key: String, name: String, address: String, postalCode: String, city: String, phone: String) {
        self.key = key
        self.name = name
        self.address = address
        self.postalCode = postalCode
        self.city = city
        self.phone = phone
    }

    /// What a search matches a place on: its town, postal code and name.
    public var searchText: String { SearchText.fold("\(city) \(postalCode) \(name)") }
}
