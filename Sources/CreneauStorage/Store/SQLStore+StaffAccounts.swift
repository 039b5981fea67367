import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: StaffAccountRepository {
    public func staffAccounts() async throws -> [(account: Account, grants: [RoleGrant], enrolled: Bool)] {
        try await database.withConnection { db in
            let grants = try await db.raw("SELECT * FROM role_grants WHERE role <> 'patient' ORDER BY account_id, role").all().map { try RoleGrant(row: $0) }
            let byAccount = Dictionary(grouping: grants, by: \.accountID)
            guard !byAccount.isEmpty else { return [] }
            return try await db.select().column("*").from(Account.table).where("id", .in, idList(byAccount.keys))
                .orderBy("display_name").orderBy("id").all().map { row in
                    let account = try Account(row: row)
                    let key = try row.optionalString("totp_sealed")
                    let enrolled = account.passwordHash != nil && key != nil
                    return (account, byAccount[account.id] ?? [], enrolled)
                }
        }
    }

    public func referringDoctor(nationalID: String) async throws -> ReferringDoctor? {
        try await listRows(ReferringDoctor.self, where: "national_id", equals: nationalID).first
    }

    public func clearTOTPSecret(accountID: UUID) async throws {
        try await database.withConnection { db in
            let updated = try await db.raw("""
                UPDATE accounts SET totp_sealed = NULL, totp_key_id = NULL, totp_last_step = NULL WHERE id = \(bind: Column.id(accountID)) RETURNING id
                """).all()
            guard !updated.isEmpty else { throw RepositoryError.notFound(entity: "accounts", id: Column.id(accountID)) }
        }
    }
}
