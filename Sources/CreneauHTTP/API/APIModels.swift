import CreneauDomain
import Foundation

extension UUID {
    /// Identifiers in JSON are lower-case, as RFC 4122 writes them and as URLs carry them.
    var json: String { UUIDText.format(self) }
}

// The JSON of API v1 (README.md, "API v1"). Field names are the contract other tools rely on.

struct SiteJSON: Encodable {
    let id: String
    let name: String
    let slug: String
    let city: String
    let timeZone: String

    init(_ site: Site) {
        id = site.id.json
        name = site.name
        slug = site.slug
        city = site.city
        timeZone = site.timeZone
    }
}

struct DepartmentJSON: Encodable {
    let id: String
    let name: String
    let specialty: String
    let siteId: String

    init(_ department: Department) {
        id = department.id.json
        name = department.name
        specialty = department.specialty
        siteId = department.siteID.json
    }
}

struct PractitionerJSON: Encodable {
    let id: String
    let name: String
    let title: String
    let firstName: String
    let lastName: String
    let profession: String
    let specialty: String
    let languages: [String]
    let sites: [SiteJSON]
    let departments: [DepartmentJSON]

    init(_ profile: PractitionerProfile) {
        let practitioner = profile.practitioner
        id = practitioner.id.json
        name = practitioner.displayName
        title = practitioner.title
        firstName = practitioner.firstName
        lastName = practitioner.lastName
        profession = practitioner.profession
        specialty = practitioner.specialty
        languages = practitioner.languages
        sites = profile.sites.map(SiteJSON.init)
        departments = profile.departments.map(DepartmentJSON.init)
    }
}

struct MotiveJSON: Encodable {
    let id: String
    let name: String
    let departmentId: String
    let durationMinutes: Int
    let channels: [Channel]
    let patients: PatientAcceptance
    /// Shown before booking.
    let instructions: String
    /// Shown on the confirmation.
    let instructionsAfter: String
    let capacity: Int
    let horizonDays: Int

    init(_ motive: Motive) {
        id = motive.id.json
        name = motive.name
        departmentId = motive.departmentID.json
        durationMinutes = motive.durationMinutes
        channels = motive.channels.channels
        patients = motive.patients
        instructions = motive.instructionsBefore
        instructionsAfter = motive.instructionsAfter
        capacity = motive.capacity
        horizonDays = motive.horizonDays
    }
}

struct SlotJSON: Encodable {
    let start: String
    let end: String
    /// Only for group sessions.
    let seatsLeft: Int?

    init(_ slot: Slot, timeZone: TimeZone, group: Bool) {
        start = RFC3339.format(slot.start, in: timeZone)
        end = RFC3339.format(slot.end, in: timeZone)
        seatsLeft = group ? slot.seatsLeft : nil
    }
}

struct AvailabilityJSON: Encodable {
    let practitioner: String
    let motive: String
    let channel: Channel
    let timeZone: String
    let from: String
    let days: Int
    let slots: [SlotJSON]
}

struct SearchResultJSON: Encodable {
    let practitioner: PractitionerJSON
    let motive: MotiveJSON?
    let slots: [SlotJSON]
}

struct SearchJSON: Encodable {
    let from: String
    let days: Int
    let results: [SearchResultJSON]
}
