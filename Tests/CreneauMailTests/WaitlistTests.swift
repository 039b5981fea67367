import CreneauDomain
@testable import CreneauMail
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

/// The waiting list on a real database (both engines in CI), offers sent through the outbox to
/// the SMS peer: scenario 8 without the browser, the answers, the rules of joining, and the race
/// of two instances.
@Suite("Waiting list: a freed slot is offered in turn, held, taken once")
struct WaitlistTests {
    struct Setup {
        let fixture: BookingFixture
        let time: MovableClock
        let booking: BookingService
        let waitlist: Waitlist
        let secretary: Booker
    }

    static let publicURL = "https://rdv.example.org"
    /// Tuesday 24 November 2026, 09:00 in Paris.
    static let tuesday9 = BookingFixture.monday(9).addingTimeInterval(86_400)

    static func waitlist(_ store: SQLStore, booking: BookingService, clock: Clock) throws -> Waitlist {
        Waitlist(.init(repository: store, booking: booking, organisation: store, availability: CachedAvailability(store: store, clock: clock), feed: store,
                       renderer: try TemplateNoticeRenderer(), signer: try store.linkSigner(), publicURL: publicURL, clock: clock, ids: .random))
    }

    static func setup(_ test: TestDatabase) async throws -> Setup {
        let fixture = try await BookingFixture.make(in: test.store)
        let time = MovableClock()
        var deps = fixture.service(store: test.store, clock: time.clock).dependencies
        deps.links = AppointmentLinks(signer: try test.store.linkSigner(), publicURL: publicURL)
        let booking = BookingService(deps)
        let waitlist = try waitlist(test.store, booking: booking, clock: time.clock)
        // The fixture's opening hours are news on the feed: read past them (nobody waits yet).
        while try await waitlist.offerFreedTime().events > 0 {}
        let account = UUID()
        try await test.store.insert(Account(id: account, email: "sandrine.\(account.uuidString.prefix(8))@hopital.test", displayName: "Sandrine", createdAt: Fixtures.now))
        return Setup(fixture: fixture, time: time, booking: booking, waitlist: waitlist, secretary: Booker(.staff(accountID: account, role: .secretary)))
    }

    static func patient(_ test: TestDatabase, _ first: String, phone: String? = "06 12 34 56 78", email: String? = nil) async throws -> Patient {
        let patient = Patient(id: UUID(), firstName: first, lastName: "Attente", birthDate: LocalDate(year: 1980, month: 3, day: 2)!,
                              email: email ?? "\(first.lowercased())@example.org", phone: phone, createdAt: Fixtures.now)
        try await test.store.insert(patient)
        return patient
    }

    static func request(_ setup: Setup, _ patient: Patient, days: Int = 30, practitioner: Bool = true) -> Waitlist.Request {
        Waitlist.Request(patientID: patient.id, motiveID: setup.fixture.org.motive.id, practitionerID: practitioner ? setup.fixture.org.practitioner.id : nil,
                         referringDoctorID: setup.fixture.doctor.id,
                         preferences: WaitlistPreferences(firstDay: Fixtures.today, lastDay: Fixtures.today.adding(days: days), reach: .both))
    }

    /// The offer link in a message: its id and token.
    static func link(in text: String) throws -> (id: UUID, token: String) {
        let marker = "\(publicURL)/waitlist/offers/"
        let start = try #require(text.range(of: marker)).upperBound
        let rest = text[start...].prefix { !$0.isWhitespace }
        let parts = rest.split(separator: "?t=", maxSplits: 1)
        return (try #require(UUID(uuidString: String(parts[0]))), String(try #require(parts.last)))
    }

    @Test("scenario 8: Paul cancels, Inès is offered the slot by SMS and it is held; she does not answer; Marc, next, accepts and is booked; used links say so")
    func cascade() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let (paulVisit, paulToken) = try await setup.booking.book(setup.fixture.request(at: Self.tuesday9, patient: .new(
                PatientDetails(firstName: "Paul", lastName: "Moreau", birthDate: LocalDate(year: 1975, month: 1, day: 9)!, email: "paul@example.org"))), by: .visitor)
            let ines = try await Self.patient(test, "Inès", phone: "06 11 22 33 44")
            let marc = try await Self.patient(test, "Marc", phone: "06 55 66 77 88")
            let inesEntry = try await setup.waitlist.join(Self.request(setup, ines), by: setup.secretary)
            setup.time.advance(by: 60)
            let marcEntry = try await setup.waitlist.join(Self.request(setup, marc, practitioner: false), by: setup.secretary)
            #expect(inesEntry.channel == .phone && marcEntry.practitionerID == nil)
            #expect(try await setup.waitlist.offerFreedTime().offered == 0)

            // Paul cancels from his link (Monday, the day before).
            _ = try await setup.booking.perform(.cancel(reason: nil), appointmentID: paulVisit.id, by: .visitor, manageToken: paulToken)
            let pass = try await setup.waitlist.offerFreedTime()
            #expect(pass.offered == 1)
            var items = try await test.store.waitlistItems(patientIDs: [ines.id, marc.id], limit: 10)
            let inesOffer = try #require(items.first { $0.entry.id == inesEntry.id }?.offers.first)
            #expect(inesOffer.state == .live && inesOffer.startsAt == Self.tuesday9)
            #expect(inesOffer.expiresAt == setup.time.clock.now().addingTimeInterval(WaitlistRules.standardOfferWindow))
            #expect(items.first { $0.entry.id == marcEntry.id }?.offers.isEmpty == true)

            // The slot is held for her: the desk cannot give it away meanwhile.
            await #expect(throws: BookingError.self) {
                _ = try await setup.booking.book(setup.fixture.request(at: Self.tuesday9, patient: .existing(marc.id), channel: .phone), by: setup.secretary)
            }

            // The offer leaves through the outbox: SMS (with the link) and email.
            let sms = try await SMSPeer()
            defer { sms.stop() }
            let mailer = RecordingMailer()
            let sender = try OutboxSender.forTests(test.store, email: mailer, sms: try HTTPSMSGateway(configuration: SMSGatewayConfiguration(url: sms.url)),
                                                   clock: setup.time.clock)
            while try await sender.sendDue() > 0 {}
            let texts = try await sms.received(count: 1)
            let toInes = try #require(texts.first { $0.fields["to"] == "+33611223344" })
            #expect(toInes.fields["text"]?.contains("mardi 24 novembre") == true && toInes.fields["text"]?.contains("09:00") == true)
            let inesLink = try Self.link(in: toInes.fields["text"] ?? "")
            #expect(inesLink.id == inesOffer.id)
            let email = try #require(mailer.messages(to: "inès@example.org").first ?? mailer.messages.first { $0.text.contains(inesLink.token) })
            #expect(email.subject.contains("créneau") && email.text.contains("15 minutes"))

            // A wrong token opens nothing.
            await #expect(throws: BookingError.self) { _ = try await setup.waitlist.details(offerID: inesOffer.id, token: "v1.forged") }

            // Inès does not answer: after 15 minutes the slot goes to Marc.
            setup.time.advance(by: 16 * 60)
            let next = try await setup.waitlist.offerFreedTime()
            #expect(next.lapsed == 1 && next.offered == 1)
            items = try await test.store.waitlistItems(patientIDs: [ines.id, marc.id], limit: 10)
            #expect(items.first { $0.entry.id == inesEntry.id }?.offers.map(\.state) == [.lapsed])
            #expect(items.first { $0.entry.id == inesEntry.id }?.entry.state == .waiting)
            let marcOffer = try #require(items.first { $0.entry.id == marcEntry.id }?.offers.first)
            #expect(marcOffer.state == .live && marcOffer.startsAt == Self.tuesday9)

            // Inès's link now says it is over, and cannot book.
            #expect(try await setup.waitlist.details(offerID: inesOffer.id, token: inesLink.token).offer.state == .lapsed)
            await #expect(throws: BookingError.refused(Waitlist.ended(.lapsed))) {
                _ = try await setup.waitlist.accept(offerID: inesOffer.id, token: inesLink.token)
            }

            while try await sender.sendDue() > 0 {}
            let toMarc = try #require(try await sms.received(count: 2).first { $0.fields["to"] == "+33655667788" })
            let marcLink = try Self.link(in: toMarc.fields["text"] ?? "")
            let (booked, manageToken) = try await setup.waitlist.accept(offerID: marcLink.id, token: marcLink.token)
            #expect(booked.patientID == marc.id && booked.startsAt == Self.tuesday9 && booked.status == .booked && !manageToken.isEmpty)
            items = try await test.store.waitlistItems(patientIDs: [marc.id], limit: 10)
            #expect(items.first?.entry.state == .booked && items.first?.entry.appointmentID == booked.id)
            #expect(items.first?.offers.first?.state == .accepted && items.first?.offers.first?.appointmentID == booked.id)
            // His confirmation follows, like any booking's.
            let confirmations = try await test.store.messages(appointmentIDs: [booked.id])[booked.id] ?? []
            #expect(confirmations.contains { $0.kind == .confirmation })
            // A second click books nothing more.
            await #expect(throws: BookingError.refused(Waitlist.ended(.accepted))) {
                _ = try await setup.waitlist.accept(offerID: marcLink.id, token: marcLink.token)
            }
            #expect(try await setup.waitlist.offerFreedTime().offered == 0)
        }
    }

    @Test("declining gives the slot to the next at once; leaving the list ends a live offer; an offer's message that has not left stays unsent")
    func declineAndLeave() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let (visit, token) = try await setup.booking.book(setup.fixture.request(at: Self.tuesday9), by: .visitor)
            let first = try await Self.patient(test, "Alice"), second = try await Self.patient(test, "Bruno"), third = try await Self.patient(test, "Chloé")
            for patient in [first, second, third] {
                _ = try await setup.waitlist.join(Self.request(setup, patient), by: setup.secretary)
                setup.time.advance(by: 1)
            }
            _ = try await setup.booking.perform(.cancel(reason: nil), appointmentID: visit.id, by: .visitor, manageToken: token)
            #expect(try await setup.waitlist.offerFreedTime().offered == 1)
            let offerA = try #require(try await test.store.waitlistItems(patientIDs: [first.id], limit: 5).first?.offers.first)
            try await setup.waitlist.decline(offerID: offerA.id, token: setup.waitlist.offerToken(offerA.id))
            #expect(try await setup.waitlist.offerFreedTime().offered == 1)
            let itemB = try #require(try await test.store.waitlistItems(patientIDs: [second.id], limit: 5).first)
            let offerB = try #require(itemB.offers.first)
            #expect(offerB.state == .live)
            // Bruno leaves the list before answering: his offer ends, the slot goes to Chloé; his unsent messages stay unsent.
            try await setup.waitlist.cancel(entryID: itemB.entry.id, by: setup.secretary)
            #expect(try await test.store.offer(id: offerB.id)?.state == .withdrawn)
            #expect(try await test.store.liveOffers(ids: [offerB.id]).isEmpty)
            #expect(try await setup.waitlist.offerFreedTime().offered == 1)
            let offerC = try #require(try await test.store.waitlistItems(patientIDs: [third.id], limit: 5).first?.offers.first)
            #expect(offerC.state == .live && offerC.startsAt == Self.tuesday9)
            let mailer = RecordingMailer(), texts = RecordingSMS()
            let sender = try OutboxSender.forTests(test.store, email: mailer, sms: texts, clock: setup.time.clock)
            while try await sender.sendDue() > 0 {}
            #expect(!texts.sent.contains { $0.text.contains(offerB.id.uuidString.lowercased()) })
            #expect(texts.sent.contains { $0.text.contains(offerC.id.uuidString.lowercased()) })
            // Alice, who declined, is not offered this slot again.
            #expect(try await test.store.waitlistItems(patientIDs: [first.id], limit: 5).first?.offers.count == 1)
        }
    }

    @Test("an absence entered over an offered slot withdraws the offer: the patient is told kindly and keeps their place")
    func withdrawnWhenTheSlotIsGone() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let (visit, token) = try await setup.booking.book(setup.fixture.request(at: Self.tuesday9), by: .visitor)
            let waiting = try await Self.patient(test, "Gaëlle", phone: "06 44 55 66 77")
            let entry = try await setup.waitlist.join(Self.request(setup, waiting), by: setup.secretary)
            _ = try await setup.booking.perform(.cancel(reason: nil), appointmentID: visit.id, by: .visitor, manageToken: token)
            #expect(try await setup.waitlist.offerFreedTime().offered == 1)
            let offer = try #require(try await test.store.waitlistItems(patientIDs: [waiting.id], limit: 5).first?.offers.first)
            // Nothing changed: the check leaves it alone.
            #expect(try await setup.waitlist.offerFreedTime().withdrawn == 0)
            try await test.store.insert(ScheduleException(id: UUID(), owner: .practitioner(setup.fixture.org.practitioner.id), kind: .absence,
                                                          startsAt: Self.tuesday9, endsAt: Self.tuesday9.addingTimeInterval(3 * 3_600), reason: "Congrès"))
            setup.time.advance(by: 60)
            #expect(try await setup.waitlist.offerFreedTime().withdrawn == 1)
            #expect(try await test.store.offer(id: offer.id)?.state == .withdrawn)
            #expect(try await test.store.waitlistEntry(id: entry.id)?.state == .waiting)
            await #expect(throws: BookingError.refused(Waitlist.ended(.withdrawn))) {
                _ = try await setup.waitlist.accept(offerID: offer.id, token: setup.waitlist.offerToken(offer.id))
            }
            let texts = RecordingSMS()
            let sender = try OutboxSender.forTests(test.store, email: RecordingMailer(), sms: texts, clock: setup.time.clock)
            while try await sender.sendDue() > 0 {}
            // The offer itself had not left yet: only the apology goes.
            #expect(texts.sent.map(\.to) == ["+33644556677"])
            #expect(texts.sent.first?.text.contains("n'est plus disponible") == true)
        }
    }

    @Test("an absence lifted gives its time back: the first patient waiting is offered it")
    func absenceLifted() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let absence = ScheduleException(id: UUID(), owner: .practitioner(setup.fixture.org.practitioner.id), kind: .absence,
                                            startsAt: Self.tuesday9, endsAt: Self.tuesday9.addingTimeInterval(3 * 3_600), reason: "Congrès")
            try await test.store.insert(absence)
            let waiting = try await Self.patient(test, "Irène")
            _ = try await setup.waitlist.join(Self.request(setup, waiting), by: setup.secretary)
            #expect(try await setup.waitlist.offerFreedTime().offered == 0)
            #expect(try await test.store.absences(ownerID: setup.fixture.org.practitioner.id, endingAfter: Fixtures.now, limit: 10).map(\.id) == [absence.id])
            #expect(try await test.store.deleteException(id: absence.id))
            #expect(try await !test.store.deleteException(id: absence.id))
            #expect(try await setup.waitlist.offerFreedTime().offered == 1)
            let offer = try #require(try await test.store.waitlistItems(patientIDs: [waiting.id], limit: 5).first?.offers.first)
            #expect(offer.startsAt == Self.tuesday9)
        }
    }

    @Test("a held-back range released online the day before at 18:00 is offered to a patient waiting online at that moment")
    func heldBackRelease() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let org = setup.fixture.org
            // Dr Morel keeps Tuesday 14:00–15:00 for the phone, open online the day before at 18:00.
            let morel = Practitioner(id: UUID(), title: "Dr", firstName: "Luc", lastName: "Morel", profession: "Médecin", specialty: "cardiologie")
            try await test.store.insert(morel)
            try await test.store.insert(Membership(practitionerID: morel.id, departmentID: org.department.id))
            let held = OpeningRange(id: UUID(), weekday: 2, startMinute: 840, endMinute: 900, motiveIDs: [org.motive.id], channels: [.phone],
                                    release: .init(channels: [.online], daysBefore: 1, atMinute: 1_080))
            try await test.store.insert(ScheduleTemplate(id: UUID(), owner: .practitioner(morel.id), departmentID: org.department.id,
                                                         validFrom: Fixtures.today.adding(days: -7), ranges: [held]))
            while try await setup.waitlist.offerFreedTime().events > 0 {}
            // A patient account waits online for any practitioner of the department.
            let patient = try await Self.patient(test, "Hélène", phone: "06 99 88 77 66")
            let account = UUID()
            try await test.store.insert(Account(id: account, email: "helene@example.org", displayName: "Hélène", createdAt: Fixtures.now))
            try await test.store.link(ManagedPatient(accountID: account, patientID: patient.id, relationship: .self))
            let entry = try await setup.waitlist.join(Self.request(setup, patient, practitioner: false), by: Booker(.patient(accountID: account)))
            #expect(entry.channel == .online)
            // Monday 17:59: not released yet.
            setup.time.advance(by: 9 * 3_600 + 59 * 60)
            #expect(try await setup.waitlist.offerFreedTime().offered == 0)
            setup.time.advance(by: 2 * 60)
            #expect(try await setup.waitlist.offerFreedTime().offered == 1)
            let offer = try #require(try await test.store.waitlistItems(patientIDs: [patient.id], limit: 5).first?.offers.first)
            #expect(offer.practitionerID == morel.id && offer.startsAt == Self.tuesday9.addingTimeInterval(5 * 3_600))
        }
    }

    @Test("joining: dates and preferences checked, one entry per motive and three at most, a visitor or another account's relative refused")
    func joiningRules() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let patient = try await Self.patient(test, "Denise")
            var late = Self.request(setup, patient)
            late.preferences.firstDay = Fixtures.today.adding(days: -1)
            await #expect(throws: BookingError.refused(RuleViolation(.waitlistWindow, "The first day you can come has already passed. Choose a day from today."))) {
                _ = try await setup.waitlist.join(late, by: setup.secretary)
            }
            var backwards = Self.request(setup, patient)
            backwards.preferences.lastDay = Fixtures.today.adding(days: -3)
            backwards.preferences.firstDay = Fixtures.today
            await #expect(throws: BookingError.self) { _ = try await setup.waitlist.join(backwards, by: setup.secretary) }
            var noDay = Self.request(setup, patient)
            noDay.preferences.weekdays = []
            await #expect(throws: BookingError.self) { _ = try await setup.waitlist.join(noDay, by: setup.secretary) }
            await #expect(throws: BookingError.forbidden("Sign in to join a waiting list: the offer is sent to the account's patient.")) {
                _ = try await setup.waitlist.join(Self.request(setup, patient), by: .visitor)
            }
            // A patient account joins for its own patients only.
            let stranger = UUID()
            try await test.store.insert(Account(id: stranger, email: "autre@example.org", displayName: "Autre", createdAt: Fixtures.now))
            await #expect(throws: BookingError.notFound("No patient has this id in your account.")) {
                _ = try await setup.waitlist.join(Self.request(setup, patient), by: Booker(.patient(accountID: stranger)))
            }
            // A known patient may not wait for a first visit; a first visit needs its referring doctor.
            var unreferred = Self.request(setup, patient)
            unreferred.referringDoctorID = nil
            if setup.fixture.org.motive.needsReferral(in: setup.fixture.org.department) {
                await #expect(throws: BookingError.self) { _ = try await setup.waitlist.join(unreferred, by: setup.secretary) }
            }
            _ = try await setup.waitlist.join(Self.request(setup, patient), by: setup.secretary)
            await #expect(throws: BookingError.refused(RuleViolation(.waitlistLimit,
                "This patient is already on the waiting list for “\(setup.fixture.org.motive.name)”. Change the days by leaving the list and joining again."))) {
                _ = try await setup.waitlist.join(Self.request(setup, patient), by: setup.secretary)
            }
            // Any practitioner of the department is another entry; with the follow-up (known patients only) it is refused.
            _ = try await setup.waitlist.join(Self.request(setup, patient, practitioner: false), by: setup.secretary)
            var followUp = Self.request(setup, patient)
            followUp.motiveID = setup.fixture.followUp.id
            await #expect(throws: BookingError.refused(RuleViolation(.knownPatientsOnly,
                "“\(setup.fixture.followUp.name)” is for patients already followed by this department. For a first visit, choose a motive for new patients."))) {
                _ = try await setup.waitlist.join(followUp, by: setup.secretary)
            }
            // The window is cut at the motive's horizon and the entry expires after its last day.
            var far = Self.request(setup, try await Self.patient(test, "Émile"), days: 170)
            far.preferences.lastDay = Fixtures.today.adding(days: 170)
            let entry = try await setup.waitlist.join(far, by: setup.secretary)
            #expect(entry.preferences.lastDay <= Fixtures.today.adding(days: setup.fixture.org.motive.horizonDays))
            setup.time.advance(by: Double(setup.fixture.org.motive.horizonDays + 2) * 86_400)
            #expect(try await setup.waitlist.offerFreedTime().expired >= 1)
            #expect(try await test.store.waitlistEntry(id: entry.id)?.state == .expired)
        }
    }

    @Test("two instances, one freed slot, fifty waiters: one live offer at any time; the offer accepted from both at once books once")
    func twoInstancesRace() async throws {
        try await TestDatabase.with { test in
            let setup = try await Self.setup(test)
            let (visit, token) = try await setup.booking.book(setup.fixture.request(at: Self.tuesday9), by: .visitor)
            var waiting: [Patient] = []
            for n in 0..<50 {
                let patient = try await Self.patient(test, "Patient\(n)", phone: String(format: "06 00 00 %02d %02d", n / 100, n % 100))
                _ = try await setup.waitlist.join(Self.request(setup, patient), by: setup.secretary)
                waiting.append(patient)
            }
            _ = try await setup.booking.perform(.cancel(reason: nil), appointmentID: visit.id, by: .visitor, manageToken: token)
            try await test.withSecondInstance { other in
                var deps = setup.fixture.service(store: other, clock: setup.time.clock).dependencies
                deps.links = AppointmentLinks(signer: try other.linkSigner(), publicURL: Self.publicURL)
                let otherList = try Self.waitlist(other, booking: BookingService(deps), clock: setup.time.clock)
                async let one = setup.waitlist.offerFreedTime()
                async let two = otherList.offerFreedTime()
                let (a, b) = try await (one, two)
                #expect(a.offered + b.offered == 1)
                let offers = try await test.store.waitlistItems(patientIDs: waiting.map(\.id), limit: 100).flatMap(\.offers)
                #expect(offers.filter { $0.state == .live }.count == 1)
                let offer = try #require(offers.first)
                let key = setup.waitlist.offerToken(offer.id)
                async let acceptOne = outcome { try await setup.waitlist.accept(offerID: offer.id, token: key) }
                async let acceptTwo = outcome { try await otherList.accept(offerID: offer.id, token: key) }
                let results = await [acceptOne, acceptTwo]
                #expect(results.filter { $0 }.count == 1)
                let booked = try await test.store.appointments(practitionerID: setup.fixture.org.practitioner.id, from: Self.tuesday9, to: Self.tuesday9.addingTimeInterval(3_600))
                #expect(booked.filter { $0.status == .booked }.count == 1)
            }
        }
    }
}

/// Whether `body` succeeded (two answers raced: one wins, the other is told why not).
func outcome<T>(_ body: () async throws -> T) async -> Bool {
    do { _ = try await body(); return true } catch { return false }
}
