import CreneauApp
import Foundation
import Logging
import Testing

/// `creneau simulate` on a small department: the same seed gives the same run, the figures add
/// up, and the waiting list is what refills short-notice cancellations.
@Suite("Department simulation")
struct SimulationTests {
    static func parameters(waitlist: Bool) -> SimulationParameters {
        var parameters = SimulationParameters()
        // One practitioner booked three weeks ahead, asked for more than they can see: some
        // patients find nothing soon enough, some cancel.
        parameters.practitioners = 1
        parameters.days = 10
        parameters.backlogDays = 21
        parameters.demand = 1.3
        parameters.waitlist = waitlist
        return parameters
    }

    @Test("the same seed, the same run; offers and refills add up; without the list nobody joins it")
    func reproducible() async throws {
        let folder = FileManager.default.temporaryDirectory
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let one = try await DepartmentSimulation(parameters: Self.parameters(waitlist: true), logger: logger).run(in: folder)
        let two = try await DepartmentSimulation(parameters: Self.parameters(waitlist: true), logger: logger).run(in: folder)
        #expect(one.requests > 0 && one.requests == two.requests && one.refilled == two.refilled && one.offers == two.offers && one.noShows == two.noShows)
        #expect(one.freedAhead > 0 && one.refilled <= one.freedAhead)
        #expect(one.offersAccepted <= one.offers && one.joined > 0)
        #expect(one.bookedSlots <= one.openSlots && one.fillRate > 0.5)
        #expect(one.thirdAvailableDays > 0)
        let off = try await DepartmentSimulation(parameters: Self.parameters(waitlist: false), logger: logger).run(in: folder)
        #expect(off.joined == 0 && off.offers == 0 && off.lost > 0)
    }

    @Test("the command prints the table, the headline and writes the CSV")
    func report() async throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("simulation-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let text = try await Commands.simulate(Self.parameters(waitlist: true), csv: csv, only: true)
        #expect(text.contains("refilled: ") && text.contains("% of the slots freed more than 2 hours ahead"))
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 2 && rows[0].hasPrefix("waitlist,reminders,freed_ahead,refilled") && rows[1].hasPrefix("on,on,"))
    }
}
