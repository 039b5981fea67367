import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import Testing

@Suite("Patient identity: one person booking twice is one patient")
struct PatientIdentityTests {
    @Test("the same names, birth date and email or phone find the record; a namesake with other contacts gets their own")
    func reuse() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            func book(_ hour: Int, _ minute: Int, _ details: PatientDetails) async throws -> UUID {
                try await service.book(fixture.request(at: BookingFixture.monday(hour, minute), patient: .new(details)), by: .visitor).appointment.patientID
            }
            let lea = PatientDetails(firstName: "Léa", lastName: "Martin", birthDate: LocalDate(year: 1992, month: 5, day: 14)!,
                                     email: "lea@example.org", phone: "06 12 34 56 78")
            let first = try await book(10, 0, lea)
            // Typed again with other case and accents, the email in capitals: the same person.
            let again = try await book(10, 30, PatientDetails(firstName: "LEA", lastName: "martin", birthDate: lea.birthDate, email: "LEA@example.org"))
            #expect(again == first)
            // The phone alone, written the international way: the same person.
            let byPhone = try await book(11, 0, PatientDetails(firstName: "Léa", lastName: "Martin", birthDate: lea.birthDate, phone: "+33 6 12 34 56 78"))
            #expect(byPhone == first)
            // A namesake born the same day with other contacts is someone else.
            let namesake = try await book(11, 30, PatientDetails(firstName: "Léa", lastName: "Martin", birthDate: lea.birthDate, email: "autre@example.org"))
            #expect(namesake != first)
            #expect(try await test.rows("SELECT id FROM patients WHERE search_text = 'lea martin'").count == 2)
            // Now two records match by name and birth date: contacts still tell them apart.
            #expect(try await book(9, 0, PatientDetails(firstName: "Léa", lastName: "Martin", birthDate: lea.birthDate, email: "autre@example.org")) == namesake)
        }
    }

    @Test("a secretary typing a caller's details finds the caller's record instead of making a twin")
    func staffPhoneBooking() async throws {
        try await TestDatabase.with { test in
            let fixture = try await BookingFixture.make(in: test.store)
            let service = fixture.service(store: test.store)
            let secretary = try await BookingServiceTests().secretary(test)
            let karim = fixture.org.patient
            let details = PatientDetails(firstName: karim.firstName, lastName: karim.lastName, birthDate: karim.birthDate, phone: "06.00.00.00.00")
            let booked = try await service.book(fixture.request(at: BookingFixture.monday(10), patient: .new(details), channel: .phone), by: secretary)
            #expect(booked.appointment.patientID == karim.id)
        }
    }
}
