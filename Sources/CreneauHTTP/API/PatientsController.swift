import CreneauDomain
import Foundation
import Hummingbird

/// For staff: `POST /api/v1/patients/search` with `{"q", "birthDate"}` (find the caller:
/// a POST, so a patient's name and birth date never sit in a URL, a proxy log or the
/// browser history) and `GET /api/v1/patients/{id}` (their record and appointments).
/// Each patient shown is audited.
struct PatientsController: Sendable {
    let records: PatientRecords
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

    struct SearchBody: Decodable {
        let q: String?
        let birthDate: String?
    }

    struct RecordJSON: Encodable {
        let patient: PatientJSON
        let appointments: [AppointmentJSON]
    }

    func register(on router: Router<AppRequestContext>) {
        let staff = router.group(context: StaffContext.self)
        staff.post("/api/v1/patients/search") { request, context in
            let body: SearchBody = try AppointmentsController.decode(try await AppointmentsController.body(request))
            var birthDate: LocalDate?
            if let text = body.birthDate, !text.isEmpty {
                guard let date = LocalDate(text) else {
                    throw APIError.badRequest("\"birthDate\" must be a date written YYYY-MM-DD, like 1984-03-07.", code: "invalid_field")
                }
                birthDate = date
            }
            return try JSON.response(try await records.search(body.q ?? "", birthDate: birthDate, by: context.booker).map(PatientJSON.init))
        }
        staff.get("/api/v1/patients/{id}") { _, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No patient has this id.") }
            let (patient, appointments) = try await records.record(of: id, by: context.booker)
            var shown: [AppointmentJSON] = []
            for appointment in appointments {
                let (motive, timeZone) = try await booking.context(of: appointment)
                shown.append(AppointmentJSON(appointment, motive: motive, timeZone: timeZone))
            }
            return try JSON.response(RecordJSON(patient: PatientJSON(patient), appointments: shown))
        }
    }
}
