import CreneauApp
import CreneauDomain
import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing

/// Two server instances on one database, counting attempts in it (as `serve` does on
/// PostgreSQL): a client spreading its attempts over both gets one budget, not two.
@Suite("Shared limits: two instances, one budget")
struct SharedLimitsTests {
    typealias Booking = BookingAPITests

    /// Runs `body` with two routers on the test database, both counting in the database.
    func twoInstances(_ test: TestDatabase, _ body: @Sendable (any TestClientProtocol, any TestClientProtocol) async throws -> Void) async throws {
        try await test.withSecondInstance { other in
            let one = test.dependencies(store: test.store, clock: .fixed(Fixtures.now), counters: test.store)
            let two = test.dependencies(store: other, clock: .fixed(Fixtures.now), counters: other)
            try await Application(router: buildRouter(one)).test(.router) { first in
                try await Application(router: buildRouter(two)).test(.router) { second in
                    try await body(first, second)
                }
            }
        }
    }

    @Test("a visitor's bookings split over two instances and FHIR: the 21st in the minute is 429 wherever it lands")
    func bookings() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            try await twoInstances(test) { one, two in
                var statuses: [HTTPResponse.Status] = []
                for index in 0..<20 {
                    // A time before the opening: refused by the rules, counted all the same.
                    let body = Booking.body(fixture, start: "2026-11-23T08:00:00+01:00")
                    statuses.append(index % 2 == 0 ? try await Booking.book(one, body).status : try await Booking.book(two, body).status)
                }
                #expect(statuses.allSatisfy { $0 == .unprocessableContent }, "\(statuses)")
                let limited = try await Booking.book(two, Booking.body(fixture))
                #expect(limited.status == .tooManyRequests)
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
                // FHIR books from the same budget.
                let fhir = try await FHIRTests.post(one, ByteBuffer(string: #"{"resourceType":"Appointment"}"#))
                #expect(fhir.status == .tooManyRequests, "\(fhir.text)")
            }
            #expect(try await test.rows("SELECT id FROM appointments").isEmpty)
        }
    }

    @Test("wrong codes for one secretary from one address, alternating instances: the sixth try waits on both")
    func signIns() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let auth = AuthAPITests()
            let staff = try await auth.secretary(test, department: fixture.org.department.id)
            try await twoInstances(test) { one, two in
                for index in 0..<5 {
                    let failed = index % 2 == 0 ? try await auth.signIn(one, staff, code: "000000") : try await auth.signIn(two, staff, code: "000000")
                    #expect(failed.status == .unauthorized)
                }
                let code = auth.code(staff, at: Fixtures.now)
                for limited in [try await auth.signIn(one, staff, code: code), try await auth.signIn(two, staff, code: code)] {
                    #expect(limited.status == .tooManyRequests)
                    #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
                }
            }
        }
    }
}
