import Foundation

/// What `creneau simulate` assumes, each with where its default comes from. Defaults describe a
/// specialist department short of capacity (the shortage the waiting list answers): four
/// dermatologists seeing 20-minute consultations, with more requests than slots.
public struct SimulationParameters: Sendable {
    /// The same seed, the same 90 days (SplitMix64; no wall-clock randomness anywhere).
    public var seed: UInt64 = 2_026
    /// The issue asks for 90 days.
    public var days = 90
    /// A hospital dermatology consultation of four doctors (AP-HP sizes: 3–6).
    public var practitioners = 4
    /// Dermatology follow-up and first visits: 20 minutes.
    public var visitMinutes = 20
    /// Booking requests per weekday as a share of the department's slots that day: above 1, the
    /// shortage patients and city doctors complain of ("first appointments take too long").
    public var demand = 1.1
    /// The weeks the department starts with already booked, and how full: a specialist
    /// consultation is booked weeks ahead (the delay to the third next available slot in French
    /// dermatology is counted in weeks). Assumption: four weeks, 95% full.
    public var backlogDays = 28
    public var backlogFill = 0.95
    /// New patients among requests. Assumption: a third (AP-HP reports most online bookings are follow-ups).
    public var newPatientShare = 0.3
    /// How far ahead a patient will wait before taking the waiting list instead: (days, share).
    /// Assumption: half want a visit within two weeks, most within a month.
    public var patience: [(days: Int, share: Double)] = [(14, 0.5), (30, 0.3), (60, 0.2)]
    /// The shortest notice a patient asking for a visit can come at: (hours, share). Someone
    /// booking today rarely comes within hours. Assumption: a fifth can, most need a day or more.
    public var requestNotice: [(hours: Double, share: Double)] = [(2, 0.2), (24, 0.4), (72, 0.4)]
    /// With no waiting list, a patient who finds nothing soon enough books the first free slot
    /// anyway with this probability (else goes elsewhere, as a third of patients would).
    public var bookLaterShare = 0.67
    /// Bookings cancelled before the visit. Assumption in line with French hospital figures (10–15%).
    public var cancellationRate = 0.12
    /// How long before the visit a cancellation comes: (hours before, share). Assumption.
    public var cancellationLead: [(hours: ClosedRange<Double>, share: Double)] = [
        (168...1_400, 0.35), (48...168, 0.30), (2...48, 0.25), (0.25...2, 0.10),
    ]
    /// No-shows without reminders: Doctolib's figures for new and known patients.
    public var noShowNew = 0.054
    public var noShowKnown = 0.035
    /// Reminders (email D-7/D-1, SMS D-2) multiply no-shows by this. Doctolib's 3.3% overall
    /// with reminders against ~5% without gives about 0.65.
    public var reminderNoShowFactor = 0.65
    /// Of the no-shows reminders prevent, the share that become a cancellation from the
    /// reminder's link 1–2 days before (the rest simply come). Assumption: half.
    public var reminderCancelShare = 0.5
    /// The chance a waiting patient accepts an offer, by the notice it gives: (at least hours, probability).
    /// Assumption: most take a slot days ahead, fewer can come within hours.
    public var acceptance: [(hours: Double, probability: Double)] = [(48, 0.85), (24, 0.75), (6, 0.6), (0, 0.4)]
    /// Those who do not accept: the share who say no (the rest stay silent until the offer lapses).
    public var declineShare = 0.5
    /// How long a patient takes to answer, in minutes (within the 15 minutes an offer holds).
    public var answerMinutes: ClosedRange<Double> = 1...12
    /// Whether the waiting list runs, and reminders are sent.
    public var waitlist = true
    public var reminders = true

    public init() {}

    /// The probability an offer giving `hours` of notice is accepted.
    func acceptance(hours: Double) -> Double {
        acceptance.first { hours >= $0.hours }?.probability ?? acceptance.last?.probability ?? 0
    }
}
