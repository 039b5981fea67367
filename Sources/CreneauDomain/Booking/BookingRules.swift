import Foundation

/// An upcoming appointment of the patient, as anti-hoarding rules see it.
public struct UpcomingVisit: Hashable, Sendable {
    public var appointmentID: UUID
    public var departmentID: UUID
    public var specialty: String
    public var startsAt: Date

    public init(appointmentID: UUID, departmentID: UUID, specialty: String, startsAt: Date) {
        self.appointmentID = appointmentID
        self.departmentID = departmentID
        self.specialty = specialty
        self.startsAt = startsAt
    }
}

/// Everything the booking rules look at, gathered by the service.
public struct BookingFacts: Sendable {
    public var motive: Motive
    public var department: Department
    public var channel: Channel
    public var patientKind: PatientKind
    /// The referring doctor named on the booking, found in the directory (nil: none given).
    public var referringDoctorID: UUID?
    public var start: Date
    public var now: Date
    public var timeZone: TimeZone
    /// The patient's upcoming appointments (booked or arrived), in every department.
    public var upcoming: [UpcomingVisit]
    /// Staff may book past the anti-hoarding limits (a patient on the phone with two operations to plan).
    public var bookerIsStaff: Bool

    public init(
        motive: Motive, department: Department, channel: Channel, patientKind: PatientKind, referringDoctorID: UUID?,
        start: Date, now: Date, timeZone: TimeZone, upcoming: [UpcomingVisit], bookerIsStaff: Bool
    ) {
        self.motive = motive
        self.department = department
        self.channel = channel
        self.patientKind = patientKind
        self.referringDoctorID = referringDoctorID
        self.start = start
        self.now = now
        self.timeZone = timeZone
        self.upcoming = upcoming
        self.bookerIsStaff = bookerIsStaff
    }
}

/// The booking rules that do not depend on the agenda, in the order
/// a patient should hear them: the first that fails is the answer.
public enum BookingRules {
    public static func check(_ facts: BookingFacts) -> RuleViolation? {
        let motive = facts.motive
        if !motive.channels.contains(facts.channel) {
            return RuleViolation(.channelNotAllowed, "“\(motive.name)” cannot be booked \(facts.channel.phrase). \(motive.channels.howToBook)")
        }
        switch (motive.patients, facts.patientKind) {
        case (.known, .new):
            return RuleViolation(.knownPatientsOnly, "“\(motive.name)” is for patients already followed by this department. For a first visit, choose a motive for new patients.")
        case (.new, .known):
            return RuleViolation(.newPatientsOnly, "“\(motive.name)” is for a first visit. As a patient already followed by this department, choose a follow-up motive.")
        default:
            break
        }
        if facts.patientKind == .new && facts.referringDoctorID == nil && motive.needsReferral(in: facts.department) {
            return RuleViolation(.referringDoctorRequired, "A first visit in this department needs the doctor who referred you. Choose them from the directory of health professionals.")
        }
        if facts.start < facts.now {
            return RuleViolation(.inThePast, "This time has already passed. Choose a slot in the future.")
        }
        let earliest = facts.now.addingTimeInterval(TimeInterval(motive.minimumNoticeMinutes * 60))
        if facts.start < earliest {
            return RuleViolation(.tooSoon, "This slot starts too soon: “\(motive.name)” is booked at least \(TimePhrase.minutes(motive.minimumNoticeMinutes)) ahead.")
        }
        let horizon = motive.horizonDays(for: facts.channel)
        let latest = facts.now.addingTimeInterval(TimeInterval(horizon * 86_400))
        if facts.start > latest {
            return RuleViolation(.tooFarAhead, "This slot is too far ahead: “\(motive.name)” is booked at most \(horizon) days ahead\(horizon < motive.horizonDays ? " online; call the department for a later date" : "").")
        }
        if facts.bookerIsStaff { return nil }
        let department = facts.department
        let inDepartment = facts.upcoming.filter { $0.departmentID == department.id }
        if inDepartment.count >= department.maxFutureAppointmentsPerPatient {
            return RuleViolation(.tooManyUpcoming, "This patient already has \(inDepartment.count) upcoming appointment\(inDepartment.count == 1 ? "" : "s") in \(department.name), the most that can be booked online. Cancel one, or call the department.")
        }
        if department.sameSpecialtyGapDays > 0 {
            let gap = TimeInterval(department.sameSpecialtyGapDays * 86_400)
            if let close = facts.upcoming.first(where: { $0.specialty == department.specialty && abs($0.startsAt.timeIntervalSince(facts.start)) < gap }) {
                let day = LocalDate(close.startsAt, in: facts.timeZone)
                return RuleViolation(.sameSpecialtyTooClose, "This patient already has a \(department.specialty) appointment on \(day). Two appointments of the same specialty must be at least \(department.sameSpecialtyGapDays) days apart.")
            }
        }
        return nil
    }

    /// Free texts a patient types are bounded so that nobody stores a novel in a reason field.
    public static let maximumTextLength = 1_000

    public static func checkText(_ text: String?, field: String) -> RuleViolation? {
        guard let text, text.count > maximumTextLength else { return nil }
        return RuleViolation(.textTooLong, "The \(field) is too long: at most \(maximumTextLength) characters.")
    }
}

extension Channel {
    /// "online", "by phone"… as in "cannot be booked online".
    public var phrase: String {
        switch self {
        case .online: "online"
        case .phone: "by phone"
        case .desk: "at the desk"
        case .referral: "by a referring doctor"
        case .practitioner: "by the practitioner"
        }
    }
}

extension ChannelSet {
    /// What to tell a patient who cannot book through their channel.
    var howToBook: String {
        if contains(.phone) || contains(.desk) { return "Please call the department to book it." }
        if contains(.referral) { return "Your doctor can book it for you through the referral portal." }
        return "It is booked by the practitioner during a visit."
    }
}

enum TimePhrase {
    static func minutes(_ minutes: Int) -> String {
        if minutes % 1440 == 0 { return "\(minutes / 1440) day\(minutes == 1440 ? "" : "s")" }
        if minutes % 60 == 0 { return "\(minutes / 60) hour\(minutes == 60 ? "" : "s")" }
        return "\(minutes) minutes"
    }
}
