import Foundation

// What the pages and the calendar file show of an appointment, and the lookups behind them.
extension BookingService {
    /// The motive and the site's time zone of an appointment, to show it.
    /// A referring doctor's own referrals from a month ago on (what they booked, and its status now).
    public func referrals(by booker: Booker, limit: Int = 100) async throws -> [Appointment] {
        guard case .referringDoctor(_, let doctorID) = booker.kind else { throw BookingError.forbidden("Referrals are listed for referring doctors.") }
        return try await deps.appointments.appointments(referringDoctorID: doctorID, from: deps.clock.now().addingTimeInterval(-30 * 86_400), limit: limit)
    }

    public func context(of appointment: Appointment) async throws -> (motive: Motive, timeZone: TimeZone) {
        guard let motive = try await motive(appointment.motiveID) else { throw BookingError.notFound("The motive of this appointment no longer exists.") }
        let profile = try await deps.directory.practitionerProfile(id: appointment.practitionerID)
        let department = profile?.departments.first { $0.id == appointment.departmentID }
        let site = profile?.sites.first { $0.id == department?.siteID }
        let timeZone = site.flatMap { TimeZone(identifier: $0.timeZone) } ?? profile?.timeZone ?? Site.defaultZone
        return (motive, timeZone)
    }

    /// The site time zone of a practitioner (for showing a hold).
    public func timeZone(ofPractitioner id: UUID) async throws -> TimeZone {
        try await deps.directory.practitionerProfile(id: id)?.timeZone ?? Site.defaultZone
    }
}

extension BookingService {
    /// The referring-doctor directory, searched as a new patient types ("dupont pontoise").
    public func searchReferringDoctors(_ query: String, limit: Int) async throws -> [ReferringDoctor] {
        try await deps.referringDoctors.searchReferringDoctors(query, limit: limit)
    }
}

extension BookingService {
    /// The appointment as a calendar event: the motive and practitioner, the site, the
    /// instructions to follow. Never the reason the patient typed (a calendar is shared
    /// more than one thinks).
    public func calendarEvent(of appointment: Appointment) async throws -> CalendarEvent {
        calendarEvent(of: appointment, summary: try await summary(of: appointment))
    }

    public func calendarEvent(of appointment: Appointment, summary: AppointmentSummary) -> CalendarEvent {
        var description = summary.motive.instructionsAfter.trimmed
        if description.isEmpty { description = "Rendez-vous \(summary.motive.name)" }
        return CalendarEvent(
            uid: "\(appointment.id.uuidString.lowercased())@creneau", start: appointment.startsAt, end: appointment.endsAt,
            summary: summary.practitionerName.isEmpty ? summary.motive.name : "\(summary.motive.name) — \(summary.practitionerName)",
            location: summary.place, description: description,
            status: appointment.status == .cancelled ? .cancelled : .confirmed, sequence: appointment.moveCount, stamp: deps.clock.now())
    }

    /// What a patient is told of an appointment: the motive, the site's time zone, who, where.
    public func summary(of appointment: Appointment) async throws -> AppointmentSummary {
        guard let motive = try await motive(appointment.motiveID) else { throw BookingError.notFound("The motive of this appointment no longer exists.") }
        let profile = try await deps.directory.practitionerProfile(id: appointment.practitionerID)
        let department = profile?.departments.first { $0.id == appointment.departmentID }
        let site = profile?.sites.first { $0.id == department?.siteID }
        let timeZone = site.flatMap { TimeZone(identifier: $0.timeZone) } ?? profile?.timeZone ?? Site.defaultZone
        let who = profile?.practitioner.displayName ?? ""
        let place = [department?.name, site?.name, site?.city].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        return AppointmentSummary(motive: motive, timeZone: timeZone, practitionerName: who, place: place)
    }
}

public struct AppointmentSummary: Sendable {
    public let motive: Motive
    public let timeZone: TimeZone
    /// "Dr Agnès Fournier".
    public let practitionerName: String
    /// "Cardiologie, MSP d'Avoine, Avoine".
    public let place: String
}
