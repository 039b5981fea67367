import CreneauApp
import CreneauDomain
@testable import CreneauHTTP
import CreneauStorage
import CreneauTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Duplicates, merges and "known to the department" through the API and the staff pages,
/// and the patient index imported from a file.
@Suite("Patient index over HTTP and from a file")
struct PatientIndexHTTPTests {
    typealias Pages = AccountPagesTests
    typealias Accounts = PatientAccountsAPITests

    /// Two records of Léa Martin (different emails, so booking did not reuse the first).
    func twins(_ test: TestDatabase, _ fixture: BookingFixture) async throws -> (keep: UUID, duplicate: UUID, moved: UUID) {
        let booking = fixture.service(store: test.store)
        let one = try await booking.book(fixture.request(at: BookingFixture.monday(10), patient: .new(fixture.newPatient("Léa", email: "lea@example.org"))), by: .visitor)
        let two = try await booking.book(fixture.request(at: BookingFixture.monday(11), patient: .new(fixture.newPatient("Léa", email: "lea.m@example.org"))), by: .visitor)
        return (one.appointment.patientID, two.appointment.patientID, two.appointment.id)
    }

    @Test("a secretary lists duplicates, merges one and marks a patient known through the API; refusals are clear")
    func api() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let (keep, duplicate, moved) = try await twins(test, fixture)
            let staff = try await AuthAPITests().secretary(test, department: fixture.org.department.id)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let signedIn = try await AuthAPITests().signIn(client, staff, code: AuthAPITests().code(staff, at: Fixtures.now))
                let bearer = try signedIn.decode(AuthAPITests.Token.self).token
                let listed = try await Accounts.get(client, "/api/v1/patients/duplicates", bearer: bearer)
                #expect(listed.status == .ok)
                #expect(listed.text.contains(keep.json) && listed.text.contains(duplicate.json))

                let missing = try await Accounts.post(client, "/api/v1/patients/\(duplicate.json)/merge", [:], bearer: bearer)
                #expect(missing.status == .badRequest && missing.text.contains("missing_field") && missing.text.contains("into"))
                let merged = try await Accounts.post(client, "/api/v1/patients/\(duplicate.json)/merge", ["into": keep.json], bearer: bearer)
                #expect(merged.status == .ok, "\(merged.text)")
                #expect(merged.text.contains("\"appointmentsMoved\":1"))
                #expect(try await test.store.appointment(id: moved)?.patientID == keep)
                let again = try await Accounts.post(client, "/api/v1/patients/\(duplicate.json)/merge", ["into": keep.json], bearer: bearer)
                #expect(again.status == .notFound)

                let known = try await Accounts.post(client, "/api/v1/patients/\(keep.json)/known", ["department": fixture.org.department.id.json], bearer: bearer)
                #expect(known.status == .ok && known.text.contains("\"added\":true"))
                #expect(try await test.store.isKnown(patientID: keep, departmentID: fixture.org.department.id))
                // Visitors reach none of it.
                let visitor = try await client.execute(uri: "/api/v1/patients/duplicates", method: .get)
                #expect(visitor.status == .unauthorized)
            }
        }
    }

    @Test("the duplicates page merges at the press of a button; the agenda marks a first-visit patient as followed")
    func pages() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let (keep, duplicate, _) = try await twins(test, fixture)
            try await Application(router: buildRouter(test.dependencies())).test(.router) { client in
                let session = try await AdminPagesTests.adminSession(client, test, site: fixture.org.site.id)
                let headers: HTTPFields = [.cookie: session.cookie, .accept: "text/html"]
                let home = try await client.execute(uri: "/staff", method: .get, headers: headers)
                #expect(home.text.contains("href=\"/staff/duplicates\""))
                let page = try await client.execute(uri: "/staff/duplicates", method: .get, headers: headers)
                #expect(page.status == .ok)
                #expect(page.text.contains("MARTIN Léa") && page.text.contains("lea.m@example.org"))
                let merged = try await Pages.post(client, "/staff/duplicates/merge",
                                                  form: ["duplicate": duplicate.json, "keep": keep.json, "_csrf": session.csrf], cookie: session.cookie)
                #expect(merged.status == .ok)
                #expect(merged.text.contains("Dossiers fusionnés : 1 rendez-vous"))
                #expect(merged.text.contains("Aucun dossier ne partage"))

                let agenda = try await client.execute(uri: "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23", method: .get, headers: headers)
                #expect(agenda.text.contains("/staff/patients/\(keep.json)/known"))
                let back = "/staff/agenda?department=\(fixture.org.department.id.json)&day=2026-11-23"
                let marked = try await Pages.post(client, "/staff/patients/\(keep.json)/known",
                                                  form: ["department": fixture.org.department.id.json, "back": back, "_csrf": session.csrf], cookie: session.cookie)
                #expect(marked.status == .seeOther && marked.headers[.location] == back + "&known=1")
                #expect(try await test.store.isKnown(patientID: keep, departmentID: fixture.org.department.id))
                let after = try await client.execute(uri: back + "&known=1", method: .get, headers: headers)
                #expect(after.text.contains("désormais suivi par le service"))
            }
        }
    }

    @Test("a file with bad lines imports nothing, names each line; accepted, the good lines import in batches; again, nothing new")
    func importFile() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            var lines = ["\u{FEFF}IPP;nom_inutile;last_name;first_name;birth_date;email;departments"]
            for n in 0..<2_500 {
                lines.append("P\(n);x;Patient;Numéro \(n);\(String(format: "%02d", n % 28 + 1))/03/1970;p\(n)@example.org;\(n % 2 == 0 ? org.site.slug + "/cardiologie" : "")")
            }
            lines.insert("P-bad-1;x;Sans;Date;;;", at: 100)
            lines.insert("P-bad-2;x;\"Guillemet;Ouvert;1970-01-01;;", at: 2_000)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString).csv")
            try lines.joined(separator: "\r\n").write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }

            let index = PatientIndex(index: test.store, audit: test.store, clock: .fixed(Fixtures.now), ids: .random)
            let importer = PatientIndexImport(index: index, organisation: test.store, today: Fixtures.today)
            let refused = try await importer.run(file: file, acceptBadLines: false)
            #expect(refused.lines == 2_502 && refused.good == 2_500 && refused.bad == 2)
            #expect(refused.imported == nil)
            #expect(refused.problems.map(\.line) == [101, 2_001])
            #expect(refused.description.contains("line 101: The birth date is missing"))
            #expect(refused.description.contains("line 2001: The line cannot be read: a quote is not closed on its line."))
            #expect(try await test.rows("SELECT id FROM patients").count == 1)

            let accepted = try await importer.run(file: file, acceptBadLines: true)
            #expect(accepted.imported == PatientIndexCounts(created: 2_500, updated: 0, knownLinks: 1_250))
            #expect(try await test.rows("SELECT id FROM patients WHERE ipp IS NOT NULL").count == 2_500)
            let again = try await importer.run(file: file, acceptBadLines: true)
            #expect(again.imported == PatientIndexCounts(created: 0, updated: 2_500, knownLinks: 0))
        }
    }
}
