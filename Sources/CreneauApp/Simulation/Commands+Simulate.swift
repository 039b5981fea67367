import Foundation
import Logging

extension Commands {
    /// `creneau simulate`: the default department (or `parameters`) with the waiting list on and
    /// off, reminders on and off; a table on standard output, the same as CSV in `csv`, and the
    /// headline `refilled: 83.4%` (waiting list and reminders on). `only`: that first run alone.
    public static func simulate(_ parameters: SimulationParameters, csv: String?, only: Bool = false) async throws -> String {
        var logger = Logger(label: "creneau.simulate")
        logger.logLevel = .warning
        // A throw-away database in memory-backed storage when the machine has it: the simulation
        // measures the rules, not the disk.
        let shm = URL(fileURLWithPath: "/dev/shm")
        let folder = FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        var runs: [DepartmentSimulation.Result] = []
        for (waitlist, reminders) in only ? [(true, true)] : [(true, true), (false, true), (true, false), (false, false)] {
            var run = parameters
            run.waitlist = waitlist
            run.reminders = reminders
            runs.append(try await DepartmentSimulation(parameters: run, logger: logger).run(in: folder))
        }
        var lines = [
            "Department simulation: \(parameters.practitioners) practitioners, \(parameters.visitMinutes)-minute visits, \(parameters.days) days, "
                + "demand \(format(parameters.demand * 100))% of the slots, seed \(parameters.seed)",
            "",
            pad(["waiting list", "reminders", "freed >2 h ahead", "refilled", "no-shows", "fill rate", "3rd next slot (days)", "offers/refill", "joined list", "went elsewhere", "seconds"]),
        ]
        var rows = [["waitlist", "reminders", "freed_ahead", "refilled", "refilled_share", "no_show_rate", "fill_rate", "third_available_days",
                     "offers", "offers_accepted", "offers_per_refill", "requests", "joined", "lost", "seconds"].joined(separator: ",")]
        for run in runs {
            lines.append(pad([run.waitlist ? "on" : "off", run.reminders ? "on" : "off", "\(run.freedAhead)", "\(format(run.refilledShare * 100))%",
                              "\(format(run.noShowRate * 100))%", "\(format(run.fillRate * 100))%", format(run.thirdAvailableDays),
                              run.offersAccepted == 0 ? "—" : format(run.offersPerRefill), "\(run.joined)", "\(run.lost)", format(run.seconds)]))
            rows.append([run.waitlist ? "on" : "off", run.reminders ? "on" : "off", "\(run.freedAhead)", "\(run.refilled)", format(run.refilledShare, 4),
                         format(run.noShowRate, 4), format(run.fillRate, 4), format(run.thirdAvailableDays, 2), "\(run.offers)", "\(run.offersAccepted)",
                         format(run.offersPerRefill, 2), "\(run.requests)", "\(run.joined)", "\(run.lost)", format(run.seconds, 1)].joined(separator: ","))
        }
        if let headline = runs.first {
            lines += ["", "refilled: \(format(headline.refilledShare * 100))% of the slots freed more than 2 hours ahead (waiting list and reminders on)"]
        }
        if let csv {
            try (rows.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
            lines.append("written: \(csv)")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

    static func pad(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            let width = index < 2 ? 12 : 10
            return cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
        }.joined(separator: " ")
    }
}
