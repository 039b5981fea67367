import CreneauDomain
import Foundation
import Testing

/// What a booking or a change sends, when, to whom; numbers, SMS lengths, schedules and signed links.
@Suite("Notifications: planning, phone numbers, SMS length, schedules, signed links")
struct NotificationRulesTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!
    static let now = LocalDate("2026-11-23")!.instant(atMinute: 8 * 60, in: paris)
    static let planner = NoticePlanner(ids: .random)

    static func appointment(on day: String, at minute: Int = 9 * 60, moves: Int = 0, status: AppointmentStatus = .booked) -> Appointment {
        let start = LocalDate(day)!.instant(atMinute: minute, in: paris)
        var appointment = Appointment(
            id: UUID(), departmentID: UUID(), motiveID: UUID(), practitionerID: UUID(), patientID: UUID(), resourceIDs: [], startsAt: start,
            endsAt: start.addingTimeInterval(1_800), channel: .online, createdAt: now)
        appointment.moveCount = moves
        appointment.status = status
        return appointment
    }

    static func patient(email: String? = "lea@example.org", phone: String? = "06 12 34 56 78") -> Patient {
        Patient(id: UUID(), firstName: "Léa", lastName: "Martin", birthDate: LocalDate("1992-05-14")!, email: email, phone: phone, createdAt: now)
    }

    static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = paris
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    @Test("a booking: both confirmations now, reminders at 10:00 Paris time on D-7 (email), D-2 (SMS), D-1 (email), across the change to winter time")
    func booking() {
        let messages = Self.planner.booked(Self.appointment(on: "2026-12-07"), to: NoticeRecipient(Self.patient()), schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(messages.map { "\($0.kind.rawValue) \($0.channel.rawValue) \(Self.local($0.nextAttemptAt))" } == [
            "confirmation email 2026-11-23 08:00", "confirmation sms 2026-11-23 08:00",
            "reminder email 2026-11-30 10:00", "reminder sms 2026-12-05 10:00", "reminder email 2026-12-06 10:00",
        ])
        #expect(messages.first { $0.channel == .sms }?.recipient == "+33612345678")
        // One key per appointment × kind × point × channel: planning twice gives the same keys.
        let again = Self.planner.booked(messages[0].appointmentID.map { id in var a = Self.appointment(on: "2026-12-07"); a.id = id; return a }!,
                                        to: NoticeRecipient(Self.patient()), schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(again.map(\.dedupeKey) == messages.map(\.dedupeKey))
        #expect(Set(messages.compactMap(\.dedupeKey)).count == messages.count)
    }

    @Test("no reminder within 12 hours of the booking or within the hour before the visit")
    func tooClose() {
        let tomorrow = Self.planner.booked(Self.appointment(on: "2026-11-24", at: 8 * 60 + 30), to: NoticeRecipient(Self.patient()),
                                           schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(tomorrow.map { "\($0.kind.rawValue) \($0.channel.rawValue)" } == ["confirmation email", "confirmation sms"])
        let later = Self.planner.booked(Self.appointment(on: "2026-11-25"), to: NoticeRecipient(Self.patient()), schedule: .standard, zone: Self.paris,
                                        now: Self.now)
        #expect(later.filter { $0.kind == .reminder }.map { Self.local($0.nextAttemptAt) } == ["2026-11-24 10:00"])
        let sameDay = ReminderSchedule([.init(.email, daysBefore: 1)])
        let evening = Self.planner.booked(Self.appointment(on: "2026-11-25", at: 10 * 60 + 30), to: NoticeRecipient(Self.patient()), schedule: sameDay,
                                          zone: Self.paris, now: Self.now)
        #expect(evening.filter { $0.kind == .reminder }.count == 1)
    }

    @Test("reachability: no email → SMS points only; a schedule without SMS points goes by SMS to them; a landline, STOP or no choice → nothing on that channel")
    func channels() {
        let phoneOnly = NoticeRecipient(Self.patient(email: nil))
        #expect(Self.planner.booked(Self.appointment(on: "2026-12-07"), to: phoneOnly, schedule: .standard, zone: Self.paris, now: Self.now)
            .map { "\($0.kind.rawValue) \($0.channel.rawValue)" } == ["confirmation sms", "reminder sms"])
        let emailOnlySchedule = ReminderSchedule([.init(.email, daysBefore: 7), .init(.email, daysBefore: 1)])
        #expect(Self.planner.booked(Self.appointment(on: "2026-12-07"), to: phoneOnly, schedule: emailOnlySchedule, zone: Self.paris, now: Self.now)
            .filter { $0.kind == .reminder }.map { "\($0.channel.rawValue) \(Self.local($0.nextAttemptAt))" } == ["sms 2026-11-30 10:00", "sms 2026-12-06 10:00"])
        #expect(NoticeRecipient(Self.patient(phone: "01 45 67 89 10")).mobile == nil)
        var stopped = Self.patient()
        stopped.smsStoppedAt = Self.now
        #expect(NoticeRecipient(stopped).mobile == nil)
        var noEmail = Self.patient()
        noEmail.wantsEmail = false
        #expect(NoticeRecipient(noEmail).email == nil && NoticeRecipient(noEmail).mobile != nil)
        #expect(Self.planner.booked(Self.appointment(on: "2026-12-07"), to: NoticeRecipient(Self.patient(email: nil, phone: nil)), schedule: .standard,
                                    zone: Self.paris, now: Self.now).isEmpty)
        #expect(Self.planner.booked(Self.appointment(on: "2026-12-07"), to: NoticeRecipient(Self.patient()), schedule: .off, zone: Self.paris,
                                    now: Self.now).allSatisfy { $0.kind == .confirmation })
    }

    @Test("changes: the hospital's on every channel with its reason; the patient's own a receipt by one; a move plans new reminders; a fulfilled visit a survey the next morning")
    func changes() {
        let before = Self.appointment(on: "2026-12-07")
        var cancelled = before
        cancelled.status = .cancelled
        let byHospital = Self.planner.changed(from: before, to: cancelled, byHospital: true, reason: " Congrès ", to: NoticeRecipient(Self.patient()),
                                              schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(byHospital.map(\.channel) == [.email, .sms] && byHospital.allSatisfy { $0.kind == .cancelled && $0.notice?.reason == "Congrès" && $0.notice?.byHospital == true })
        let receipt = Self.planner.changed(from: before, to: cancelled, byHospital: false, reason: nil, to: NoticeRecipient(Self.patient()),
                                           schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(receipt.map(\.channel) == [.email])
        var moved = before
        moved.startsAt = LocalDate("2026-12-09")!.instant(atMinute: 14 * 60, in: Self.paris)
        moved.endsAt = moved.startsAt.addingTimeInterval(1_800)
        moved.moveCount = 1
        let move = Self.planner.changed(from: before, to: moved, byHospital: true, reason: nil, to: NoticeRecipient(Self.patient()),
                                        schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(move.filter { $0.kind == .moved }.allSatisfy { $0.notice?.previousStart == before.startsAt })
        #expect(move.filter { $0.kind == .reminder }.map { Self.local($0.nextAttemptAt) } == ["2026-12-02 10:00", "2026-12-07 10:00", "2026-12-08 10:00"])
        // New keys: the reminders of the first time were skipped, these are new ones.
        let first = Self.planner.booked(before, to: NoticeRecipient(Self.patient()), schedule: .standard, zone: Self.paris, now: Self.now)
        #expect(Set(first.compactMap(\.dedupeKey)).isDisjoint(with: Set(move.compactMap(\.dedupeKey))))
        var fulfilled = before
        fulfilled.status = .fulfilled
        let survey = Self.planner.changed(from: before, to: fulfilled, byHospital: true, reason: nil, to: NoticeRecipient(Self.patient()),
                                          schedule: .standard, zone: Self.paris, now: before.endsAt)
        #expect(survey.map { "\($0.kind.rawValue) \($0.channel.rawValue) \(Self.local($0.nextAttemptAt))" } == ["survey email 2026-12-08 10:00"])
        var arrived = before
        arrived.status = .arrived
        #expect(Self.planner.changed(from: before, to: arrived, byHospital: true, reason: nil, to: NoticeRecipient(Self.patient()), schedule: .standard,
                                     zone: Self.paris, now: Self.now).isEmpty)
    }

    @Test("phone numbers: French habits to E.164, landlines told apart, nonsense refused")
    func phoneNumbers() {
        for text in ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", "06-12-34-56-78"] {
            #expect(PhoneNumber(text)?.e164 == "+33612345678", "\(text)")
        }
        #expect(PhoneNumber("+32 470 12 34 56")?.e164 == "+32470123456")
        #expect(PhoneNumber("01 45 67 89 10")?.receivesSMS == false && PhoneNumber("07 11 22 33 44")?.receivesSMS == true)
        for text in ["", "12345", "06 12 34 56", "+33 6 12 34 56 78 9", "06 12 34 56 7a", "+33+6", "0612345678\n", String(repeating: "6", count: 40), "+0 612345678"] {
            #expect(PhoneNumber(text) == nil, "\(text)")
        }
    }

    @Test("SMS length: GSM-7 160 then 153 per part, the extension table counts double, anything else UCS-2 at 70 then 67; French typography kept in GSM-7")
    func smsLength() {
        #expect(SMSText.segments(of: String(repeating: "a", count: 160)) == 1)
        #expect(SMSText.segments(of: String(repeating: "a", count: 161)) == 2)
        #expect(SMSText.segments(of: String(repeating: "a", count: 306)) == 2 && SMSText.segments(of: String(repeating: "a", count: 307)) == 3)
        #expect(SMSText.units(of: "€[]") == 6 && SMSText.encoding(of: "RDV confirmé à 09:00, ù è") == .gsm7)
        #expect(SMSText.encoding(of: "Cœur 😀") == .ucs2 && SMSText.segments(of: String(repeating: "ê", count: 71)) == 2)
        let friendly = SMSText.gsmFriendly("L’hôpital a déplacé votre RDV — « cœur », reçu…")
        #expect(friendly == "L'hopital a déplacé votre RDV - \" coeur \", recu..." && SMSText.encoding(of: friendly) == .gsm7)
        #expect(SMSText.segments(of: "") == 0)
    }

    @Test("schedules: parsed from text, off, bounds named; the motive's wins over the site's over the standard")
    func schedules() throws {
        #expect(try ReminderSchedule(parsing: "email:7, sms:2 email:1") == .standard)
        #expect(try ReminderSchedule(parsing: "off") == .off && (try ReminderSchedule(parsing: " ")) == .off)
        #expect(ReminderSchedule.standard.description == "email:7 sms:2 email:1")
        #expect(throws: ReminderSchedule.Problem.self) { try ReminderSchedule(parsing: "pigeon:3") }
        #expect(throws: ReminderSchedule.Problem.days("email:31")) { try ReminderSchedule(parsing: "email:31") }
        #expect(throws: ReminderSchedule.Problem.self) { try ReminderSchedule(parsing: "email:99999999999999999999") }
        let site = ReminderSchedule([.init(.sms, daysBefore: 3)])
        #expect(ReminderSchedule.effective(motive: nil, site: site) == site)
        #expect(ReminderSchedule.effective(motive: .off, site: site) == .off)
        #expect(ReminderSchedule.effective(motive: nil, site: nil) == .standard)
    }

    struct ToySigner: LinkSigner {
        func signature(of text: String) -> String { String(text.unicodeScalars.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1.value)) &* 1099511628211 }, radix: 36) }
    }

    @Test("signed links: valid until the visit for this version only; a move or cancellation kills them; tampering fails; survey links last 30 days")
    func links() {
        let links = AppointmentLinks(signer: ToySigner(), publicURL: "https://rdv.example.org/")
        var appointment = Self.appointment(on: "2026-12-07")
        let token = links.token(for: appointment, purpose: .manage)
        #expect(links.manageURL(appointment).hasPrefix("https://rdv.example.org/appointments/\(appointment.id.uuidString.lowercased())?token=v1."))
        #expect(links.verify(token, appointment: appointment, purpose: .manage, now: Self.now))
        #expect(!links.verify(token, appointment: appointment, purpose: .manage, now: appointment.startsAt))
        #expect(!links.verify(token, appointment: appointment, purpose: .survey, now: Self.now))
        var other = appointment
        other.id = UUID()
        #expect(!links.verify(token, appointment: other, purpose: .manage, now: Self.now))
        for forged in [token + "x", token.replacingOccurrences(of: "v1.", with: "v1.9"), "v1.1.2", "", "v1.a.b.c"] {
            #expect(!links.verify(forged, appointment: appointment, purpose: .manage, now: Self.now))
        }
        appointment.moveCount = 1
        #expect(!links.verify(token, appointment: appointment, purpose: .manage, now: Self.now))
        appointment.status = .cancelled
        #expect(!links.verify(links.token(for: Self.appointment(on: "2026-12-07"), purpose: .manage), appointment: appointment, purpose: .manage, now: Self.now))
        var seen = Self.appointment(on: "2026-12-07", status: .fulfilled)
        let survey = links.token(for: seen, purpose: .survey)
        #expect(links.verify(survey, appointment: seen, purpose: .survey, now: seen.endsAt.addingTimeInterval(29 * 86_400)))
        #expect(!links.verify(survey, appointment: seen, purpose: .survey, now: seen.endsAt.addingTimeInterval(31 * 86_400)))
        seen.moveCount = 3
        #expect(links.verify(survey, appointment: seen, purpose: .survey, now: seen.endsAt))
    }

    @Test("at send time: a reminder for a time the visit no longer has, a cancelled or begun visit, STOP, a survey for a missed visit are skipped")
    func skipRules() {
        let appointment = Self.appointment(on: "2026-12-07")
        let patient = Self.patient()
        let site = Site(id: UUID(), groupID: UUID(), name: "MSP d'Avoine", slug: "avoine", city: "Avoine")
        func facts(_ a: Appointment, _ p: Patient = patient) -> NoticeFacts {
            NoticeFacts(appointment: a, patient: p, motive: Motive(id: a.motiveID, departmentID: a.departmentID, name: "Suivi", durationMinutes: 30),
                        practitionerName: "Dr Lefèvre", departmentName: "Cardiologie", site: site)
        }
        let reminder = Self.planner.booked(appointment, to: NoticeRecipient(patient), schedule: .standard, zone: Self.paris, now: Self.now)
            .first { $0.kind == .reminder }!
        #expect(NoticeComposer.reasonToSkip(reminder, facts: facts(appointment), now: Self.now) == nil)
        var moved = appointment
        moved.startsAt.addTimeInterval(3_600)
        #expect(NoticeComposer.reasonToSkip(reminder, facts: facts(moved), now: Self.now) != nil)
        var cancelled = appointment
        cancelled.status = .cancelled
        #expect(NoticeComposer.reasonToSkip(reminder, facts: facts(cancelled), now: Self.now) != nil)
        #expect(NoticeComposer.reasonToSkip(reminder, facts: facts(appointment), now: appointment.startsAt) != nil)
        var sms = reminder
        sms.channel = .sms
        var stopped = patient
        stopped.smsStoppedAt = Self.now
        #expect(NoticeComposer.reasonToSkip(sms, facts: facts(appointment, stopped), now: Self.now) != nil)
        var survey = reminder
        survey.kind = .survey
        var missed = appointment
        missed.status = .noshow
        #expect(NoticeComposer.reasonToSkip(survey, facts: facts(missed), now: Self.now) != nil)
        var cancellation = reminder
        cancellation.kind = .cancelled
        #expect(NoticeComposer.reasonToSkip(cancellation, facts: facts(cancelled), now: Self.now) == nil)
    }
}
