import Foundation

// The FHIR R4 resources Creneau serves. `resourceType` is a stored constant so that it is
// written first; ids are the JSON API's (lower-case UUIDs), except the Slot's, which
// names its practitioner, motive and start (`FHIRSlotID`).

struct FHIRPractitioner: Codable, Sendable {
    var resourceType = "Practitioner"
    var id: String
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var identifier: [FHIRIdentifier]?
    var active: Bool?
    var name: [FHIRHumanName]?
    var communication: [FHIRCodeableConcept]?
}

struct FHIRPractitionerRole: Codable, Sendable {
    var resourceType = "PractitionerRole"
    var id: String
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var active: Bool?
    var practitioner: FHIRReference?
    var code: [FHIRCodeableConcept]?
    var specialty: [FHIRCodeableConcept]?
    var location: [FHIRReference]?
    var healthcareService: [FHIRReference]?
}

struct FHIRHealthcareService: Codable, Sendable {
    var resourceType = "HealthcareService"
    var id: String
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var active: Bool?
    var specialty: [FHIRCodeableConcept]?
    var location: [FHIRReference]?
    var name: String?
    var appointmentRequired: Bool?
}

struct FHIRLocation: Codable, Sendable {
    var resourceType = "Location"
    var id: String
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var status: String?
    var name: String?
    var mode: String?
    var telecom: [FHIRContactPoint]?
    var address: FHIRAddress?
}

struct FHIRSchedule: Codable, Sendable {
    var resourceType = "Schedule"
    var id: String
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var active: Bool?
    var specialty: [FHIRCodeableConcept]?
    var actor: [FHIRReference]
    var comment: String?
}

struct FHIRSlot: Codable, Sendable {
    var resourceType = "Slot"
    var id: String
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var serviceType: [FHIRCodeableConcept]?
    var specialty: [FHIRCodeableConcept]?
    var schedule: FHIRReference
    var status: String
    var start: String
    var end: String
    var comment: String?
}

/// Read from a client's `POST /fhir/Appointment`: only what booking needs, anything else ignored.
struct FHIRAppointment: Codable, Sendable {
    var resourceType = "Appointment"
    var id: String?
    var meta: FHIRMeta?
    var text: FHIRNarrative?
    var contained: [FHIRContainedPatient]?
    var status: String?
    var cancelationReason: FHIRCodeableConcept?
    var serviceType: [FHIRCodeableConcept]?
    var specialty: [FHIRCodeableConcept]?
    var description: String?
    var start: String?
    var end: String?
    var minutesDuration: Int?
    var slot: [FHIRReference]?
    var created: String?
    var comment: String?
    var participant: [Participant]?

    struct Participant: Codable, Sendable {
        var type: [FHIRCodeableConcept]?
        var actor: FHIRReference?
        var required: String?
        var status: String?
    }
}

/// A new patient described inside the booking (`Appointment.contained`), as FHIR allows a
/// resource that has no identity of its own on the server yet.
struct FHIRContainedPatient: Codable, Sendable {
    var resourceType: String
    var id: String?
    var name: [FHIRHumanName]?
    var telecom: [FHIRContactPoint]?
    var birthDate: String?
    var communication: [Communication]?

    struct Communication: Codable, Sendable {
        var language: FHIRCodeableConcept
    }
}

struct FHIRBundle: Encodable, Sendable {
    var resourceType = "Bundle"
    var id: String?
    var meta: FHIRMeta?
    var type: String
    var total: Int?
    var link: [Link]?
    var entry: [Entry]?

    struct Link: Encodable, Sendable {
        var relation: String
        var url: String
    }

    struct Entry: Encodable, Sendable {
        var fullUrl: String
        var resource: any Encodable & Sendable
        var search: Search?

        struct Search: Encodable, Sendable {
            var mode: String
        }

        enum CodingKeys: String, CodingKey { case fullUrl, resource, search }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(fullUrl, forKey: .fullUrl)
            try resource.encode(to: container.superEncoder(forKey: .resource))
            try container.encodeIfPresent(search, forKey: .search)
        }
    }
}

struct FHIROperationOutcome: Codable, Sendable {
    var resourceType = "OperationOutcome"
    var issue: [Issue]

    struct Issue: Codable, Sendable {
        var severity: String
        var code: String
        var details: FHIRCodeableConcept?
        var diagnostics: String?
        var expression: [String]?
    }
}
