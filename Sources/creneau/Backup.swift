import ArgumentParser
import CreneauApp

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up the database to FILE, while it serves (SQLite: a consistent copy; PostgreSQL: pg_dump's custom format).",
        discussion: "The key ring is not in the backup: keep the key file apart, it is needed to restore.")

    @Argument(help: "The backup file to write (it must not exist).")
    var file: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures { print(try await Commands.backup(to: file, try database.configuration())) }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into an empty database (SQLite: a new file; PostgreSQL: an empty database), then migrate it.",
        discussion: "The configured key ring must hold the keys the backup's health texts were sealed with; the restore says which are missing.")

    @Argument(help: "The backup file, as `creneau backup` wrote it.")
    var file: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures { print(try await Commands.restore(from: file, try database.configuration())) }
    }
}
