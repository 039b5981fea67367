import Foundation

/// How long Creneau keeps what it holds about people, in months (`CRENEAU_RETENTION_*`).
///
/// - `healthTexts`: what was typed about a visit — the patient's reason, staff notes, a
///   cancellation's reason, a survey's comment — and the messages sent about it, counted from the
///   visit's end. A booking system needs them for the visit, not after it: the care record is
///   the hospital's own.
/// - `dormantPatients`: the identity of someone with no visit since (names, contacts, birth day,
///   identifiers), then anonymised; their past appointments stay, as facts without a name, for
///   statistics.
/// - `accessAudit`: who read what. The CNIL advises six months to a year for such logs; the
///   database itself refuses to delete an audit row younger than six months, whatever asks.
public struct RetentionPolicy: Sendable, Equatable {
    public var healthTextMonths = 12
    public var dormantPatientMonths = 36
    public var accessAuditMonths = 12

    /// The floors and ceilings a setting must keep within.
    public static let healthTextRange = 1...240
    public static let dormantPatientRange = 12...240
    public static let accessAuditRange = 6...120

    public init() {}

    public init(healthTextMonths: Int, dormantPatientMonths: Int, accessAuditMonths: Int) {
        self.healthTextMonths = healthTextMonths
        self.dormantPatientMonths = dormantPatientMonths
        self.accessAuditMonths = accessAuditMonths
    }

    /// The instant `months` calendar months before `now` (in Paris: months are civil).
    public static func cutoff(months: Int, before now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Site.defaultZone
        return calendar.date(byAdding: .month, value: -months, to: now) ?? now.addingTimeInterval(-Double(months) * 31 * 86_400)
    }
}

extension Patient {
    /// The same person without what identifies them: names, contacts, national identifiers and
    /// birth day go; the birth year stays (age bands for statistics).
    public func anonymised() -> Patient {
        var patient = self
        patient.firstName = Self.anonymousName
        patient.lastName = Self.anonymousName
        patient.birthDate = LocalDate(year: birthDate.year, month: 1, day: 1) ?? birthDate
        patient.email = nil
        patient.phone = nil
        patient.ipp = nil
        patient.ins = nil
        return patient
    }

    public static let anonymousName = "Anonyme"
}
