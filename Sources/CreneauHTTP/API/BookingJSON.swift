import CreneauDomain
import Foundation

/// `POST /api/v1/appointments`, as sent. Every field is optional here so that
/// a missing or malformed one gets a message naming it, not a decoding error.
struct BookingBody: Decodable {
    struct PatientBody: Decodable {
        let firstName: String?
        let lastName: String?
        let birthDate: String?
        let email: String?
        let phone: String?
        /// "fr" (default) or "en": the language of the messages a new patient receives.
        let language: String?
    }

    let practitioner: String?
    let motive: String?
    let start: String?
    let patient: PatientBody?
    let patientId: String?
    let reason: String?
    let notes: String?
    let channel: String?
    let referringDoctor: String?
    let hold: String?
    /// The token `POST /api/v1/holds` gave with the hold (not needed by the account that placed it).
    let holdToken: String?
}

struct HoldBody: Decodable {
    let practitioner: String?
    let motive: String?
    let start: String?
    let channel: String?
}

struct CancelBody: Decodable {
    let reason: String?
}

struct MoveBody: Decodable {
    let start: String?
    let reason: String?
}

/// An appointment as the API shows it. `manageToken` only in the answer to the booking itself.
struct AppointmentJSON: Encodable {
    let id: String
    let status: String
    let start: String
    let end: String
    let timeZone: String
    let practitioner: String
    let motive: String
    let motiveName: String
    let department: String
    let patientId: String
    let channel: String
    let reason: String?
    let instructions: String
    let cancelledBy: String?
    let cancellationReason: String?
    let moves: Int
    let createdAt: String
    let manageToken: String?
    let links: Links

    struct Links: Encodable {
        let `self`: String
        let cancel: String
        let move: String
    }

    init(_ appointment: Appointment, motive: Motive, timeZone: TimeZone, manageToken: String? = nil) {
        id = appointment.id.json
        status = appointment.status.rawValue
        start = RFC3339.format(appointment.startsAt, in: timeZone)
        end = RFC3339.format(appointment.endsAt, in: timeZone)
        self.timeZone = timeZone.identifier
        practitioner = appointment.practitionerID.json
        self.motive = motive.id.json
        motiveName = motive.name
        department = appointment.departmentID.json
        patientId = appointment.patientID.json
        channel = appointment.channel.rawValue
        reason = appointment.reason
        instructions = motive.instructionsAfter
        cancelledBy = appointment.cancelledBy?.rawValue
        cancellationReason = appointment.cancellationReason
        moves = appointment.moveCount
        createdAt = RFC3339.format(appointment.createdAt, in: timeZone)
        self.manageToken = manageToken
        let base = Self.link(appointment.id)
        links = Links(self: base, cancel: base + "/cancel", move: base + "/move")
    }

    static func link(_ id: UUID) -> String { "/api/v1/appointments/\(id.json)" }
}

struct HoldJSON: Encodable {
    let id: String
    let practitioner: String
    let motive: String
    let start: String
    let end: String
    let expiresAt: String
    /// Proves the hold is yours: send it to book with the hold (`holdToken`) or to release it
    /// (`Creneau-Hold-Token`). Shown once.
    let token: String

    init(_ hold: Hold, token: String, timeZone: TimeZone) {
        self.token = token
        id = hold.id.json
        practitioner = hold.practitionerID.json
        motive = hold.motiveID.json
        start = RFC3339.format(hold.startsAt, in: timeZone)
        end = RFC3339.format(hold.endsAt, in: timeZone)
        expiresAt = RFC3339.format(hold.expiresAt, in: timeZone)
    }
}

struct ReferringDoctorJSON: Encodable {
    let id: String
    let nationalId: String
    let name: String
    let profession: String
    let specialty: String
    let city: String
    let postalCode: String

    init(_ doctor: ReferringDoctor) {
        id = doctor.id.json
        nationalId = doctor.nationalID
        name = "\(doctor.firstName) \(doctor.lastName)".trimmingCharacters(in: .whitespaces)
        profession = doctor.profession
        specialty = doctor.specialty
        city = doctor.city
        postalCode = doctor.postalCode
    }
}

struct ReferringDoctorsJSON: Encodable {
    let referringDoctors: [ReferringDoctorJSON]
}
