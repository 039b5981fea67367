import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The desk opens an appointment from the agenda, reads its history, moves it, and cancels
/// another with a reason.
@Suite("Web: an appointment's history, moved and cancelled by the hospital")
struct StaffAppointmentTests {
    typealias Pages = AccountPagesTests

    @Test("the history says who booked and by which channel; a move goes to a free slot; a cancellation needs a reason")
    func changeFromTheDesk() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            let first = try await service.book(fixture.request(at: BookingFixture.monday(10)), by: .visitor).appointment
            let second = try await service.book(fixture.request(at: BookingFixture.monday(11), patient: .new(fixture.newPatient("Paul", email: "paul@example.org"))),
                                                by: .visitor).appointment
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let agenda = try await client.execute(uri: "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23", method: .get, headers: headers)
                #expect(agenda.text.contains("href=\"/staff/appointments/\(first.id.json)\""))

                let page = try await client.execute(uri: "/staff/appointments/\(first.id.json)", method: .get, headers: headers)
                #expect(page.status == .ok)
                #expect(page.text.contains("MARTIN Léa") && page.text.contains("réservé") && page.text.contains("(en ligne)"))

                let noReason = try await Pages.post(client, "/staff/appointments/\(second.id.json)/cancel", form: ["reason": " ", "_csrf": session.csrf], cookie: session.cookie)
                #expect(noReason.status == .unprocessableContent && noReason.text.contains("Indiquez pourquoi"))
                #expect(try await test.store.appointment(id: second.id)?.status == .booked)
                let cancelled = try await Pages.post(client, "/staff/appointments/\(second.id.json)/cancel",
                                                     form: ["reason": "Praticien absent (formation)", "_csrf": session.csrf], cookie: session.cookie)
                #expect(cancelled.status == .seeOther)
                let stored = try #require(try await test.store.appointment(id: second.id))
                #expect(stored.status == .cancelled && stored.cancelledBy == .staff && stored.cancellationReason == "Praticien absent (formation)")
                let history = try await client.execute(uri: "/staff/appointments/\(second.id.json)", method: .get, headers: headers)
                #expect(history.text.contains("annulé — Admin"))

                // Move the first to Tuesday: the page lists free slots; choosing one moves it.
                let move = try await client.execute(uri: "/staff/appointments/\(first.id.json)/move?from=2026-11-24", method: .get, headers: headers)
                let start = try #require(move.text.range(of: "name=\"start\" value=\"").map { String(move.text[$0.upperBound...].prefix { $0 != "\"" }) })
                // Within the patient's cut-off, the hospital says why (the history keeps it).
                let silent = try await Pages.post(client, "/staff/appointments/\(first.id.json)/move", form: ["start": start, "_csrf": session.csrf], cookie: session.cookie)
                #expect(silent.status == .unprocessableContent && silent.text.contains("name=\"reason\""))
                let moved = try await Pages.post(client, "/staff/appointments/\(first.id.json)/move",
                                                 form: ["start": start, "reason": "Praticien en bloc opératoire", "_csrf": session.csrf], cookie: session.cookie)
                #expect(moved.status == .seeOther, "\(moved.text.components(separatedBy: "role=\"alert\"").last?.prefix(300) ?? "")")
                #expect(try await test.store.appointment(id: first.id)?.startsAt == Date(timeIntervalSince1970: TimeInterval(Int(start) ?? 0)))
                let after = try await client.execute(uri: "/staff/appointments/\(first.id.json)", method: .get, headers: headers)
                #expect(after.text.contains("déplacé — Admin"))
            }
        }
    }
}
