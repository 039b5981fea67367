import CreneauDomain
import CreneauStorage
import CreneauTestSupport
import Foundation
import SQLKit
import Testing

@Suite("One-time tokens: verification and reset links, sign-in codes")
struct AccountTokenRepositoryTests {
    func account(_ store: SQLStore) async throws -> Account {
        let account = Account(id: UUID(), email: "lea@example.org", displayName: "Léa Martin", passwordHash: "x", createdAt: Fixtures.now)
        let patient = Patient(id: UUID(), firstName: "Léa", lastName: "Martin", birthDate: LocalDate("1990-01-01")!, createdAt: Fixtures.now)
        try await store.insertPatientAccount(account, selfPatient: patient, grantID: UUID())
        return account
    }

    @Test("a patient account is made whole: account, self patient, patient role; a taken email changes nothing")
    func patientAccount() async throws {
        try await TestDatabase.with { test in
            let account = try await account(test.store)
            #expect(try await test.store.grants(accountID: account.id).map(\.role) == [.patient])
            #expect(try await test.store.managedPatients(accountID: account.id).map(\.relationship) == [.self])
            let twin = Account(id: UUID(), email: "LEA@example.org", displayName: "Autre", createdAt: Fixtures.now)
            let other = Patient(id: UUID(), firstName: "Autre", lastName: "Personne", birthDate: LocalDate("1990-01-01")!, createdAt: Fixtures.now)
            await #expect(throws: RepositoryError.self) { try await test.store.insertPatientAccount(twin, selfPatient: other, grantID: UUID()) }
            // Nothing half-written: the patient of the refused account does not exist.
            #expect(try await test.store.patient(id: other.id) == nil)
        }
    }

    @Test("a link works once, before it lapses, and only the newest of its kind works")
    func links() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let account = try await account(store)
            let record = AccountToken(accountID: account.id, purpose: .resetPassword, createdAt: Fixtures.now, expiresAt: Fixtures.now.addingTimeInterval(3_600))
            try await store.issue(token: "first-link", code: nil, record)
            try await store.issue(token: "second-link", code: nil, record)
            #expect(try await store.redeem("first-link", purpose: .resetPassword, at: Fixtures.now) == nil)
            #expect(try await store.redeem("second-link", purpose: .verifyEmail, at: Fixtures.now) == nil)
            #expect(try await store.redeem("second-link", purpose: .resetPassword, at: Fixtures.now.addingTimeInterval(3_600)) == nil)
            #expect(try await store.redeem("second-link", purpose: .resetPassword, at: Fixtures.now) == account.id)
            #expect(try await store.redeem("second-link", purpose: .resetPassword, at: Fixtures.now) == nil)
            #expect(try await store.token("second-link", purpose: .resetPassword)?.usedAt == Fixtures.now)
        }
    }

    @Test("codes: wrong ones are counted to the limit; of many simultaneous right ones, exactly one is accepted")
    func codes() async throws {
        try await TestDatabase.with { test in
            let store = test.store
            let account = try await account(store)
            let record = AccountToken(accountID: account.id, purpose: .signIn, createdAt: Fixtures.now, expiresAt: Fixtures.now.addingTimeInterval(600))
            try await store.issue(token: "challenge-1", code: "123456", record)
            #expect(try await store.checkCode("654321", challenge: "challenge-1", at: Fixtures.now, maxAttempts: 3) == .rejected(attemptsLeft: 2))
            #expect(try await store.checkCode("123456", challenge: "other", at: Fixtures.now, maxAttempts: 3) == .expired)
            #expect(try await store.checkCode("123456", challenge: "challenge-1", at: Fixtures.now.addingTimeInterval(600), maxAttempts: 3) == .expired)

            try await store.issue(token: "challenge-2", code: "111111", record)
            // The newer challenge ended the first.
            #expect(try await store.checkCode("123456", challenge: "challenge-1", at: Fixtures.now, maxAttempts: 3) == .expired)
            let outcomes = try await withThrowingTaskGroup(of: CodeCheck.self) { group in
                for _ in 0..<20 { group.addTask { try await store.checkCode("111111", challenge: "challenge-2", at: Fixtures.now, maxAttempts: 3) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .accepted(accountID: account.id) }.count == 1)
            #expect(outcomes.filter { $0 == .expired }.count == 19)

            try await store.issue(token: "challenge-3", code: "222222", record)
            for left in [2, 1] {
                #expect(try await store.checkCode("000000", challenge: "challenge-3", at: Fixtures.now, maxAttempts: 3) == .rejected(attemptsLeft: left))
            }
            #expect(try await store.checkCode("000000", challenge: "challenge-3", at: Fixtures.now, maxAttempts: 3) == .expired)
            #expect(try await store.checkCode("222222", challenge: "challenge-3", at: Fixtures.now, maxAttempts: 3) == .expired)
        }
    }

    @Test("a dump holds neither tokens nor codes: only hashes")
    func hashedAtRest() async throws {
        try await TestDatabase.with { test in
            let account = try await account(test.store)
            try await test.store.issue(token: "secret-challenge-token", code: "987654", AccountToken(
                accountID: account.id, purpose: .signIn, createdAt: Fixtures.now, expiresAt: Fixtures.now.addingTimeInterval(600)))
            let rows = try await test.database.withConnection { db in try await db.raw("SELECT token_hash, code_hash FROM account_tokens").all() }
            let text = try rows.map { "\(try $0.decode(column: "token_hash", as: String.self)) \(try $0.decode(column: "code_hash", as: String.self))" }.joined()
            #expect(!text.isEmpty)
            #expect(!text.contains("secret-challenge-token") && !text.contains("987654"))
        }
    }
}
