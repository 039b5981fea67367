import Foundation

/// What a weekly template must look like before an administrator saves it. The schema
/// refuses the impossible (an end before its start, a channel set out of range); these
/// rules also refuse what is almost surely a slip: times off the 5-minute grid agendas
/// count in, two ranges of one template overlapping on a weekday, a release that opens
/// nothing new, a motive from another department.
public enum TemplateRules {
    /// Each problem's raw value is a stable key for translations.
    public enum Problem: String, Sendable, CaseIterable {
        case validity = "template_problem_validity"
        case tooManyRanges = "template_problem_too_many"
        case weekday = "template_problem_weekday"
        case times = "template_problem_times"
        case overlap = "template_problem_overlap"
        case channels = "template_problem_channels"
        case release = "template_problem_release"
        case motive = "template_problem_motive"

        public var message: String {
            switch self {
            case .validity: "The template must end on or after the day it starts."
            case .tooManyRanges: "A weekly template has at most 100 ranges."
            case .weekday: "Choose a day of the week."
            case .times: "A range starts and ends on the 5-minute grid (e.g. 08:30 to 12:00), its end after its start."
            case .overlap: "Two ranges overlap on the same day: shorten one or merge them."
            case .channels: "Open the range to at least one channel."
            case .release: "A held-back range opens to channels it does not already have, 0 to 60 days before, at a time of day."
            case .motive: "A range accepts only motives of the template's department."
            }
        }
    }

    /// The first problem, with the position of the range it is about (nil for the template itself).
    public struct Finding: Error, Hashable, Sendable {
        public let problem: Problem
        public let rangeIndex: Int?

        public init(problem: Problem, rangeIndex: Int?) {
            self.problem = problem
            self.rangeIndex = rangeIndex
        }
    }

    public static let maximumRanges = 100

    /// `departmentMotives`: the motives a range may name (those of the template's department).
    public static func finding(in template: ScheduleTemplate, departmentMotives: [Motive]) -> Finding? {
        if let until = template.validUntil, until < template.validFrom { return Finding(problem: .validity, rangeIndex: nil) }
        if template.ranges.count > maximumRanges { return Finding(problem: .tooManyRanges, rangeIndex: nil) }
        let allowed = Set(departmentMotives.filter { $0.departmentID == template.departmentID }.map(\.id))
        for (index, range) in template.ranges.enumerated() {
            if let problem = problem(with: range, allowedMotives: allowed) { return Finding(problem: problem, rangeIndex: index) }
        }
        for (index, range) in template.ranges.enumerated() {
            let overlapping = template.ranges[..<index].contains {
                $0.weekday == range.weekday && $0.startMinute < range.endMinute && range.startMinute < $0.endMinute
            }
            if overlapping { return Finding(problem: .overlap, rangeIndex: index) }
        }
        return nil
    }

    static func problem(with range: OpeningRange, allowedMotives: Set<UUID>) -> Problem? {
        if !(1...7).contains(range.weekday) { return .weekday }
        guard range.startMinute >= 0, range.startMinute < range.endMinute, range.endMinute <= 1_440,
              range.startMinute % 5 == 0, range.endMinute % 5 == 0 else { return .times }
        if range.channels.isEmpty || range.channels.rawValue > ChannelSet.maximumRawValue { return .channels }
        if let release = range.release {
            guard !release.channels.isEmpty, release.channels.rawValue <= ChannelSet.maximumRawValue,
                  !range.channels.isSuperset(of: release.channels),
                  (0...60).contains(release.daysBefore), (0..<1_440).contains(release.atMinute) else { return .release }
        }
        if !range.motiveIDs.allSatisfy(allowedMotives.contains) { return .motive }
        return nil
    }
}
