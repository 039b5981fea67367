@testable import CreneauDomain
import Foundation
import Testing

@Suite("Motive settings an administrator may save")
struct MotiveRulesTests {
    static let valid = Motive(id: UUID(), departmentID: UUID(), name: "Suivi", durationMinutes: 20, patients: .known, channels: [.online, .phone])

    @Test("each wrong setting is named", arguments: [
        ("duration", 17, MotiveRules.Problem.duration), ("duration", 0, .duration), ("duration", 485, .duration),
        ("bufferAfter", 3, .buffers), ("horizon", 0, .horizon), ("horizon", 731, .horizon),
        ("cutoff", 10_081, .cutoff), ("moves", 11, .moves), ("notice", -1, .notice),
    ] as [(String, Int, MotiveRules.Problem)])
    func numbers(_ field: String, _ value: Int, _ expected: MotiveRules.Problem) {
        var motive = Self.valid
        #expect(MotiveRules.problem(with: motive) == nil)
        switch field {
        case "duration": motive.durationMinutes = value
        case "bufferAfter": motive.bufferAfterMinutes = value
        case "horizon": motive.horizonDays = value
        case "cutoff": motive.cancellationCutoffMinutes = value
        case "moves": motive.maximumMoves = value
        default: motive.minimumNoticeMinutes = value
        }
        #expect(MotiveRules.problem(with: motive) == expected)
    }

    @Test("names, channels and instructions")
    func texts() {
        var motive = Self.valid
        motive.name = "   "
        #expect(MotiveRules.problem(with: motive) == .name)
        motive = Self.valid
        motive.channels = []
        #expect(MotiveRules.problem(with: motive) == .channels)
        motive = Self.valid
        motive.instructionsAfter = String(repeating: "x", count: 1_001)
        #expect(MotiveRules.problem(with: motive) == .instructions)
    }
}
