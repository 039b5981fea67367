import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: PractitionerImportRepository {
    public func importPractitioners(_ rows: [PractitionerImportRow], at now: Date, ids: IDGenerator) async throws -> PractitionerImportCounts {
        try await database.transaction { db in
            var counts = PractitionerImportCounts()
            // Who exists already: by RPPS everywhere, else by folded name among each site's practitioners.
            var byRPPS: [String: Practitioner] = [:], byName: [String: Practitioner] = [:]
            for row in try await db.raw("SELECT * FROM practitioners WHERE rpps IS NOT NULL").all() {
                let practitioner = try Practitioner(row: row)
                if let rpps = practitioner.rpps { byRPPS[rpps] = practitioner }
            }
            for row in try await db.raw("""
                SELECT DISTINCT p.*, d.site_id AS at_site FROM practitioners p JOIN memberships m ON m.practitioner_id = p.id
                JOIN departments d ON d.id = m.department_id
                """).all() {
                let practitioner = try Practitioner(row: row)
                byName["\(try row.uuid("at_site").uuidString)|\(practitioner.searchName)"] = practitioner
            }
            var written = Set<UUID>(), members = Set<String>()
            for row in try await db.raw("SELECT practitioner_id, department_id FROM memberships").all() {
                members.insert("\(try row.uuid("practitioner_id").uuidString)|\(try row.uuid("department_id").uuidString)")
            }
            for row in rows {
                let nameKey = "\(row.siteID.uuidString)|\(SearchText.fold("\(row.firstName) \(row.lastName)"))"
                let existing = row.rpps.flatMap { byRPPS[$0] } ?? byName[nameKey]
                var practitioner = existing ?? Practitioner(id: ids.next(), firstName: row.firstName, lastName: row.lastName, profession: row.profession,
                                                            specialty: row.specialty)
                practitioner.title = row.title
                practitioner.firstName = row.firstName
                practitioner.lastName = row.lastName
                practitioner.profession = row.profession
                practitioner.specialty = row.specialty
                practitioner.rpps = row.rpps ?? practitioner.rpps
                practitioner.languages = row.languages
                if existing == nil {
                    try await insertRow(practitioner, on: db)
                    counts.created += 1
                } else if existing != practitioner, !written.contains(practitioner.id) {
                    try await updateRow(practitioner, on: db)
                    counts.updated += 1
                }
                written.insert(practitioner.id)
                if let rpps = practitioner.rpps { byRPPS[rpps] = practitioner }
                byName[nameKey] = practitioner
                if members.insert("\(practitioner.id.uuidString)|\(row.departmentID.uuidString)").inserted {
                    try await insertRow(Membership(practitionerID: practitioner.id, departmentID: row.departmentID), on: db)
                    counts.memberships += 1
                }
                guard let email = row.email else { continue }
                var account = try await db.select().column("*").from(Account.table).where("email", .equal, SQLBind(email)).first().map { try Account(row: $0) }
                if account == nil {
                    let created = Account(id: ids.next(), email: email, displayName: "\(row.title) \(row.firstName) \(row.lastName)".trimmingCharacters(in: .whitespaces),
                                          practitionerID: practitioner.id, createdAt: now)
                    try await insertRow(created, on: db)
                    account = created
                    counts.accounts += 1
                }
                guard let account else { continue }
                let scope = Column.id(row.departmentID)
                let granted = try await db.raw("""
                    SELECT id FROM role_grants WHERE account_id = \(bind: Column.id(account.id)) AND role = 'practitioner' AND department_id = \(bind: scope)
                    """).all()
                if granted.isEmpty {
                    try await insertRow(RoleGrant(id: ids.next(), accountID: account.id, role: .practitioner, scope: .department(row.departmentID)), on: db)
                    if account.passwordHash == nil && !counts.toInvite.contains(account.id) { counts.toInvite.append(account.id) }
                }
            }
            return counts
        }
    }
}
