import CreneauDomain
import Foundation
import Testing

@Suite("Booking rules, the appointment lifecycle and occupancy quanta")
struct BookingRulesTests {
    static let now = Date(timeIntervalSince1970: 1_795_417_200)  // Monday 23 November 2026, 08:00 in Paris
    static let paris = TimeZone(identifier: "Europe/Paris")!
    let department = Department(id: UUID(), siteID: UUID(), name: "Cardiologie", specialty: "cardiologie")

    func motive(patients: PatientAcceptance = .both, channels: ChannelSet = .all) -> Motive {
        Motive(id: UUID(), departmentID: department.id, name: "Consultation", durationMinutes: 30, patients: patients, channels: channels,
               horizonDays: 30, minimumNoticeMinutes: 120, cancellationCutoffMinutes: 240, maximumMoves: 1)
    }

    func facts(_ motive: Motive, kind: PatientKind = .known, channel: Channel = .online, start: Date? = nil, referring: UUID? = nil,
               upcoming: [UpcomingVisit] = [], staff: Bool = false, department: Department? = nil) -> BookingFacts {
        BookingFacts(motive: motive, department: department ?? self.department, channel: channel, patientKind: kind, referringDoctorID: referring,
                     start: start ?? Self.now.addingTimeInterval(86_400), now: Self.now, timeZone: Self.paris, upcoming: upcoming, bookerIsStaff: staff)
    }

    @Test("each rule names itself, in the order a patient should hear them")
    func rules() {
        #expect(BookingRules.check(facts(motive())) == nil)
        #expect(BookingRules.check(facts(motive(channels: [.phone])))?.code == .channelNotAllowed)
        #expect(BookingRules.check(facts(motive(patients: .known), kind: .new, referring: UUID()))?.code == .knownPatientsOnly)
        #expect(BookingRules.check(facts(motive(patients: .new), kind: .known))?.code == .newPatientsOnly)
        #expect(BookingRules.check(facts(motive(), kind: .new))?.code == .referringDoctorRequired)
        #expect(BookingRules.check(facts(motive(), kind: .new, referring: UUID())) == nil)
        #expect(BookingRules.check(facts(motive(), start: Self.now.addingTimeInterval(-60)))?.code == .inThePast)
        #expect(BookingRules.check(facts(motive(), start: Self.now.addingTimeInterval(119 * 60)))?.code == .tooSoon)
        #expect(BookingRules.check(facts(motive(), start: Self.now.addingTimeInterval(120 * 60))) == nil)
        #expect(BookingRules.check(facts(motive(), start: Self.now.addingTimeInterval(30 * 86_400))) == nil)
        #expect(BookingRules.check(facts(motive(), start: Self.now.addingTimeInterval(30 * 86_400 + 60)))?.code == .tooFarAhead)
        #expect(BookingRules.check(facts(motive(), start: Self.now.addingTimeInterval(119 * 60)))?.message.contains("2 hours") == true)
    }

    @Test("anti-hoarding counts upcoming visits in the department and same-specialty neighbours; staff are exempt")
    func antiHoarding() {
        let soon = Self.now.addingTimeInterval(86_400)
        let visits = (0..<3).map { UpcomingVisit(appointmentID: UUID(), departmentID: department.id, specialty: "cardiologie", startsAt: soon.addingTimeInterval(TimeInterval($0) * 40 * 86_400)) }
        #expect(BookingRules.check(facts(motive(), upcoming: visits))?.code == .tooManyUpcoming)
        #expect(BookingRules.check(facts(motive(), upcoming: Array(visits.prefix(2)))) == nil)
        #expect(BookingRules.check(facts(motive(), upcoming: visits, staff: true)) == nil)
        var strict = department
        strict.sameSpecialtyGapDays = 7
        let elsewhere = UpcomingVisit(appointmentID: UUID(), departmentID: UUID(), specialty: "cardiologie", startsAt: soon.addingTimeInterval(3 * 86_400))
        let violation = BookingRules.check(facts(motive(), upcoming: [elsewhere], department: strict))
        #expect(violation?.code == .sameSpecialtyTooClose)
        #expect(violation?.message.contains("2026-11-27") == true)
        let other = UpcomingVisit(appointmentID: UUID(), departmentID: UUID(), specialty: "dermatologie", startsAt: soon)
        #expect(BookingRules.check(facts(motive(), upcoming: [other], department: strict)) == nil)
    }

    @Test("the lifecycle allows only its transitions, and holds patients to cut-off and move limit")
    func lifecycle() throws {
        let motive = motive()
        let start = Self.now.addingTimeInterval(86_400)
        let booked = Appointment(id: UUID(), departmentID: department.id, motiveID: motive.id, practitionerID: UUID(), patientID: UUID(),
                                 startsAt: start, endsAt: start.addingTimeInterval(1_800), channel: .online, createdAt: Self.now)
        let staff = Booker(.staff(accountID: UUID(), role: .secretary))
        func outcome(_ action: AppointmentAction, _ appointment: Appointment, by booker: Booker, at now: Date = Self.now) -> String {
            do {
                return try AppointmentLifecycle.apply(action, to: appointment, motive: motive, by: booker, now: now).appointment.status.rawValue
            } catch {
                switch error {
                case .refused(let violation): return violation.code.rawValue
                case .invalidTransition: return "invalid"
                case .forbidden: return "forbidden"
                default: return "\(error)"
                }
            }
        }
        let late = start.addingTimeInterval(-3 * 3_600)
        #expect(outcome(.cancel(reason: nil), booked, by: .visitor) == "cancelled")
        #expect(outcome(.cancel(reason: nil), booked, by: .visitor, at: late) == "cut_off_passed")
        #expect(outcome(.cancel(reason: nil), booked, by: staff, at: late) == "reason_required")
        #expect(outcome(.cancel(reason: "Grève"), booked, by: staff, at: late) == "cancelled")
        #expect(outcome(.arrive, booked, by: .visitor, at: start) == "forbidden")
        #expect(outcome(.arrive, booked, by: staff, at: Self.now) == "too_early_for_status")
        #expect(outcome(.arrive, booked, by: staff, at: start) == "arrived")
        #expect(outcome(.noShow, booked, by: staff, at: start.addingTimeInterval(-60)) == "too_early_for_status")
        #expect(outcome(.noShow, booked, by: staff, at: start) == "noshow")
        #expect(outcome(.fulfil, booked, by: staff, at: start) == "invalid")
        var moved = booked
        moved.moveCount = 1
        let move = AppointmentAction.move(start: start.addingTimeInterval(3_600), end: start.addingTimeInterval(5_400), reason: nil)
        #expect(outcome(move, booked, by: .visitor) == "booked")
        #expect(outcome(move, moved, by: .visitor) == "move_limit_reached")
        #expect(outcome(move, moved, by: staff) == "reason_required")
        for status in [AppointmentStatus.cancelled, .fulfilled, .noshow] {
            var done = booked
            done.status = status
            if status == .cancelled { done.cancelledBy = .patient }
            #expect(outcome(.cancel(reason: "x"), done, by: staff) == "invalid")
            #expect(outcome(move, done, by: staff) == "invalid")
        }
    }

    @Test("quanta cover a span outwards, so overlapping spans always share one")
    func quanta() {
        let base = Date(timeIntervalSince1970: 1_795_417_200)
        #expect(Occupancy.quanta(from: base, to: base.addingTimeInterval(1_800)).count == 6)
        #expect(Occupancy.quanta(from: base.addingTimeInterval(60), to: base.addingTimeInterval(360)).count == 2)
        // Property: for random pairs of spans, overlap ⇔ shared quantum when aligned to five minutes.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let a = base.addingTimeInterval(TimeInterval(Int.random(in: 0..<100, using: &generator) * 300))
            let b = base.addingTimeInterval(TimeInterval(Int.random(in: 0..<100, using: &generator) * 300))
            let la = TimeInterval(Int.random(in: 1...24, using: &generator) * 300), lb = TimeInterval(Int.random(in: 1...24, using: &generator) * 300)
            let overlap = Interval(start: a, end: a + la).overlaps(Interval(start: b, end: b + lb))
            let shared = Occupancy.quanta(from: a, to: a + la).overlaps(Occupancy.quanta(from: b, to: b + lb))
            #expect(overlap == shared)
        }
        // Unaligned spans are widened: they may share a quantum without overlapping, never the reverse.
        for _ in 0..<2_000 {
            let a = base.addingTimeInterval(TimeInterval(Int.random(in: 0..<30_000, using: &generator)))
            let b = base.addingTimeInterval(TimeInterval(Int.random(in: 0..<30_000, using: &generator)))
            let la = TimeInterval(Int.random(in: 60...7_200, using: &generator)), lb = TimeInterval(Int.random(in: 60...7_200, using: &generator))
            if Interval(start: a, end: a + la).overlaps(Interval(start: b, end: b + lb)) {
                #expect(Occupancy.quanta(from: a, to: a + la).overlaps(Occupancy.quanta(from: b, to: b + lb)))
            }
        }
    }

    @Test("claims: group seats share a key per start; shared rooms share theirs; anything else is exclusive")
    func claims() {
        let practitioner = UUID(), room = UUID(), bigRoom = UUID(), holder = UUID()
        let start = Self.now, end = Self.now.addingTimeInterval(1_800)
        let single = Occupancy.claims(holderID: holder, practitionerID: practitioner,
                                      motive: MotiveFootprint(id: UUID(), capacity: 1, bufferBeforeMinutes: 5, bufferAfterMinutes: 10),
                                      resourceCapacities: [room: 1, bigRoom: 3], start: start, end: end)
        #expect(single.count == 3)
        #expect(single[0].quanta.count == 9)  // 5 + 30 + 10 minutes
        #expect(single.first { $0.ownerID == room }?.shareKey == holder.uuidString.lowercased())
        #expect(single.first { $0.ownerID == bigRoom }?.shareKey == "shared")
        #expect(single.first { $0.ownerID == bigRoom }?.capacity == 3)
        let group = MotiveFootprint(id: UUID(), capacity: 8, bufferBeforeMinutes: 0, bufferAfterMinutes: 0)
        let a = Occupancy.claims(holderID: UUID(), practitionerID: practitioner, motive: group, resourceCapacities: [room: 1], start: start, end: end)
        let b = Occupancy.claims(holderID: UUID(), practitionerID: practitioner, motive: group, resourceCapacities: [room: 1], start: start, end: end)
        #expect(a.map(\.shareKey) == b.map(\.shareKey))
        #expect(a.allSatisfy { $0.capacity == 8 })
    }
}

@Suite("Secret tokens")
struct TokenTests {
    @Test("tokens are 256-bit base64url, different every time")
    func tokens() {
        let tokens = (0..<200).map { _ in TokenGenerator.random.next() }
        #expect(Set(tokens).count == 200)
        #expect(tokens.allSatisfy { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
    }

    @Test("base64url matches Foundation's base64 with the URL alphabet and no padding, for every length")
    func base64URL() {
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(TokenGenerator.base64URL(bytes) == expected)
        }
    }
}

@Suite("Password policy")
struct PasswordPolicyTests {
    @Test("at least 12 characters, not common (even with digits added), no composition rules")
    func policy() {
        #expect(PasswordPolicy.commonPasswordCount > 20_000)
        #expect(PasswordPolicy.problem(with: "short") != nil)
        #expect(PasswordPolicy.problem(with: "password1234") != nil)
        #expect(PasswordPolicy.problem(with: "azertyuiop123!") != nil)
        #expect(PasswordPolicy.problem(with: "123456789012") != nil)
        #expect(PasswordPolicy.problem(with: "aaaaaaaaaaaaaaaa") != nil)
        #expect(PasswordPolicy.problem(with: "lea.martin2026!", email: "lea.martin@example.org") != nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "é", count: 40)) != nil)
        #expect(PasswordPolicy.problem(with: "correct horse battery staple") == nil)
        #expect(PasswordPolicy.problem(with: "tisane de tilleul au jardin") == nil)
    }
}
