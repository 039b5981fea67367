import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: PractitionerRepository {
    public func insert(_ practitioner: Practitioner) async throws { try await insertRow(practitioner) }
    public func update(_ practitioner: Practitioner) async throws { try await updateRow(practitioner) }
    public func practitioner(id: UUID) async throws -> Practitioner? { try await findRow(Practitioner.self, id: id) }
    public func practitionerCount() async throws -> Int {
        try await database.withConnection { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(Practitioner.table)
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func insert(_ membership: Membership) async throws { try await insertRow(membership) }
    public func memberships(practitionerID: UUID) async throws -> [Membership] {
        try await listRows(Membership.self, where: "practitioner_id", equals: Column.id(practitionerID), orderBy: ["department_id"])
    }

    public func insert(_ resource: Resource) async throws { try await insertRow(resource) }
    public func update(_ resource: Resource) async throws { try await updateRow(resource) }
    public func resource(id: UUID) async throws -> Resource? { try await findRow(Resource.self, id: id) }
}
