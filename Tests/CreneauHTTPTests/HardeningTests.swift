import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The findings of the outside probe (SECURITY.md, "Findings fixed"), each reproduced
/// through the real router: every one must answer a clear 4xx, or work as intended.
@Suite("Hardening: the outside probe's reproductions answer 4xx")
struct HardeningTests {
    typealias Pages = AccountPagesTests
    static let json: HTTPFields = [.contentType: "application/json"]

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = json) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func code(_ response: TestResponse) -> String? {
        try? response.decode(BookingAPITests.Refusal.self).error.code
    }

    @Test("finding 1: far dates and instants answer 400 on every route that takes one, pages and API, signed in or not")
    func farDates() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let booked = try await fixture.service(store: test.store).book(fixture.request(at: BookingFixture.monday(9)), by: .visitor)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let practitioner = fixture.org.practitioner.id.json, motive = fixture.org.motive.id.json
                for far in ["9999-12-31", "0001-01-01", "2200-01-01"] {
                    let page = try await client.execute(uri: "/practitioners/\(practitioner)?motive=\(motive)&from=\(far)", method: .get, headers: Pages.html)
                    #expect(page.status == .badRequest, "\(far)")
                    #expect(page.text.contains("Cette date est trop lointaine"))
                    let api = try await client.execute(uri: "/api/v1/availability?practitioner=\(practitioner)&motive=\(motive)&from=\(far)", method: .get)
                    #expect(api.status == .badRequest)
                    #expect(Self.code(api) == "date_out_of_range")
                    let search = try await client.execute(uri: "/api/v1/search?specialty=cardiologie&from=\(far)", method: .get)
                    #expect(search.status == .badRequest)
                    let move = try await client.execute(uri: "/appointments/\(booked.appointment.id.json)/move?token=\(booked.manageToken)&from=\(far)",
                                                        method: .get, headers: Pages.html)
                    #expect(move.status == .badRequest)
                }
                for start in ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00Z", "2099-01-01T09:00:00+01:00"] {
                    let body = #"{"practitioner":"\#(practitioner)","motive":"\#(motive)","start":"\#(start)"}"#
                    let hold = try await Self.post(client, "/api/v1/holds", body)
                    #expect(hold.status == .badRequest, "\(start)")
                    #expect(Self.code(hold) == "date_out_of_range")
                    var headers = Self.json
                    headers[BookingAPITests.key] = UUID().uuidString
                    let book = try await Self.post(client, "/api/v1/appointments", #"{"practitioner":"\#(practitioner)","motive":"\#(motive)","start":"\#(start)","patient":{"firstName":"Léa","lastName":"Martin","birthDate":"1992-05-14","email":"lea@example.org"}}"#, headers: headers)
                    #expect(book.status == .badRequest)
                }
                let token = try await PatientPagesTests.formToken(client)
                for seconds in ["9223372036854775807", "-9223372036854775808", "99999999999999999999", "253402300800", "1e10", ""] {
                    let held = try await Pages.post(client, "/book/hold", form: [
                        "practitioner": practitioner, "motive": motive, "start": seconds, "_csrf": token.csrf,
                    ], cookie: token.cookie)
                    #expect(held.status == .badRequest, "\(seconds)")
                }
                let birth = try await Self.post(client, "/api/v1/accounts",
                    #"{"email":"a@example.org","password":"correct horse battery","firstName":"A","lastName":"B","birthDate":"9999-12-31","language":"fr"}"#)
                #expect(birth.status == .badRequest)
                #expect(Self.code(birth) == "date_out_of_range")

                // Staff: the agenda's day and week, the phone booking's week.
                let session = try await StaffPagesTests.secretarySession(client, test, department: fixture.org.department.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let department = "/staff/agenda?department=\(fixture.org.department.id.json)"
                for uri in ["\(department)&day=9999-12-31", "\(department)&week=9999-12-31", "\(department)&day=0001-01-01",
                            "/staff/book?practitioner=\(practitioner)&motive=\(motive)&from=9999-12-31"] {
                    let page = try await client.execute(uri: uri, method: .get, headers: headers)
                    #expect(page.status == .badRequest, "\(uri)")
                }
                let staffHold = try await Pages.post(client, "/staff/book/hold", form: [
                    "practitioner": practitioner, "motive": motive, "start": "9223372036854775807", "_csrf": session.csrf,
                ], cookie: session.cookie)
                #expect(staffHold.status == .badRequest)
                // The server is still there.
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            }
        }
    }

    @Test("finding 1: the template preview's week and validity dates are bounded")
    func templateWeek() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let stored = try #require(try await test.store.templates(departmentID: fixture.org.department.id).first)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let far = try await client.execute(uri: "/admin/templates/\(stored.id.json)?week=9999-12-31", method: .get, headers: headers)
                #expect(far.status == .badRequest)
                let posted = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: [
                    "_csrf": session.csrf, "action": "preview", "week": "9999-12-28", "from": "2026-11-23", "rows": "0",
                ], cookie: session.cookie)
                #expect(posted.status == .badRequest)
                let validity = try await Pages.post(client, "/admin/templates/\(stored.id.json)", form: [
                    "_csrf": session.csrf, "action": "save", "from": "9999-12-31", "rows": "0",
                ], cookie: session.cookie)
                #expect(validity.status == .unprocessableContent)
                #expect(try await test.store.templates(departmentID: fixture.org.department.id).first == stored)
            }
        }
    }

    @Test("finding 2: a cross-site form of any content type signs nobody in; Sec-Fetch-Site and Origin are checked")
    func loginCSRF() async throws {
        try await TestDatabase.with { test in
            _ = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let plain: HTTPFields = [.contentType: "text/plain", .accept: "text/html"]
                for (uri, body) in [("/signin/code", "challenge=abc&code=123456"), ("/account/forgot", "email=lea@example.org"),
                                    ("/api/v1/sessions/challenge", #"{"challenge":"abc","code":"123456","session":"browser"}"#),
                                    ("/api/v1/sessions", #"{"email":"lea@example.org","password":"x","session":"browser"}"#)] {
                    let response = try await Self.post(client, uri, body, headers: plain)
                    #expect([.forbidden, .unsupportedMediaType].contains(response.status), "\(uri): \(response.status)")
                    #expect(response.headers[.setCookie] == nil || response.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("creneau_session=") })
                    let multipart = try await Self.post(client, uri, body, headers: [.contentType: "multipart/form-data; boundary=x"])
                    #expect([.forbidden, .unsupportedMediaType].contains(multipart.status))
                    let bare = try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body))
                    #expect(bare.status == .unsupportedMediaType)
                    // `curl -d` sends a form type: an API client is told to send JSON, not that a page expired.
                    if uri.hasPrefix("/api/") {
                        let form = try await Self.post(client, uri, body, headers: [.contentType: "application/x-www-form-urlencoded"])
                        #expect(form.status == .unsupportedMediaType && Self.code(form) == "unsupported_media_type")
                    }
                }
                // JSON from a page of another site (a CORS request it may not make, or one that says where it comes from).
                var cross = Self.json
                cross[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
                let fetched = try await Self.post(client, "/api/v1/sessions", #"{"email":"a@example.org","password":"x"}"#, headers: cross)
                #expect(fetched.status == .forbidden)
                #expect(Self.code(fetched) == "cross_site")
                var foreign = Self.json
                foreign[.origin] = "https://evil.example"
                #expect(try await Self.post(client, "/api/v1/sessions", #"{"email":"a@example.org","password":"x"}"#, headers: foreign).status == .forbidden)
                // The same request from here, or from no browser at all, is answered.
                var same = Self.json
                same[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
                same[.origin] = "null"
                #expect(try await Self.post(client, "/api/v1/sessions", #"{"email":"a@example.org","password":"x"}"#, headers: same).status == .unauthorized)
            }
        }
    }

    @Test("finding 4: a secretary finds a caller by name and birth date, sees who they are and not how to reach them")
    func patientIndex() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
                let token = try await AccessMatrixTests().token(client, (staff.email, staff.secret))
                var headers = Self.json
                headers[.authorization] = "Bearer \(token)"
                let twoLetters = try await Self.post(client, "/api/v1/patients/search", #"{"q":"ma"}"#, headers: headers)
                #expect(twoLetters.status == .unprocessableContent)
                let withBirth = try await Self.post(client, "/api/v1/patients/search", #"{"q":"ma","birthDate":"1992-05-14"}"#, headers: headers)
                #expect(withBirth.status == .ok)
                #expect(!withBirth.text.contains("@") && !withBirth.text.contains("phone"))
            }
        }
    }

    @Test("finding 5: short idempotency keys, oversized forms, names with line breaks, referring doctors and the patient's reason")
    func lows() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                var headers = Self.json
                headers[BookingAPITests.key] = "1"
                let short = try await Self.post(client, "/api/v1/appointments", String(buffer: BookingAPITests.body(fixture)), headers: headers)
                #expect(short.status == .badRequest)
                #expect(Self.code(short) == "invalid_idempotency_key")

                let token = try await PatientPagesTests.formToken(client)
                let big = String(repeating: "a", count: 100_000)
                let huge = try await Pages.post(client, "/account/forgot", form: ["email": big, "_csrf": token.csrf], cookie: token.cookie)
                #expect(huge.status == .contentTooLarge)
                #expect(huge.text.contains("<html"))

                let newline = try await BookingAPITests.book(client, BookingAPITests.body(fixture, patient: [
                    "firstName": "Léa\r\nBcc: everyone@example.org", "lastName": "Martin", "birthDate": "1992-05-14", "email": "lea@example.org",
                ]))
                #expect(newline.status == .unprocessableContent)
                #expect(try await test.rows("SELECT id FROM appointments").isEmpty)
            }
        }
    }

    @Test("finding 5: /metrics can be closed or put behind a token")
    func metrics() async throws {
        try await TestDatabase.with { test in
            var closed = test.dependencies()
            closed.metricsAccess = .off
            try await Application(router: buildRouter(closed)).test(.router) { client in
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .notFound)
            }
            var guarded = test.dependencies()
            guarded.metricsAccess = .token("a-scraper-secret-of-24-characters")
            try await Application(router: buildRouter(guarded)).test(.router) { client in
                let none = try await client.execute(uri: "/metrics", method: .get)
                let wrong = try await client.execute(uri: "/metrics", method: .get, headers: [MetricsController.tokenHeader: "guess"])
                let right = try await client.execute(uri: "/metrics", method: .get, headers: [MetricsController.tokenHeader: "a-scraper-secret-of-24-characters"])
                #expect(none.status == .unauthorized)
                #expect(wrong.status == .unauthorized)
                #expect(right.status == .ok)
            }
        }
    }

    @Test("finding 6: copies of one booking with one Idempotency-Key on two instances: one appointment, never 'slot taken'")
    func retriesOnTwoInstances() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await test.withSecondInstance { otherStore in
                var first = test.dependencies(clock: .fixed(Fixtures.now)), second = test.dependencies(store: otherStore, clock: .fixed(Fixtures.now))
                first.limits = .off
                second.limits = .off
                let instanceTwo = Application(router: buildRouter(second))
                try await Application(router: buildRouter(first)).test(.router) { one in
                    try await instanceTwo.test(.router) { two in
                        try await Self.copiesStorm(one, two, fixture)
                    }
                }
            }
            #expect(try await test.rows("SELECT id FROM appointments").count == 30)
        }
    }

    /// Thirty slots (weekdays 09:00–12:00, each for another patient), each asked twice at once
    /// with one key: one copy to each instance, as a client retrying through a load balancer.
    static func copiesStorm(_ one: some TestClientProtocol, _ two: some TestClientProtocol, _ fixture: BookingFixture) async throws {
        var answers: [(Int, Int, String)] = []
        try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
            for index in 0..<30 {
                let day = index / 6, slot = index % 6
                let start = String(format: "2026-11-%02dT%02d:%02d:00+01:00", 23 + day, 9 + slot / 2, slot % 2 * 30)
                let body = BookingAPITests.body(fixture, start: start, patient: [
                    "firstName": "Patient\(index)", "lastName": "Copie", "birthDate": "1980-01-01", "email": "p\(index)@example.org"])
                let key = UUID().uuidString
                group.addTask { Self.outcome(index, try await BookingAPITests.book(one, body, key: key)) }
                // The retry leaves 0–15 ms later, as the probe's did: its copy may find the first one committed.
                let delay = Duration.microseconds(Int64(index * 517 % 15_000))
                group.addTask {
                    try await Task.sleep(for: delay)
                    return Self.outcome(index, try await BookingAPITests.book(two, body, key: key))
                }
            }
            for try await answer in group { answers.append(answer) }
        }
        for index in 0..<30 {
            let pair = answers.filter { $0.0 == index }
            #expect(pair.contains { $0.1 == 201 }, "slot \(index): \(pair)")
            #expect(pair.allSatisfy { $0.1 == 201 || ($0.1 == 409 && $0.2 == "idempotency_key_in_use") }, "slot \(index): \(pair)")
            // Two 201s are the same appointment (the second a replay).
            #expect(Set(pair.filter { $0.1 == 201 }.map(\.2)).count == 1)
        }
    }

    static func outcome(_ index: Int, _ response: TestResponse) -> (Int, Int, String) {
        (index, Int(response.status.code), code(response) ?? (try? response.decode(BookingAPITests.Booked.self).id) ?? "")
    }

    /// The bookings of another instance whose first look for an idempotency record comes
    /// too early (the copy's commit lands just after it): the window the probe hit.
    final class EarlyLook: BookingRepository, @unchecked Sendable {
        let store: SQLStore
        let lock = NSLock()
        var missed = false
        init(_ store: SQLStore) { self.store = store }

        func idempotencyRecord(scope: String, key: String) async throws -> IdempotencyRecord? {
            let first = lock.withLock { defer { missed = true }; return !missed }
            return first ? nil : try await store.idempotencyRecord(scope: scope, key: key)
        }
        func commit(_ writes: [BookingWrite], now: Date) async throws -> [BookingWriteOutcome] { try await store.commit(writes, now: now) }
        func apply(_ change: AppointmentChange) async throws -> AppointmentChangeOutcome { try await store.apply(change) }
        func place(_ hold: Hold, token: String, now: Date) async throws -> Bool { try await store.place(hold, token: token, now: now) }
        func holdTokenMatches(holdID: UUID, token: String) async throws -> Bool { try await store.holdTokenMatches(holdID: holdID, token: token) }
        func releaseHold(id: UUID, now: Date) async throws -> Bool { try await store.releaseHold(id: id, now: now) }
        func hold(id: UUID) async throws -> Hold? { try await store.hold(id: id) }
        func purgeExpired(now: Date) async throws -> (holds: Int, idempotencyRecords: Int) { try await store.purgeExpired(now: now) }
        func upcomingVisits(patientID: UUID, after: Date) async throws -> [UpcomingVisit] { try await store.upcomingVisits(patientID: patientID, after: after) }
        func manageTokenMatches(appointmentID: UUID, token: String) async throws -> Bool { try await store.manageTokenMatches(appointmentID: appointmentID, token: token) }
    }

    @Test("finding 6: a copy that looked for its key just before the first one committed gets the first answer, not 'slot taken'")
    func retryJustAfterCommit() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await test.withSecondInstance { otherStore in
                var second = test.dependencies(store: otherStore, clock: .fixed(Fixtures.now))
                let early = EarlyLook(otherStore)
                second.booking = BookingService(.init(
                    directory: otherStore, motives: otherStore, availability: otherStore, patients: otherStore, referringDoctors: otherStore,
                    appointments: otherStore, bookings: early, writer: DirectBookingWriter(store: otherStore, clock: .fixed(Fixtures.now)),
                    audit: otherStore, clock: .fixed(Fixtures.now), ids: .random, tokens: .random))
                let instanceTwo = Application(router: buildRouter(second))
                try await Application(router: buildRouter(test.dependencies())).test(.router) { one in
                    try await instanceTwo.test(.router) { two in
                        let key = UUID().uuidString
                        let first = try await BookingAPITests.book(one, BookingAPITests.body(fixture), key: key)
                        #expect(first.status == .created)
                        let copy = try await BookingAPITests.book(two, BookingAPITests.body(fixture), key: key)
                        #expect(copy.status == .created, "\(copy.status): \(copy.text)")
                        #expect(copy.text == first.text)
                    }
                }
            }
            #expect(try await test.rows("SELECT id FROM appointments").count == 1)
        }
    }

    @Test("finding 5: wrong passwords slow down the address that sends them, with backoff; the owner still signs in from her desk")
    func noLockout() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            let time = MovableClock()
            let authenticator = test.dependencies(clock: time.clock).authenticator
            for _ in 0..<5 {
                await #expect(throws: Authenticator.failed) {
                    try await authenticator.signIn(email: staff.email, password: "guess guess guess", code: "000000", address: "203.0.113.9")
                }
            }
            // The attacker's address now waits; the owner, elsewhere, does not.
            await #expect(throws: Authenticator.tooMany(2)) {
                try await authenticator.signIn(email: staff.email, password: staff.password, code: "000000", address: "203.0.113.9")
            }
            let owner = try await authenticator.signIn(email: staff.email, password: staff.password,
                                                       code: AuthAPITests().code(staff, at: time.clock.now()), address: "10.1.2.3")
            guard case .signedIn = owner else { Issue.record("the owner could not sign in: \(owner)"); return }
            // Each further failure doubles the wait.
            time.advance(by: 2)
            await #expect(throws: Authenticator.failed) {
                try await authenticator.signIn(email: staff.email, password: "guess guess guess", code: "000000", address: "203.0.113.9")
            }
            await #expect(throws: Authenticator.tooMany(4)) {
                try await authenticator.signIn(email: staff.email, password: "guess guess guess", code: "000000", address: "203.0.113.9")
            }
        }
    }

    @Test("finding 5: a referring doctor books by the patient's identity, never a bare record id, and does not read what the patient typed")
    func referringDoctor() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            var motive = fixture.org.motive
            motive.channels.insert(ChannelSet(.referral))
            try await test.store.update(motive)
            let service = fixture.service(store: test.store)
            // Léa booked online herself, naming Dr Dupont, with a reason of her own.
            let online = try await service.book(fixture.request(at: BookingFixture.monday(9)), by: .visitor).appointment
            let account = try await AccessMatrixTests().account(test, email: "dupont@cabinet.test", role: .referringDoctor, scope: .everywhere,
                                                                referringDoctor: fixture.doctor.id)
            let dupont = Booker(.referringDoctor(accountID: try #require(try await test.store.account(email: account.email)?.id), doctorID: fixture.doctor.id))
            await #expect(throws: BookingError.self) {
                _ = try await service.book(fixture.request(at: BookingFixture.monday(10), patient: .existing(online.patientID), channel: .referral), by: dupont)
            }
            // By identity, the same Léa: her record, no second patient.
            let patients = try await test.rows("SELECT id FROM patients").count
            let referred = try await service.book(fixture.request(at: BookingFixture.monday(11), channel: .referral), by: dupont).appointment
            #expect(referred.patientID == online.patientID)
            #expect(try await test.rows("SELECT id FROM patients").count == patients)
            // He reads his own booking's reason, not the one Léa typed.
            #expect(try await service.appointment(id: referred.id, by: dupont, manageToken: nil).reason == "Essoufflement à l'effort")
            let hers = try await service.appointment(id: online.id, by: dupont, manageToken: nil)
            #expect(hers.reason == nil && hers.status == .booked)
        }
    }

    /// A database that never answers, as PostgreSQL stopped by SIGSTOP.
    struct FrozenHealth: HealthRepository {
        func ping() async throws { try await Task.sleep(for: .seconds(30)) }
    }

    @Test("finding 6: /healthz answers 503 within its deadline when the database does not answer")
    func frozenDatabase() async throws {
        try await TestDatabase.with { test in
            var dependencies = test.dependencies()
            dependencies.health = FrozenHealth()
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let started = ContinuousClock.now
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .serviceUnavailable)
                // The check never returns (30 s); the answer comes at the 2-second deadline. The margin
                // is for a loaded CI machine, where every suite shares two cores and timers wake late.
                #expect(ContinuousClock.now - started < .seconds(15))
            }
        }
    }

    @Test("finding 6: every 'database unavailable' condition is a 503 with Retry-After, never a 500")
    func unavailable() {
        for error: any Error in [RepositoryError.unavailable("57P01"), RepositoryError.unavailable("pool")] {
            let mapped = ErrorMapping.map(error)
            #expect(mapped.status == .serviceUnavailable)
            #expect(mapped.retryAfter != nil)
        }
    }
}
