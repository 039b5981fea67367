import ArgumentParser
import CreneauApp

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Administrators of an installation.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a group administrator and print the one-time link that sets their password and authenticator.",
            discussion: "On an empty database (creneau serve without --demo), this is the first step: the administrator then creates the sites, departments, practitioners and staff in the pages.")

        @Option(help: "Their email address (the link is also sent there).")
        var email: String

        @Option(help: "Their name, as colleagues see it.")
        var name: String = ""

        @Option(help: "The hospital group's name, when the database has none yet.")
        var groupName: String = "Hôpital"

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                print(try await Commands.createAdministrator(email: email, name: name, groupName: groupName, try database.configuration()))
            }
        }
    }
}
