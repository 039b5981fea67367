import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: AppointmentRepository {
    /// Writes the appointment with its rooms and, unless it is cancelled, its
    /// occupancy: an overlap with another holder fails with `.duplicate("occupancy")`.
    /// Booking goes through `BookingRepository`; this is for imports and tests.
    public func insert(_ appointment: Appointment) async throws {
        try await write(appointment, isUpdate: false)
    }

    public func update(_ appointment: Appointment) async throws {
        try await write(appointment, isUpdate: true)
    }

    private func write(_ appointment: Appointment, isUpdate: Bool) async throws {
        let row = try AppointmentRow(appointment, cipher: cipher)
        do {
            try await database.transaction { db in
                if isUpdate {
                    try await updateRow(row, on: db)
                    try await release(holderID: appointment.id, on: db)
                } else {
                    try await insertRow(row, on: db)
                }
                try await replaceLinks(.appointmentResources, parent: appointment.id, children: appointment.resourceIDs, on: db)
                if appointment.status != .cancelled {
                    var cache = FootprintCache()
                    try await occupy(try await claims(
                        holderID: appointment.id, practitionerID: appointment.practitionerID, motiveID: appointment.motiveID,
                        resourceIDs: appointment.resourceIDs, start: appointment.startsAt, end: appointment.endsAt, cache: &cache, on: db), on: db)
                }
            }
        } catch is OccupancyConflict {
            throw RepositoryError.duplicate(constraint: "occupancy")
        }
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

    public func appointments(practitionerIDs: [UUID], from: Date, to: Date) async throws -> [Appointment] {
        var result: [Appointment] = []
        // Chunks of 500 ids keep every statement far below both engines' bind limits.
        for chunk in stride(from: 0, to: practitionerIDs.count, by: 500).map({ Array(practitionerIDs[$0..<min($0 + 500, practitionerIDs.count)]) }) {
            result += try await appointments {
                $0.where("practitioner_id", .in, idList(chunk))
                    .where("starts_at", .lessThan, SQLBind(Column.instant(to)))
                    .where("ends_at", .greaterThan, SQLBind(Column.instant(from)))
            }
        }
        return result.sorted { ($0.startsAt, $0.id.uuidString) < ($1.startsAt, $1.id.uuidString) }
    }

    public func appointments(patientID: UUID) async throws -> [Appointment] {
        try await appointments { $0.where("patient_id", .equal, SQLBind(Column.id(patientID))) }
    }

    public func appointments(referringDoctorID: UUID, from: Date, limit: Int) async throws -> [Appointment] {
        try await appointments {
            $0.where("referring_doctor_id", .equal, SQLBind(Column.id(referringDoctorID)))
                .where("ends_at", .greaterThan, SQLBind(Column.instant(from))).limit(max(1, min(limit, 500)))
        }
    }

    func appointments(_ filter: @Sendable (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [Appointment] {
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
