import CreneauDomain
import Foundation
import Hummingbird

/// For staff: `POST /api/v1/patients/search` with `{"q", "birthDate"}` (find the caller:
/// a POST, so a patient's name and birth date never sit in a URL, a proxy log or the
/// browser history) and `GET /api/v1/patients/{id}` (their record and appointments).
/// Each patient shown is audited.
struct PatientsController: Sendable {
    let records: PatientRecords
    let index: PatientIndex
    let booking: BookingService

    struct PatientJSON: Encodable {
        let id: String
        let firstName: String
        let lastName: String
        let birthDate: String
        let email: String?
        let phone: String?

        init(_ patient: Patient) {
            id = patient.id.json
            firstName = patient.firstName
            lastName = patient.lastName
            birthDate = patient.birthDate.description
            email = patient.email
            phone = patient.phone
        }
    }

    /// A search result says who the patient is, enough to tell two Martins apart, and
    /// nothing to reach them by: their contact details are in the record.
    struct FoundJSON: Encodable {
        let id: String
        let firstName: String
        let lastName: String
        let birthDate: String

        init(_ patient: Patient) {
            id = patient.id.json
            firstName = patient.firstName
            lastName = patient.lastName
            birthDate = patient.birthDate.description
        }
    }

    struct SearchBody: Decodable {
        let q: String?
        let birthDate: String?
    }

    struct DuplicatesJSON: Encodable {
        let groups: [[PatientJSON]]
    }

    struct MergeBody: Decodable {
        let into: String?
    }

    struct MergedJSON: Encodable {
        let kept: String
        let merged: String
        let appointmentsMoved: Int
        let departmentsKnown: Int
        let accountsMoved: Int
    }

    struct KnownBody: Decodable {
        let department: String?
    }

    struct KnownJSON: Encodable {
        let patient: String
        let department: String
        /// False when the department already knew the patient.
        let added: Bool
    }

    struct RecordJSON: Encodable {
        let patient: PatientJSON
        let appointments: [AppointmentJSON]
    }

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffContext.self)
        staff.post("/api/v1/patients/search") { request, context in
            let body: SearchBody = try await JSONRequest.read(request)
            let birthDate = try InputDates.birthDate(body.birthDate, field: "\"birthDate\"")
            return try JSON.response(try await records.search(body.q ?? "", birthDate: birthDate, by: context.booker).map(FoundJSON.init))
        }
        // Records that look like one person twice, for secretaries and administrators to merge.
        staff.get("/api/v1/patients/duplicates") { _, context in
            try JSON.response(DuplicatesJSON(groups: try await index.duplicates(by: context.booker).map { $0.map(PatientJSON.init) }))
        }
        staff.post("/api/v1/patients/{id}/merge") { request, context in
            guard let text = context.parameters.get("id"), let duplicate = UUID(uuidString: text) else { throw APIError.notFound("No patient has this id.") }
            let body: MergeBody = try await JSONRequest.read(request)
            let keep = try JSONRequest.requiredID(body.into, field: "into")
            let result = try await index.merge(duplicate, into: keep, by: context.booker)
            return try JSON.response(MergedJSON(kept: keep.json, merged: duplicate.json, appointmentsMoved: result.appointments,
                                                departmentsKnown: result.departmentsKnown, accountsMoved: result.accounts))
        }
        staff.post("/api/v1/patients/{id}/known") { request, context in
            guard let text = context.parameters.get("id"), let patient = UUID(uuidString: text) else { throw APIError.notFound("No patient has this id.") }
            let body: KnownBody = try await JSONRequest.read(request)
            let department = try JSONRequest.requiredID(body.department, field: "department")
            let added = try await index.markKnown(patientID: patient, departmentID: department, by: context.booker)
            return try JSON.response(KnownJSON(patient: patient.json, department: department.json, added: added))
        }
        // `?breakGlass=emergency|patient_request|continuity_of_care` opens the record of a patient
        // none of the caller's departments knows; the reason is audited with the reading.
        staff.get("/api/v1/patients/{id}") { request, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No patient has this id.") }
            var reason: PatientRecords.BreakGlassReason?
            if let given = request.uri.queryParameters.get("breakGlass").map({ String($0) }) {
                guard let parsed = PatientRecords.BreakGlassReason(rawValue: given) else {
                    let choices = PatientRecords.BreakGlassReason.allCases.map(\.rawValue).joined(separator: ", ")
                    throw APIError.badRequest("breakGlass must be one of: \(choices).", code: "invalid_parameter")
                }
                reason = parsed
            }
            let (patient, appointments) = try await records.record(of: id, by: context.booker, breakGlass: reason)
            var shown: [AppointmentJSON] = []
            for appointment in appointments {
                let (motive, timeZone) = try await booking.context(of: appointment)
                shown.append(AppointmentJSON(appointment, motive: motive, timeZone: timeZone))
            }
            return try JSON.response(RecordJSON(patient: PatientJSON(patient), appointments: shown))
        }
    }
}
