import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import SQLKit
import Testing

@Suite("Appointments, their history and the access audit")
struct AppointmentRepositoryTests {
    func appointment(_ org: Fixtures.Organisation, reason: String? = "Fièvre depuis 2 jours") -> Appointment {
        let start = Fixtures.now.addingTimeInterval(2 * 3_600)
        return Appointment(
            id: UUID(), departmentID: org.department.id, motiveID: org.motive.id, practitionerID: org.practitioner.id,
            patientID: org.patient.id, resourceIDs: [org.room.id], startsAt: start, endsAt: start.addingTimeInterval(1_800),
            channel: .online, reason: reason, notes: "Allergie à la pénicilline", createdAt: Fixtures.now)
    }

    @Test("create, read and update an appointment")
    func roundTrip() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            var booked = appointment(org)
            try await store.insert(booked)
            #expect(try await store.appointment(id: booked.id) == booked)

            booked.status = .cancelled
            booked.cancelledBy = .patient
            booked.cancellationReason = "Empêchement"
            booked.updatedAt = Fixtures.now.addingTimeInterval(60)
            booked.resourceIDs = []
            booked.reason = nil
            try await store.update(booked)

            #expect(try await store.appointment(id: booked.id) == booked)
            #expect(try await store.appointments(patientID: org.patient.id) == [booked])
            let day = try await store.appointments(practitionerID: org.practitioner.id, from: Fixtures.now, to: Fixtures.now.addingTimeInterval(86_400))
            #expect(day == [booked])
            let tomorrow = try await store.appointments(practitionerID: org.practitioner.id, from: Fixtures.now.addingTimeInterval(86_400), to: Fixtures.now.addingTimeInterval(2 * 86_400))
            #expect(tomorrow.isEmpty)
        }
    }

    @Test("reasons and notes are not stored in plain text")
    func encryptedAtRest() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            let booked = appointment(org)
            try await test.store.insert(booked)

            let row = try #require(try await test.rows("SELECT * FROM appointments").first)
            let sealed = try row.decode(column: "reason_sealed", as: String.self)
            #expect(!sealed.contains("Fièvre"))
            #expect(try row.decode(column: "sealed_key_id", as: String.self) == "test-k1")
            // opens with the key ring, not without it
            #expect(try test.cipher.open(sealed, keyID: "test-k1", context: "appointments.reason:\(booked.id.uuidString.lowercased())") == "Fièvre depuis 2 jours")
            #expect(throws: FieldCipherError.cannotOpen) {
                try TestDatabase.makeCipher().open(sealed, keyID: "test-k1", context: "appointments.reason:\(booked.id.uuidString.lowercased())")
            }
        }
    }

    @Test("cancellation reasons are sealed too; reasons written in plain text before are sealed after migrating")
    func cancellationReasonSealed() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            var booked = appointment(org)
            try await test.store.insert(booked)
            booked.status = .cancelled
            booked.cancelledBy = .patient
            booked.cancellationReason = "Hospitalisé en urgence"
            try await test.store.update(booked)
            let row = try #require(try await test.rows("SELECT cancellation_reason, cancellation_reason_sealed FROM appointments").first)
            #expect(try row.decode(column: "cancellation_reason", as: String?.self) == nil)
            #expect(!(try row.decode(column: "cancellation_reason_sealed", as: String.self)).contains("Hospitalisé"))
            #expect(try await test.store.appointment(id: booked.id)?.cancellationReason == "Hospitalisé en urgence")

            // A row from before the migration: plain text, read as it is, then sealed once.
            let id = booked.id.uuidString.lowercased()
            try await test.run("UPDATE appointments SET cancellation_reason = 'Empêchement', cancellation_reason_sealed = NULL, cancellation_key_id = NULL WHERE id = '\(id)'")
            #expect(try await test.store.appointment(id: booked.id)?.cancellationReason == "Empêchement")
            #expect(try await test.store.sealCancellationReasons() == 1)
            #expect(try await test.store.sealCancellationReasons() == 0)
            let sealed = try #require(try await test.rows("SELECT cancellation_reason, cancellation_reason_sealed FROM appointments").first)
            #expect(try sealed.decode(column: "cancellation_reason", as: String?.self) == nil)
            #expect(!(try sealed.decode(column: "cancellation_reason_sealed", as: String.self)).contains("Empêchement"))
            #expect(try await test.store.appointment(id: booked.id)?.cancellationReason == "Empêchement")
        }
    }

    @Test("appointment invariants: period, status, cancellation")
    func constraints() async throws {
        try await TestDatabase.with { test in
            let org = try await Fixtures.organisation(in: test.store)
            var backwards = appointment(org)
            backwards.endsAt = backwards.startsAt
            #expect(await failure { try await test.store.insert(backwards) } == .invalidValue)

            var halfCancelled = appointment(org)
            halfCancelled.status = .cancelled
            #expect(await failure { try await test.store.insert(halfCancelled) } == .invalidValue)

            var unknownPatient = appointment(org)
            unknownPatient.patientID = UUID()
            #expect(await failure { try await test.store.insert(unknownPatient) } == .missingReference)
            #expect(try await test.rows("SELECT id FROM appointments").isEmpty)
        }
    }

    @Test("history and access audit are append-only, enforced by the database")
    func appendOnly() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let org = try await Fixtures.organisation(in: store)
            let booked = appointment(org)
            try await store.insert(booked)
            let event = AppointmentEvent(id: UUID(), appointmentID: booked.id, at: Fixtures.now, actorAccountID: nil, channel: .online,
                                         action: .created, after: #"{"status":"booked"}"#)
            try await store.insert(event)
            #expect(try await store.events(appointmentID: booked.id) == [event])

            let read = AccessAuditEntry(id: UUID(), at: Fixtures.now, actorAccountID: nil, action: "read_patient",
                                        patientID: org.patient.id, target: "patient:\(org.patient.id)", outcome: .allowed)
            try await store.append(read)
            #expect(try await store.entries(patientID: org.patient.id) == [read])

            for statement in ["UPDATE access_audit SET outcome = 'denied'", "DELETE FROM access_audit",
                              "UPDATE appointment_events SET action = 'moved'", "DELETE FROM appointment_events"] {
                #expect(await failure { try await test.run(statement) } == .invalidValue, "\(statement)")
            }
            #expect(try await store.entries(patientID: org.patient.id) == [read])
            #expect(try await store.events(appointmentID: booked.id) == [event])
        }
    }
}
