import Foundation

// FHIR R4 datatypes, only the elements Creneau writes or reads. Optional arrays stay nil
// rather than empty: FHIR forbids an empty array, and the encoder leaves nil out.

struct FHIRMeta: Codable, Sendable, Equatable {
    var profile: [String]?
    var lastUpdated: String?
}

struct FHIRCoding: Codable, Sendable, Equatable {
    var system: String?
    var code: String?
    var display: String?
}

struct FHIRCodeableConcept: Codable, Sendable, Equatable {
    var coding: [FHIRCoding]?
    var text: String?

    init(coding: [FHIRCoding]? = nil, text: String? = nil) {
        self.coding = coding
        self.text = text
    }

    init(system: String, code: String, display: String? = nil) {
        self.init(coding: [FHIRCoding(system: system, code: code, display: display)], text: display)
    }
}

struct FHIRIdentifier: Codable, Sendable, Equatable {
    var use: String?
    var system: String?
    var value: String?
}

struct FHIRReference: Codable, Sendable, Equatable {
    var reference: String?
    var type: String?
    var identifier: FHIRIdentifier?
    var display: String?

    init(reference: String? = nil, type: String? = nil, identifier: FHIRIdentifier? = nil, display: String? = nil) {
        self.reference = reference
        self.type = type
        self.identifier = identifier
        self.display = display
    }

    init(_ type: String, _ id: UUID, display: String? = nil) {
        self.init(reference: "\(type)/\(id.fhir)", display: display)
    }
}

struct FHIRHumanName: Codable, Sendable, Equatable {
    var use: String?
    var text: String?
    var family: String?
    var given: [String]?
    var prefix: [String]?
}

struct FHIRContactPoint: Codable, Sendable, Equatable {
    var system: String?
    var value: String?
    var use: String?
}

struct FHIRAddress: Codable, Sendable, Equatable {
    var text: String?
    var line: [String]?
    var city: String?
    var postalCode: String?
    var country: String?
}

struct FHIRPeriod: Codable, Sendable, Equatable {
    var start: String?
    var end: String?
}

/// A resource's human-readable summary (`text`), which FHIR asks every resource to carry
/// (dom-6): plain text in an XHTML `div`, escaped.
struct FHIRNarrative: Codable, Sendable, Equatable {
    var status = "generated"
    var div: String

    init(status: String = "generated", div: String) {
        self.status = status
        self.div = div
    }

    init(_ text: String) {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        self.init(div: "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>\(escaped)</p></div>")
    }
}

/// Code systems and identifiers Creneau writes. Creneau's own codes (motives, specialties as
/// the hospital names them) are URNs: they are stable names, not addresses to fetch.
enum FHIRSystems {
    /// A motive of consultation, by its id (the JSON API's `motive`).
    static let motive = "urn:creneau:motive"
    /// A specialty as the hospital's directory names it (`cardiologie`).
    static let specialty = "urn:creneau:specialty"
    /// A referring doctor of Creneau's directory, by its id.
    static let referringDoctor = "urn:creneau:referring-doctor"
    /// Creneau's refusal codes (the JSON API's `error.code`), in OperationOutcome details.
    static let errorCode = "urn:creneau:error"
    /// The national identifier of health professionals (IDNPS: "8" + RPPS number).
    static let idnps = "urn:oid:1.2.250.1.71.4.2.1"
    /// The ordinal specialties of the French nomenclature (NOS TRE_R38), the GAP profiles' binding.
    static let specialiteOrdinale = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
}

extension UUID {
    /// Ids as the JSON API writes them: lower-case.
    var fhir: String { uuidString.lowercased() }
}
