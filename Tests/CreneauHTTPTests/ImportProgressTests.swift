@testable import CreneauApp
import CreneauDomain
import Testing

@Suite("The import's progress bar")
struct ImportProgressTests {
    @Test("a file's import shows how far, how fast and how long is left; a pipe's, how many lines and how fast")
    func bar() {
        let file = ImportProgressDisplay.bar(.init(lines: 600_000, bytes: 300, totalBytes: 1_000, seconds: 10))
        #expect(file == "[#########                     ]  30% 600000 lines, 60000 lines/s, 23 s left")
        let long = ImportProgressDisplay.bar(.init(lines: 100, bytes: 1, totalBytes: 100, seconds: 10))
        #expect(long.hasSuffix("16 min 30 s left"))
        let pipe = ImportProgressDisplay.bar(.init(lines: 5_000, bytes: 1_000, totalBytes: nil, seconds: 0))
        #expect(pipe == "5000 lines, 0 lines/s")
        let done = ImportProgressDisplay.bar(.init(lines: 10, bytes: 2_000, totalBytes: 1_000, seconds: 1))
        #expect(done.hasPrefix("[" + String(repeating: "#", count: 30) + "] 100%") && done.hasSuffix("0 s left"))
    }
}
