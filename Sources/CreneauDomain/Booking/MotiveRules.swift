import Foundation

/// What a motive's settings must look like before an administrator saves them.
public enum MotiveRules {
    /// Each problem's raw value is a stable key for translations.
    public enum Problem: String, Sendable, CaseIterable {
        case name = "motive_problem_name"
        case duration = "motive_problem_duration"
        case buffers = "motive_problem_buffers"
        case channels = "motive_problem_channels"
        case horizon = "motive_problem_horizon"
        case onlineHorizon = "motive_problem_online_horizon"
        case notice = "motive_problem_notice"
        case cutoff = "motive_problem_cutoff"
        case moves = "motive_problem_moves"
        case instructions = "motive_problem_instructions"

        public var message: String {
            switch self {
            case .name: "Give the motive a name of at most 100 characters."
            case .duration: "The duration is a number of minutes from 5 to 480, in steps of 5 (agendas count in 5-minute steps)."
            case .buffers: "Time before and after is from 0 to 240 minutes, in steps of 5."
            case .channels: "Open the motive to at least one channel."
            case .horizon: "Patients book from 1 to 730 days ahead."
            case .onlineHorizon: "Online booking reaches from 1 day to the booking horizon; leave it empty for the same horizon."
            case .notice: "The minimum notice is from 0 minutes to the booking horizon."
            case .cutoff: "The cancellation cut-off is from 0 minutes to 7 days."
            case .moves: "A patient may move an appointment from 0 to 10 times."
            case .instructions: "Instructions are at most 1,000 characters each."
            }
        }
    }

    public static func problem(with motive: Motive) -> Problem? {
        let name = motive.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 100 { return .name }
        if !(5...480).contains(motive.durationMinutes) || motive.durationMinutes % 5 != 0 { return .duration }
        for buffer in [motive.bufferBeforeMinutes, motive.bufferAfterMinutes] where !(0...240).contains(buffer) || buffer % 5 != 0 { return .buffers }
        if motive.channels.isEmpty { return .channels }
        if !(1...730).contains(motive.horizonDays) { return .horizon }
        if let online = motive.onlineHorizonDays, !(1...motive.horizonDays).contains(online) { return .onlineHorizon }
        if motive.minimumNoticeMinutes < 0 || motive.minimumNoticeMinutes > motive.horizonDays * 1_440 { return .notice }
        if !(0...10_080).contains(motive.cancellationCutoffMinutes) { return .cutoff }
        if !(0...10).contains(motive.maximumMoves) { return .moves }
        if motive.instructionsBefore.count > 1_000 || motive.instructionsAfter.count > 1_000 { return .instructions }
        return nil
    }
}
