import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Patient index: duplicates, merges, known patients, the hospital's index")
struct PatientIndexTests {
    func service(_ test: TestDatabase) -> PatientIndex {
        PatientIndex(index: test.store, audit: test.store, clock: .fixed(Fixtures.now), ids: .random)
    }

    @Test("twins are listed; merging moves appointments, departments and the account link, keeps the duplicate marked, and is audited")
    func mergeTwins() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let secretary = try await BookingServiceTests().secretary(test)
            let booking = fixture.service(store: test.store)
            // Two records of one person, made before records were reused (different contacts).
            let one = try await booking.book(fixture.request(at: BookingFixture.monday(10), patient: .new(fixture.newPatient("Léa", email: "lea@example.org"))), by: .visitor)
            let two = try await booking.book(fixture.request(at: BookingFixture.monday(11), patient: .new(fixture.newPatient("Léa", email: "lea.martin@example.org"))), by: .visitor)
            let keep = one.appointment.patientID, duplicate = two.appointment.patientID
            #expect(keep != duplicate)
            _ = try await test.store.markKnown(KnownPatient(departmentID: fixture.org.department.id, patientID: duplicate, source: .importedIndex, since: Fixtures.now))

            let groups = try await service(test).duplicates(by: secretary)
            #expect(groups.map { Set($0.map(\.id)) } == [[keep, duplicate]])

            let moved = try await service(test).merge(duplicate, into: keep, by: secretary)
            #expect(moved == PatientMergeResult(appointments: 1, departmentsKnown: 1, accounts: 0))
            #expect(try await test.store.appointment(id: two.appointment.id)?.patientID == keep)
            #expect(try await test.store.isKnown(patientID: keep, departmentID: fixture.org.department.id))
            let merged = try #require(try await test.store.patient(id: duplicate))
            #expect(merged.mergedInto == keep)
            // The kept record took the contact it lacked? It had its own email: kept as it was.
            #expect(try await test.store.patient(id: keep)?.email == "lea@example.org")
            #expect(try await service(test).duplicates(by: secretary).isEmpty)
            #expect(try await test.store.searchPatients("lea martin", birthDate: nil, limit: 10).map(\.id) == [keep])
            #expect(try await test.store.entries(patientID: duplicate).contains { $0.action == "merge_patients" && $0.target == "patient:\(keep.uuidString.lowercased())" })

            // Merging again, or into itself, is refused with a reason; nothing changes.
            await #expect(throws: BookingError.self) { try await service(test).merge(duplicate, into: keep, by: secretary) }
            await #expect(throws: BookingError.self) { try await service(test).merge(keep, into: keep, by: secretary) }
            // Practitioners and visitors do not merge.
            await #expect(throws: BookingError.self) { try await service(test).merge(keep, into: duplicate, by: Booker(.staff(accountID: UUID(), role: .practitioner))) }
            await #expect(throws: BookingError.self) { try await service(test).duplicates(by: .visitor) }
        }
    }

    @Test("two records that each hold an account are not merged: the patient chooses first")
    func twoAccounts() async throws {
        try await TestDatabase.with { test in
            let secretary = try await BookingServiceTests().secretary(test)
            var ids: [UUID] = []
            for email in ["a@example.org", "b@example.org"] {
                let account = Account(id: UUID(), email: email, displayName: "Léa Martin", createdAt: Fixtures.now)
                let patient = Patient(id: UUID(), firstName: "Léa", lastName: "Martin", birthDate: LocalDate(year: 1992, month: 5, day: 14)!, email: email, createdAt: Fixtures.now)
                try await test.store.insertPatientAccount(account, selfPatient: patient, grantID: UUID())
                ids.append(patient.id)
            }
            await #expect(throws: BookingError.invalidTransition("Both records hold their own patient account. Ask the patient which account to keep and close the other first.")) {
                try await service(test).merge(ids[1], into: ids[0], by: secretary)
            }
            #expect(try await test.store.patient(id: ids[1])?.mergedInto == nil)
        }
    }

    @Test("staff mark a patient known to their department once; another department's staff cannot")
    func markKnown() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let account = Account(id: UUID(), email: "sandrine@hopital.test", displayName: "Sandrine", createdAt: Fixtures.now)
            try await test.store.insert(account)
            let secretary = Booker(.staff(accountID: account.id, role: .secretary), departments: [org.department.id])
            #expect(try await service(test).markKnown(patientID: org.patient.id, departmentID: org.department.id, by: secretary))
            #expect(try await !service(test).markKnown(patientID: org.patient.id, departmentID: org.department.id, by: secretary))
            #expect(try await test.store.isKnown(patientID: org.patient.id, departmentID: org.department.id))
            #expect(try await test.store.entries(patientID: org.patient.id).filter { $0.action == "mark_known" }.count == 1)
            let elsewhere = Booker(.staff(accountID: account.id, role: .secretary), departments: [UUID()])
            await #expect(throws: BookingError.self) { try await service(test).markKnown(patientID: org.patient.id, departmentID: org.department.id, by: elsewhere) }
            await #expect(throws: BookingError.self) { try await service(test).markKnown(patientID: UUID(), departmentID: org.department.id, by: secretary) }
        }
    }

    @Test("the index creates, updates by IPP, adopts a record with the same identity and contact, links departments, and is idempotent")
    func importIndex() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let karim = org.patient  // phone 0600000000, no IPP yet
            let rows = [
                PatientIndexRow(ipp: "IPP-1", ins: "145037511604512", firstName: "Karim", lastName: "Benali", birthDate: karim.birthDate,
                                email: nil, phone: "06 00 00 00 00", knownIn: [org.department.id]),
                PatientIndexRow(ipp: "IPP-2", ins: nil, firstName: "Anne", lastName: "Roux", birthDate: LocalDate(year: 1970, month: 1, day: 2)!,
                                email: "anne@example.org", phone: nil, knownIn: []),
            ]
            let first = try await service(test).importBatch(rows)
            #expect(first == PatientIndexCounts(created: 1, updated: 1, knownLinks: 1))
            let adopted = try #require(try await test.store.patient(id: karim.id))
            #expect(adopted.ipp == "IPP-1" && adopted.ins == "145037511604512")
            #expect(try await test.store.isKnown(patientID: karim.id, departmentID: org.department.id))
            #expect(try await service(test).importBatch(rows) == PatientIndexCounts(created: 0, updated: 2, knownLinks: 0))
            #expect(try await test.rows("SELECT id FROM patients").count == 2)
            // A name corrected in the hospital's index follows; the INS of another record is not stolen.
            var renamed = rows[1]
            renamed.lastName = "Roux-Martin"
            renamed.ins = "145037511604512"
            _ = try await service(test).importBatch([renamed])
            let anne = try #require(try await test.store.searchPatients("anne roux martin", birthDate: nil, limit: 5).first)
            #expect(anne.ipp == "IPP-2" && anne.ins == nil)
        }
    }
}
