import ArgumentParser
import CreneauApp

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a department for 90 days with a virtual clock (waiting list and reminders on and off) and say how many freed slots were refilled.",
        discussion: "Every assumption and where its default comes from is in Sources/CreneauApp/Simulation/SimulationParameters.swift and BENCHMARKS.md.")

    @Option(help: "The same seed gives the same run.") var seed: UInt64 = 2_026
    @Option(help: "Days simulated (1–366).") var days = 90
    @Option(help: "Practitioners in the department (1–40).") var practitioners = 4
    @Option(help: "Requests per weekday as a share of the day's slots (0.1–3).") var demand = 1.1
    @Option(help: "Share of bookings cancelled before the visit (0–0.9).") var cancellations = 0.12
    @Option(help: "Write the table as CSV to this file.") var csv: String = "creneau-simulation.csv"
    @Flag(help: "Only the run with the waiting list and reminders on.") var only = false

    func validate() throws {
        guard (1...366).contains(days) else { throw ValidationError("--days is between 1 and 366.") }
        guard (1...40).contains(practitioners) else { throw ValidationError("--practitioners is between 1 and 40.") }
        guard demand.isFinite, (0.1...3).contains(demand) else { throw ValidationError("--demand is between 0.1 and 3.") }
        guard cancellations.isFinite, (0...0.9).contains(cancellations) else { throw ValidationError("--cancellations is between 0 and 0.9.") }
    }

    func run() async throws {
        try await reportingFailures {
            var parameters = SimulationParameters()
            parameters.seed = seed
            parameters.days = days
            parameters.practitioners = practitioners
            parameters.demand = demand
            parameters.cancellationRate = cancellations
            print(try await Commands.simulate(parameters, csv: csv.isEmpty ? nil : csv, only: only))
        }
    }
}
