import CreneauDomain
import Foundation
import Logging

extension Commands {
    /// Imports the Annuaire Santé extract at `path` (`-`: standard input); answers the report.
    /// A terminal on standard error shows a progress bar; otherwise a log line every ten seconds.
    public static func importRPPS(path: String, deactivateMissing: Bool, _ configuration: Configuration) async throws -> RPPSImport.Report {
        let logger = LogSetup.bootstrap(configuration)
        let input: FileHandle, size: Int64?
        if path == "-" {
            input = FileHandle.standardInput
            size = nil
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandError("Cannot open \(path) for reading.") }
            input = handle
            size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        }
        defer { if path != "-" { try? input.close() } }
        let display = ImportProgressDisplay(terminal: isatty(STDERR_FILENO) == 1, logger: logger)
        let report = try await Storage.with(configuration, logger: logger) { storage in
            _ = try await storage.migrate(configuration)
            return try await RPPSImport(directory: storage.store, clock: .live)
                .run(input: { try input.read(upToCount: RPPSImport.chunkSize) ?? Data() }, totalBytes: size, source: path == "-" ? "standard input" : path, deactivateMissing: deactivateMissing) {
                    display.show($0)
                }
        }
        display.finish()
        return report
    }
}

/// Progress of a long import: a bar redrawn in place on a terminal (lines/s and time left when
/// the size is known), plain log lines otherwise (a pipe, a log file, a service's journal).
final class ImportProgressDisplay: @unchecked Sendable {
    let terminal: Bool
    let logger: Logger
    private var lastLog = 0.0
    private var drawn = false

    init(terminal: Bool, logger: Logger) {
        self.terminal = terminal
        self.logger = logger
    }

    /// The bar: "[#########      ]  30% 120000 lines, 60000 lines/s, 4 s left".
    static func bar(_ progress: RPPSImport.Progress) -> String {
        let rate = progress.seconds > 0 ? Double(progress.lines) / progress.seconds : 0
        var line = "\(progress.lines) lines, \(Int(rate)) lines/s"
        if let total = progress.totalBytes, total > 0 {
            let done = min(1, Double(progress.bytes) / Double(total))
            let width = 30, filled = Int(done * Double(width))
            let left = done > 0 ? progress.seconds * (1 - done) / done : 0
            line = "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
                + String(format: "%3.0f%% ", done * 100) + line + ", " + duration(left) + " left"
        }
        return line
    }

    func show(_ progress: RPPSImport.Progress) {
        let rate = progress.seconds > 0 ? Double(progress.lines) / progress.seconds : 0
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(Self.bar(progress))".utf8))
            drawn = true
        } else if progress.seconds - lastLog >= 10 {
            lastLog = progress.seconds
            var metadata: Logger.Metadata = ["lines": "\(progress.lines)", "lines_per_second": "\(Int(rate))"]
            if let total = progress.totalBytes, total > 0 { metadata["percent"] = "\(Int(Double(progress.bytes) * 100 / Double(total)))" }
            logger.info("Importing the directory", metadata: metadata)
        }
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60) min \(whole % 60) s" : "\(whole) s"
    }
}
