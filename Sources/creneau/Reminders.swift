import ArgumentParser
import CreneauApp

struct Reminders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan the reminders of booked visits that have none (appointments brought in from another system). Safe to run again.")

    @Option(help: "Visits starting within this many days.") var days = 90
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            print(try await Commands.scheduleReminders(days: days, try database.configuration()))
        }
    }
}
