import Foundation

/// An appointment as the desk looks at it before changing it: who, what, when, and its history —
/// who booked, moved, cancelled or marked it, when, and by which channel. Reading it is audited
/// like every other reading of a patient's data (through `BookingService.appointment`).
public struct AppointmentFile: Sendable {
    let booking: BookingService
    let appointments: any AppointmentRepository
    let patients: any PatientRepository
    let accounts: any AccountRepository

    public init(booking: BookingService, appointments: any AppointmentRepository, patients: any PatientRepository, accounts: any AccountRepository) {
        self.booking = booking
        self.appointments = appointments
        self.patients = patients
        self.accounts = accounts
    }

    public struct Entry: Sendable {
        public var event: AppointmentEvent
        /// The member of staff, patient or doctor who acted (nil: a visitor with the confirmation's link, or the system).
        public var actor: String?
    }

    public struct File: Sendable {
        public var appointment: Appointment
        public var patient: Patient?
        public var motive: Motive
        public var timeZone: TimeZone
        public var history: [Entry]
    }

    public func file(of id: UUID, by booker: Booker) async throws -> File {
        guard booker.isStaff else { throw BookingError.forbidden("An appointment's history is for the hospital's staff.") }
        let appointment = try await booking.appointment(id: id, by: booker, manageToken: nil)
        let (motive, zone) = try await booking.context(of: appointment)
        var names: [UUID: String] = [:]
        var history: [Entry] = []
        for event in try await appointments.events(appointmentID: id).sorted(by: { $0.at < $1.at }) {
            var actor: String?
            if let accountID = event.actorAccountID {
                if names[accountID] == nil { names[accountID] = try await accounts.account(id: accountID)?.displayName }
                actor = names[accountID]
            }
            history.append(Entry(event: event, actor: actor))
        }
        return File(appointment: appointment, patient: try await patients.patient(id: appointment.patientID), motive: motive, timeZone: zone, history: history)
    }
}
