import CreneauStorage
import CreneauTestSupport
import SQLKit
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("apply from an empty database, once")
    func fromEmpty() async throws {
        try await TestDatabase.with(migrated: false) { test in
            // given an empty database
            let migrator = Migrator(database: test.database)
            #expect(try await migrator.pending() == Migration.all.map(\.name))

            // when migrating twice
            let first = try await migrator.migrate(now: Fixtures.now)
            let second = try await migrator.migrate(now: Fixtures.now)

            // then everything applied once, in order, and nothing is pending
            #expect(first == Migration.all.map(\.name))
            #expect(second.isEmpty)
            #expect(try await migrator.pending().isEmpty)
            let recorded = try await test.rows("SELECT name FROM schema_migrations ORDER BY name")
                .map { try $0.decode(column: "name", as: String.self) }
            #expect(recorded == Migration.all.map(\.name).sorted())
        }
    }

    @Test("migration names are unique and ordered")
    func namesOrdered() {
        let names = Migration.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names == names.sorted())
    }

    @Test("concurrent migrations from several instances apply each migration once")
    func concurrent() async throws {
        try await TestDatabase.with(migrated: false) { test in
            let database = test.database
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 { group.addTask { try await Migrator(database: database).migrate(now: Fixtures.now) } }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == Migration.all.map(\.name).sorted())
        }
    }

    @Test("a failing migration leaves nothing behind")
    func atomic() async throws {
        try await TestDatabase.with(migrated: false) { test in
            let broken = Migration("9999_broken", [.both("CREATE TABLE half_done (id TEXT PRIMARY KEY)"), .both("THIS IS NOT SQL")])
            await #expect(throws: (any Error).self) {
                try await Migrator(database: test.database, migrations: Migration.all + [broken]).migrate(now: Fixtures.now)
            }
            #expect(try await Migrator(database: test.database).pending() == Migration.all.map(\.name))
            let tables = try await test.rows(
                TestDatabase.engine == .sqlite
                    ? "SELECT name FROM sqlite_master WHERE name = 'half_done'"
                    : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'half_done'")
            #expect(tables.isEmpty)
        }
    }
}
