import ArgumentParser
import CreneauApp

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (migrates the database first).")

    @Option(help: "Address to listen on (default: 127.0.0.1, or $CRENEAU_HOST).")
    var host: String?

    @Option(help: "Port to listen on (default: 8080, or $CRENEAU_PORT).")
    var port: Int?

    @Flag(help: "Load the avoine demo data when the database is empty.")
    var demo = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            // Stops gracefully on SIGINT and SIGTERM: in-flight requests finish, then the pool closes.
            try await Commands.serve(try database.configuration(host: host, port: port), demo: demo)
        }
    }
}
