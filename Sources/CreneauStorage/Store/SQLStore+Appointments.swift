import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: AppointmentRepository {
    public func insert(_ appointment: Appointment) async throws {
        let row = try AppointmentRow(appointment, cipher: cipher)
        try await write(row, isUpdate: false, links: .appointmentResources, parent: appointment.id, children: appointment.resourceIDs)
    }

    public func update(_ appointment: Appointment) async throws {
        let row = try AppointmentRow(appointment, cipher: cipher)
        try await write(row, isUpdate: true, links: .appointmentResources, parent: appointment.id, children: appointment.resourceIDs)
    }

    public func appointment(id: UUID) async throws -> Appointment? {
        try await appointments { $0.where("id", .equal, SQLBind(Column.id(id))) }.first
    }

    public func appointments(practitionerID: UUID, from: Date, to: Date) async throws -> [Appointment] {
        try await appointments {
            $0.where("practitioner_id", .equal, SQLBind(Column.id(practitionerID)))
                .where("starts_at", .lessThan, SQLBind(Column.instant(to)))
                .where("ends_at", .greaterThan, SQLBind(Column.instant(from)))
        }
    }

    public func appointments(patientID: UUID) async throws -> [Appointment] {
        try await appointments { $0.where("patient_id", .equal, SQLBind(Column.id(patientID))) }
    }

    private func appointments(_ filter: @Sendable (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [Appointment] {
        let cipher = self.cipher
        return try await database.withConnection { db in
            let rows = try await filter(db.select().column("*").from(AppointmentRow.table))
                .orderBy("starts_at").orderBy("id")
                .all().map { try AppointmentRow(row: $0).opened(with: cipher) }
            let resources = try await links(.appointmentResources, parents: rows.map(\.id), on: db)
            return rows.map { appointment in
                var appointment = appointment
                appointment.resourceIDs = resources[appointment.id] ?? []
                return appointment
            }
        }
    }

    public func insert(_ event: AppointmentEvent) async throws { try await insertRow(event) }
    public func events(appointmentID: UUID) async throws -> [AppointmentEvent] {
        try await listRows(AppointmentEvent.self, where: "appointment_id", equals: Column.id(appointmentID), orderBy: ["at", "id"])
    }
}
