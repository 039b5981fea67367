import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Staff looking patients up: a search when someone calls, a record with appointments,
/// each patient shown written to the access audit.
@Suite("API: staff find patients and read their records, audited")
struct PatientsAPITests {
    typealias Refusal = BookingAPITests.Refusal

    static func search(_ client: some TestClientProtocol, _ body: [String: String], token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: "/api/v1/patients/search", method: .post, headers: headers,
                                        body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
    }

    struct Found: Decodable { let id: String; let firstName: String; let lastName: String; let birthDate: String }
    struct Record: Decodable {
        let patient: Found
        let appointments: [BookingAPITests.Booked]
    }

    @Test("search by folded name and birth date; records show the appointments of the secretary's departments; every patient shown is audited")
    func searchAndRecord() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let dermatology = Department(id: UUID(), siteID: fixture.org.site.id, name: "Dermatologie", specialty: "dermatologie")
            try await test.store.insert(dermatology)
            let service = fixture.service(store: test.store)
            let lea = PatientDetails(firstName: "Léa", lastName: "Lefèvre", birthDate: LocalDate("1992-05-14")!, email: "lea@example.org")
            let booked = try await service.book(fixture.request(at: BookingFixture.monday(9), patient: .new(lea)), by: .visitor).appointment
            let other = Patient(id: UUID(), firstName: "Léon", lastName: "Lefèvre", birthDate: LocalDate("1950-01-01")!, createdAt: Fixtures.now)
            try await test.store.insert(other)

            let matrix = AccessMatrixTests()
            let cardiology = try await matrix.account(test, email: "s1@h.test", role: .secretary, scope: .department(fixture.org.department.id))
            let derm = try await matrix.account(test, email: "s2@h.test", role: .secretary, scope: .department(dermatology.id))
            var dependencies = test.dependencies()
            dependencies.limits = .off
            try await Application(router: buildRouter(dependencies)).test(.router) { client in
                let token = try await matrix.token(client, cardiology)
                let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

                let both = try await Self.search(client, ["q": "LEFEVRE"], token: token).decode([Found].self)
                #expect(Set(both.map(\.firstName)) == ["Léa", "Léon"])
                let one = try await Self.search(client, ["q": "lefevre lea", "birthDate": "1992-05-14"], token: token).decode([Found].self)
                #expect(one.map(\.firstName) == ["Léa"])
                #expect(try await Self.search(client, ["q": "dupont"], token: token).decode([Found].self).isEmpty)

                let short = try await Self.search(client, ["q": "l"], token: token)
                #expect(short.status == .unprocessableContent)
                #expect(try await Self.search(client, ["q": "lefevre", "birthDate": "14/05/1992"], token: token).status == .badRequest)

                let record = try await client.execute(uri: "/api/v1/patients/\(one[0].id)", method: .get, headers: bearer).decode(Record.self)
                #expect(record.patient.lastName == "Lefèvre")
                #expect(record.appointments.map(\.id) == [booked.id.uuidString.lowercased()])
                #expect(try await client.execute(uri: "/api/v1/patients/\(UUID())", method: .get, headers: bearer).status == .notFound)

                // Dermatology's secretary finds the person, but has no appointment with her: the
                // record opens only when she states why (break the glass), and never shows cardiology's appointments.
                let dermToken = try await matrix.token(client, derm)
                let dermBearer: HTTPFields = [.authorization: "Bearer \(dermToken)"]
                let closed = try await client.execute(uri: "/api/v1/patients/\(one[0].id)", method: .get, headers: dermBearer)
                #expect(closed.status == .forbidden)
                #expect(!closed.text.contains("Lefèvre"))
                #expect(try await client.execute(uri: "/api/v1/patients/\(one[0].id)?breakGlass=curiosity", method: .get, headers: dermBearer).status == .badRequest)
                let seen = try await client.execute(uri: "/api/v1/patients/\(one[0].id)?breakGlass=patient_request", method: .get, headers: dermBearer)
                    .decode(Record.self)
                #expect(seen.appointments.isEmpty)
                // Search results say who (name, birth date), not how to reach them.
                let listed = try await Self.search(client, ["q": "lefevre lea", "birthDate": "1992-05-14"], token: token)
                #expect(!listed.text.contains("email") && !listed.text.contains("phone"))

                // Visitors and patients have no patient search.
                #expect(try await Self.search(client, ["q": "lefevre"], token: nil).status == .unauthorized)

                let leaID = UUID(uuidString: one[0].id)!
                let audit = try await test.store.entries(patientID: leaID)
                #expect(audit.filter { $0.action == "search_patients" }.count == 3)
                #expect(audit.filter { $0.action == "read_patient" && $0.outcome == .allowed }.count == 1)
                #expect(audit.filter { $0.action == "read_patient" && $0.outcome == .denied }.count == 1)
                #expect(audit.filter { $0.action == "break_glass:patient_request" && $0.outcome == .allowed }.count == 1)
                #expect(audit.allSatisfy { $0.target == "patient:\(one[0].id)" })
                let cardiologyID = try #require(try await test.store.account(email: cardiology.email)?.id)
                let dermID = try #require(try await test.store.account(email: derm.email)?.id)
                #expect(Set(audit.compactMap(\.actorAccountID)) == [cardiologyID, dermID])
            }
        }
    }

    @Test("patients cannot search patients")
    func patientsCannotSearch() async throws {
        try await TestDatabase.with { test in
            let mailer = RecordingMailer()
            try await Application(router: buildRouter(test.dependencies(mailer: mailer))).test(.router) { client in
                let token = try await PatientAccountsAPITests.patient(client, mailer, email: "lea@example.org")
                let response = try await Self.search(client, ["q": "martin"], token: token)
                #expect(response.status == .forbidden)
                #expect(try response.decode(Refusal.self).error.code == "staff_only")
            }
        }
    }
}
