import Foundation

/// `GET /fhir/metadata`: exactly what this server supports — the resources, their
/// interactions and search parameters, the GAP profiles — as the routes in `FHIRController`
/// implement them. A test checks each listed interaction answers.
enum FHIRCapability {
    struct Statement: Encodable, Sendable {
        var resourceType = "CapabilityStatement"
        var url: String
        var name = "CreneauFHIR"
        var title = "Creneau — FHIR R4 (ANS Gestion d'Agendas Partagés 3.0.0)"
        var status = "active"
        var date: String
        var publisher = "Creneau"
        var description: String
        var kind = "instance"
        var software = Software()
        var implementation: Implementation
        var fhirVersion = "4.0.1"
        var format = ["json"]
        var implementationGuide = ["https://interop.esante.gouv.fr/ig/fhir/gap/ImplementationGuide/ans.fhir.fr.gap"]
        var rest: [Rest]
    }

    struct Software: Encodable, Sendable {
        var name = "Creneau"
    }

    struct Implementation: Encodable, Sendable {
        var description: String
        var url: String
    }

    struct Rest: Encodable, Sendable {
        var mode = "server"
        var documentation: String
        var security: Security
        var resource: [Resource]
    }

    struct Security: Encodable, Sendable {
        var description: String
    }

    struct Resource: Encodable, Sendable {
        var type: String
        var supportedProfile: [String]?
        var interaction: [Interaction]
        var searchParam: [SearchParam]?
    }

    struct Interaction: Encodable, Sendable {
        var code: String
        var documentation: String?
    }

    struct SearchParam: Encodable, Sendable {
        var name: String
        var type: String
        var documentation: String?
    }

    static func interactions(_ codes: String...) -> [Interaction] { codes.map { Interaction(code: $0) } }

    static func parameters(_ pairs: (String, String, String)...) -> [SearchParam] {
        pairs.map { SearchParam(name: $0.0, type: $0.1, documentation: $0.2) } + [
            SearchParam(name: "_id", type: "token", documentation: "The resource's id."),
            SearchParam(name: "_count", type: "number", documentation: "Entries per page, 0 to 500 (50 by default); the bundle's next link pages on."),
        ]
    }

    /// The resources and what each supports, in the order of `FHIRController.register`.
    static let resources: [Resource] = [
        Resource(type: "Practitioner", interaction: interactions("read", "search-type"),
                 searchParam: parameters(("name", "string", "Words of the name, accent-insensitive; practitioners in service only."))),
        Resource(type: "PractitionerRole", interaction: interactions("read", "search-type"), searchParam: parameters(
            ("practitioner", "reference", "Practitioner/{id}; a PractitionerRole has the id of its practitioner."),
            ("specialty", "token", "The hospital's specialty code (\(FHIRSystems.specialty)) or the national one (TRE_R38)."),
            ("location", "reference", "Location/{id}: who works at this site."),
            ("service", "reference", "HealthcareService/{id}: who works in this department."))),
        Resource(type: "HealthcareService", interaction: interactions("read", "search-type"), searchParam: parameters(
            ("location", "reference", "Location/{id}."), ("specialty", "token", "The specialty code."), ("name", "string", "Words of the name."),
            ("active", "token", "true or false."))),
        Resource(type: "Location", interaction: interactions("read", "search-type"), searchParam: parameters(
            ("name", "string", "Words of the name."), ("address-city", "string", "The start of the town's name."))),
        Resource(type: "Schedule", supportedProfile: [FHIRMapping.scheduleProfile], interaction: interactions("read", "search-type"), searchParam: parameters(
            ("actor", "reference", "Practitioner/{id} or PractitionerRole/{id}; a Schedule has the id of its practitioner."),
            ("specialty", "token", "The specialty code."), ("active", "token", "true or false."))),
        Resource(type: "Slot", supportedProfile: [FHIRMapping.slotProfile], interaction: interactions("read", "search-type"), searchParam: parameters(
            ("schedule", "reference", "Schedule/{id} (required)."),
            ("start", "date", "ge, gt, le, lt or eq a date or time; from now to 7 days ahead by default, 31 days at most."),
            ("status", "token", "free (only free slots are published)."),
            ("service-type", "token", "A motive, \(FHIRSystems.motive)|{id}."),
            ("specialty", "token", "The specialty code."),
            ("channel", "token", "online by default; staff may ask phone, desk or practitioner, referring doctors referral."))),
        Resource(type: "Appointment", supportedProfile: [FHIRMapping.appointmentProfile], interaction: [
            Interaction(code: "read", documentation: "The patient's account, staff of the department, the referring doctor, or a visitor with the Creneau-Manage-Token header."),
            Interaction(code: "search-type", documentation: "Signed in: a patient account's people, a referring doctor's referrals, or (staff) one practitioner's agenda."),
            Interaction(code: "create", documentation: "Book a Slot: slot [Slot/{id}], the patient as a participant (Patient/{id} or a contained Patient). 201 with Location; 409 taken; 422 a rule refused. Idempotency-Key honoured."),
            Interaction(code: "update", documentation: "Cancel (status cancelled), staff's arrived / fulfilled / noshow, or move (a new start)."),
        ], searchParam: parameters(
            ("patient", "reference", "Patient/{id}."), ("practitioner", "reference", "Practitioner/{id} (required for staff)."),
            ("date", "date", "ge, gt, le, lt or eq: when the appointment takes place."), ("status", "token", "booked, arrived, fulfilled, noshow or cancelled."))),
    ]

    static func statement(base: String, now: Date) -> Statement {
        Statement(
            url: base + "/metadata", date: RFC3339.format(now, in: FHIRMapping.utc),
            description: "Appointments in public hospitals and health centres: the directory, agendas, free slots and booking.",
            implementation: Implementation(description: "Creneau", url: base),
            rest: [Rest(
                documentation: "Ids are those of Creneau's JSON API; a Slot's id names its practitioner, motive and start. Errors are OperationOutcome with Creneau's code in details.",
                security: Security(description: "Bearer tokens from POST /api/v1/sessions (staff, referring doctors, patient accounts); anonymous callers read the directory and free slots and book online."),
                resource: resources)])
    }
}
