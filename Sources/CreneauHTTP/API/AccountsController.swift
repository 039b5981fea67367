import CreneauDomain
import Foundation
import Hummingbird

/// Patients' own accounts: `POST /api/v1/accounts` (sign up), `POST /api/v1/accounts/verify`,
/// `POST /api/v1/password-resets` and `/password-resets/confirm`, and for a signed-in
/// patient `GET|POST /api/v1/me/patients`, `DELETE /api/v1/me/patients/{id}`,
/// `GET /api/v1/me/appointments`.
struct AccountsController: Sendable {
    let accounts: PatientAccounts
    let relatives: Relatives
    let booking: BookingService
    let clock: Clock

    struct SignUpBody: Decodable {
        let email: String?
        let password: String?
        let firstName: String?
        let lastName: String?
        let birthDate: String?
        let phone: String?
        let language: String?
    }

    struct TokenBody: Decodable {
        let token: String?
        let password: String?
    }

    struct EmailBody: Decodable {
        let email: String?
    }

    struct RelativeBody: Decodable {
        let firstName: String?
        let lastName: String?
        let birthDate: String?
        let relationship: String?
        let email: String?
        let phone: String?
    }

    struct MessageJSON: Encodable {
        let message: String
    }

    struct RelativeJSON: Encodable {
        let id: String
        let firstName: String
        let lastName: String
        let birthDate: String
        let relationship: String

        init(_ entry: Relatives.Entry) {
            id = entry.patient.id.json
            firstName = entry.patient.firstName
            lastName = entry.patient.lastName
            birthDate = entry.patient.birthDate.description
            relationship = entry.relationship.rawValue
        }
    }

    struct PatientAppointmentsJSON: Encodable {
        let patient: RelativeJSON
        let upcoming: [AppointmentJSON]
        let past: [AppointmentJSON]
    }

    static let checkYourEmail = "If this address can be used, an email is on its way to it. Open the link inside within 24 hours."

    func register(on router: Router<AppRequestContext>) {
        router.post("/api/v1/accounts") { request, context in
            let body: SignUpBody = try await JSONRequest.read(request)
            try await accounts.signUp(try Self.signUp(body), address: context.clientAddress)
            return try JSON.response(MessageJSON(message: Self.checkYourEmail), status: .accepted)
        }
        router.post("/api/v1/accounts/verify") { request, context in
            let body: TokenBody = try await JSONRequest.read(request)
            guard let token = body.token, !token.isEmpty else { throw APIError.badRequest("Give the \"token\" of the link.", code: "missing_field") }
            try await accounts.verifyEmail(token: token, address: context.clientAddress)
            return try JSON.response(MessageJSON(message: "Your email address is confirmed. You can sign in."))
        }
        router.post("/api/v1/password-resets") { request, context in
            let body: EmailBody = try await JSONRequest.read(request)
            guard let email = body.email, !email.trimmed.isEmpty else { throw APIError.badRequest("Give \"email\".", code: "missing_field") }
            try await accounts.requestPasswordReset(email: email, address: context.clientAddress)
            return try JSON.response(
                MessageJSON(message: "If this address has an account, an email with a link to choose a new password is on its way. The link works for one hour."),
                status: .accepted)
        }
        router.post("/api/v1/password-resets/confirm") { request, context in
            let body: TokenBody = try await JSONRequest.read(request)
            guard let token = body.token, !token.isEmpty, let password = body.password else {
                throw APIError.badRequest("Give the \"token\" of the link and the new \"password\".", code: "missing_field")
            }
            try await accounts.resetPassword(token: token, newPassword: password, address: context.clientAddress)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }

        let patient = router.group(context: PatientContext.self)
        patient.get("/api/v1/me/patients") { _, context in
            try JSON.response(try await relatives.list(accountID: context.identity.account.id).map(RelativeJSON.init))
        }
        patient.post("/api/v1/me/patients") { request, context in
            let body: RelativeBody = try await JSONRequest.read(request)
            let (details, relationship) = try Self.relative(body)
            let entry = try await relatives.add(details, relationship: relationship, accountID: context.identity.account.id)
            return try JSON.response(RelativeJSON(entry), status: .created)
        }
        patient.delete("/api/v1/me/patients/{id}") { _, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("No relative with this id is in your account.") }
            try await relatives.remove(patientID: id, accountID: context.identity.account.id)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        patient.get("/api/v1/me/appointments") { _, context in
            let now = clock.now()
            var result: [PatientAppointmentsJSON] = []
            for (entry, appointments) in try await relatives.appointments(accountID: context.identity.account.id) {
                var upcoming: [AppointmentJSON] = [], past: [AppointmentJSON] = []
                for appointment in appointments {
                    let (motive, timeZone) = try await booking.context(of: appointment)
                    let json = AppointmentJSON(appointment, motive: motive, timeZone: timeZone)
                    if appointment.status == .booked && appointment.endsAt > now { upcoming.append(json) } else { past.append(json) }
                }
                result.append(PatientAppointmentsJSON(patient: RelativeJSON(entry), upcoming: upcoming, past: past.reversed()))
            }
            return try JSON.response(result)
        }
    }

    static func date(_ text: String?, field: String) throws -> LocalDate {
        guard let text, !text.isEmpty else { throw APIError.badRequest("Give \"\(field)\" (YYYY-MM-DD).", code: "missing_field") }
        guard let date = try InputDates.birthDate(text, field: "\"\(field)\"") else {
            throw APIError.badRequest("Give \"\(field)\" (YYYY-MM-DD).", code: "missing_field")
        }
        return date
    }

    static func signUp(_ body: SignUpBody) throws -> PatientAccounts.SignUp {
        guard let email = body.email, let password = body.password, let first = body.firstName, let last = body.lastName else {
            throw APIError.badRequest("Give \"email\", \"password\", \"firstName\", \"lastName\" and \"birthDate\".", code: "missing_field")
        }
        let language: Language
        switch body.language {
        case nil: language = .fr
        case let text?:
            guard let value = Language(rawValue: text) else { throw APIError.badRequest("\"language\" is \"fr\" or \"en\".", code: "invalid_field") }
            language = value
        }
        return PatientAccounts.SignUp(
            email: email, password: password,
            holder: PatientDetails(firstName: first, lastName: last, birthDate: try date(body.birthDate, field: "birthDate"), email: email, phone: body.phone),
            language: language)
    }

    static func relative(_ body: RelativeBody) throws -> (PatientDetails, Relationship) {
        guard let first = body.firstName, let last = body.lastName else {
            throw APIError.badRequest("Give \"firstName\", \"lastName\", \"birthDate\" and \"relationship\".", code: "missing_field")
        }
        guard let text = body.relationship else {
            throw APIError.badRequest("Give \"relationship\": child, parent, spouse or other.", code: "missing_field")
        }
        guard let relationship = Relationship(rawValue: text) else {
            throw APIError.badRequest("\"relationship\" is child, parent, spouse or other.", code: "invalid_field")
        }
        let details = PatientDetails(firstName: first, lastName: last, birthDate: try date(body.birthDate, field: "birthDate"), email: body.email, phone: body.phone)
        return (details, relationship)
    }
}
