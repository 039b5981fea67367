import CreneauDomain
import Foundation

/// Creneau's directory and agenda as FHIR resources: a site is a Location, a department a
/// HealthcareService, a practitioner a Practitioner with one PractitionerRole (their
/// departments and sites) and one Schedule (their agenda), a free time for a motive a Slot.
/// Schedule, Slot and Appointment carry the ANS GAP 3.0.0 profiles; the GAP guide profiles
/// nothing else, so the others are plain R4.
enum FHIRMapping {
    static let gapBase = "https://interop.esante.gouv.fr/ig/fhir/gap/StructureDefinition/"
    static let scheduleProfile = gapBase + "gap-fr-schedule"
    static let slotProfile = gapBase + "gap-fr-slot"
    static let appointmentProfile = gapBase + "gap-fr-appointment"

    /// Creneau's specialties with their code in the ordinal specialties of the French
    /// nomenclature (TRE_R38), which the GAP profiles bind `specialty` to (required). Only codes
    /// checked against the guide's own examples are listed: a specialty without one is left out
    /// of those elements rather than miscoded (the hospital's code is still in PractitionerRole
    /// and HealthcareService). Completing it needs the NOS TRE_R38 table, not memory.
    static let specialiteOrdinale: [String: (code: String, display: String)] = [
        "medecine-generale": ("SM54", "Médecine générale (SM)"),
    ]

    /// The specialty in the national nomenclature, when it has a code there (GAP's binding).
    static func nationalSpecialty(_ code: String) -> [FHIRCodeableConcept]? {
        guard let known = specialiteOrdinale[code] else { return nil }
        return [FHIRCodeableConcept(system: FHIRSystems.specialiteOrdinale, code: known.code, display: known.display)]
    }

    /// The specialty as the hospital names it, with the national code beside it when known.
    static func specialty(_ code: String, name: String? = nil) -> [FHIRCodeableConcept]? {
        guard !code.isEmpty else { return nil }
        var codings = [FHIRCoding(system: FHIRSystems.specialty, code: code, display: name)]
        if let known = specialiteOrdinale[code] {
            codings.append(FHIRCoding(system: FHIRSystems.specialiteOrdinale, code: known.code, display: known.display))
        }
        return [FHIRCodeableConcept(coding: codings, text: name ?? code)]
    }

    static func motive(_ motive: Motive) -> [FHIRCodeableConcept] {
        [FHIRCodeableConcept(system: FHIRSystems.motive, code: motive.id.fhir, display: motive.name)]
    }

    static func practitioner(_ practitioner: Practitioner) -> FHIRPractitioner {
        FHIRPractitioner(
            id: practitioner.id.fhir, text: FHIRNarrative([practitioner.displayName, practitioner.profession].filter { !$0.isEmpty }.joined(separator: ", ")),
            identifier: practitioner.rpps.flatMap { $0.isEmpty ? nil : [FHIRIdentifier(use: "official", system: FHIRSystems.idnps, value: "8" + $0)] },
            active: practitioner.isActive,
            name: [FHIRHumanName(
                use: "official", text: practitioner.displayName, family: practitioner.lastName,
                given: practitioner.firstName.isEmpty ? nil : [practitioner.firstName],
                prefix: practitioner.title.isEmpty ? nil : [practitioner.title])],
            communication: practitioner.languages.isEmpty ? nil
                : practitioner.languages.map { FHIRCodeableConcept(system: "urn:ietf:bcp:47", code: $0) })
    }

    static func role(_ profile: PractitionerProfile) -> FHIRPractitionerRole {
        let practitioner = profile.practitioner
        return FHIRPractitionerRole(
            id: practitioner.id.fhir,
            text: FHIRNarrative(([practitioner.displayName] + profile.departments.map(\.name) + profile.sites.map(\.name)).joined(separator: " — ")),
            active: practitioner.isActive, practitioner: FHIRReference("Practitioner", practitioner.id, display: practitioner.displayName),
            code: practitioner.profession.isEmpty ? nil : [FHIRCodeableConcept(text: practitioner.profession)],
            specialty: specialty(practitioner.specialty),
            location: profile.sites.isEmpty ? nil : profile.sites.map { FHIRReference("Location", $0.id, display: $0.name) },
            healthcareService: profile.departments.isEmpty ? nil : profile.departments.map { FHIRReference("HealthcareService", $0.id, display: $0.name) })
    }

    static func service(_ department: Department, site: Site?) -> FHIRHealthcareService {
        FHIRHealthcareService(
            id: department.id.fhir, text: FHIRNarrative([department.name, site?.name].compactMap { $0 }.joined(separator: " — ")),
            active: department.isActive && (site?.isActive ?? true),
            specialty: specialty(department.specialty, name: department.name),
            location: [FHIRReference("Location", department.siteID, display: site?.name)],
            name: department.name, appointmentRequired: true)
    }

    static func location(_ site: Site) -> FHIRLocation {
        FHIRLocation(
            id: site.id.fhir, text: FHIRNarrative([site.name, site.address, site.city].filter { !$0.isEmpty }.joined(separator: ", ")), status: site.isActive ? "active" : "inactive", name: site.name, mode: "instance",
            telecom: site.phone.isEmpty ? nil : [FHIRContactPoint(system: "phone", value: site.phone, use: "work")],
            address: FHIRAddress(text: site.address.isEmpty ? nil : site.address, city: site.city.isEmpty ? nil : site.city, country: "FR"))
    }

    static func schedule(_ profile: PractitionerProfile) -> FHIRSchedule {
        let practitioner = profile.practitioner
        return FHIRSchedule(
            id: practitioner.id.fhir, meta: FHIRMeta(profile: [scheduleProfile]), text: FHIRNarrative("Agenda — \(practitioner.displayName)"), active: practitioner.isActive,
            specialty: nationalSpecialty(practitioner.specialty),
            actor: [FHIRReference("Practitioner", practitioner.id, display: practitioner.displayName),
                    FHIRReference("PractitionerRole", practitioner.id)] + profile.sites.map { FHIRReference("Location", $0.id, display: $0.name) },
            comment: practitioner.displayName)
    }

    static func slot(_ slot: Slot, practitioner: Practitioner, motive: Motive, timeZone: TimeZone) -> FHIRSlot {
        let id = FHIRSlotID(practitionerID: practitioner.id, motiveID: motive.id, start: slot.start)
        return FHIRSlot(
            id: id.text, meta: FHIRMeta(profile: [slotProfile]),
            text: FHIRNarrative("\(motive.name) — \(practitioner.displayName) — \(RFC3339.format(slot.start, in: timeZone))"), serviceType: self.motive(motive),
            specialty: nationalSpecialty(practitioner.specialty),
            schedule: FHIRReference("Schedule", practitioner.id), status: "free",
            start: RFC3339.format(slot.start, in: timeZone), end: RFC3339.format(slot.end, in: timeZone),
            comment: motive.capacity > 1 ? "\(slot.seatsLeft) place(s)" : nil)
    }

    static func status(_ status: AppointmentStatus) -> String {
        switch status {
        case .booked: "booked"
        case .arrived: "arrived"
        case .fulfilled: "fulfilled"
        case .noshow: "noshow"
        case .cancelled: "cancelled"
        }
    }

    /// An appointment for someone allowed to see it (the same reader as the JSON API's).
    static func appointment(_ appointment: Appointment, motive: Motive, timeZone: TimeZone, practitioner: Practitioner?) -> FHIRAppointment {
        var participants = [
            FHIRAppointment.Participant(actor: FHIRReference("Patient", appointment.patientID), required: "required", status: "accepted"),
            FHIRAppointment.Participant(
                actor: FHIRReference("Practitioner", appointment.practitionerID, display: practitioner?.displayName), required: "required", status: "accepted"),
            FHIRAppointment.Participant(actor: FHIRReference("HealthcareService", appointment.departmentID), required: "information-only", status: "accepted"),
        ]
        if let doctor = appointment.referringDoctorID {
            participants.append(FHIRAppointment.Participant(
                type: [FHIRCodeableConcept(system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "REF", display: "referrer")],
                actor: FHIRReference(identifier: FHIRIdentifier(system: FHIRSystems.referringDoctor, value: doctor.fhir)),
                required: "information-only", status: "accepted"))
        }
        let cancelled = appointment.status == .cancelled ? appointment.cancelledBy : nil
        return FHIRAppointment(
            id: appointment.id.fhir, meta: FHIRMeta(profile: [appointmentProfile], lastUpdated: RFC3339.format(appointment.updatedAt, in: utc)),
            text: FHIRNarrative("\(motive.name) — \(practitioner?.displayName ?? "") — \(RFC3339.format(appointment.startsAt, in: timeZone)) — \(status(appointment.status))"),
            status: status(appointment.status),
            cancelationReason: cancelled.map {
                FHIRCodeableConcept(system: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
                                    code: $0 == .patient ? "pat" : "prov", display: $0 == .patient ? "Patient" : "Provider")
            },
            serviceType: self.motive(motive), specialty: practitioner.flatMap { nationalSpecialty($0.specialty) },
            description: motive.name,
            start: RFC3339.format(appointment.startsAt, in: timeZone), end: RFC3339.format(appointment.endsAt, in: timeZone),
            minutesDuration: max(1, Int(appointment.endsAt.timeIntervalSince(appointment.startsAt) / 60)),
            slot: appointment.status == .cancelled ? nil
                : [FHIRReference(reference: "Slot/" + FHIRSlotID(practitionerID: appointment.practitionerID, motiveID: appointment.motiveID, start: appointment.startsAt).text)],
            created: RFC3339.format(appointment.createdAt, in: timeZone),
            comment: appointment.reason.flatMap { $0.isEmpty ? nil : $0 },
            participant: participants)
    }

    static let utc = TimeZone(identifier: "UTC") ?? .current

    /// An instant in UTC written with `Z` (no `+` to escape in a URL's query).
    static func utcInstant(_ date: Date) -> String {
        let text = RFC3339.format(date, in: utc)
        return text.hasSuffix("+00:00") ? String(text.dropLast(6)) + "Z" : text
    }
}
