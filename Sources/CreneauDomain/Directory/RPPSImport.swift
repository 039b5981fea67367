import CreneauDomain
import Foundation

/// Imports the national directory of health professionals from the Annuaire Santé extract
/// (`RPPSExtract`), streaming: the file is read in 1 MiB chunks and written in batches of two
/// thousand lines, one transaction each, so memory stays flat whatever the file's size (the real
/// one: some two million lines, 800 MB). Each line is read as UTF-8 or, when it is not valid
/// UTF-8, as Windows-1252. A bad line is counted and reported with its number; it never stops
/// the import. Importing a newer extract updates everyone by national identifier and marks the
/// professionals it no longer lists inactive — unless it lists fewer than half of them, which is a
/// cut file rather than a directory (`DirectoryImportCounts.looksComplete`).
public struct RPPSImport: Sendable {
    public struct Report: Sendable, CustomStringConvertible {
        /// Lines read, the header and blank lines excepted.
        public var lines = 0
        public var good = 0
        public var bad = 0
        /// The first problems, by line number.
        public var problems: [ImportProblem] = []
        public var encoding = "UTF-8"
        public var counts: DirectoryImportCounts?
        public var seconds = 0.0
        /// Whether professionals missing from the file were kept active because the file looked cut.
        public var keptMissing = false

        public var rate: Double { seconds > 0 ? Double(lines) / seconds : 0 }

        public var description: String {
            var text = "\(lines) lines read (\(encoding)) in \(String(format: "%.1f", seconds)) s, \(Int(rate)) lines/s: \(good) good, \(bad) bad."
            if let counts {
                text += " \(counts.listed) professionals, \(counts.places) places of practice."
                if keptMissing {
                    text += " \(counts.missing) professionals of the previous import are missing: fewer than half were listed, so the file looks cut and nobody was marked inactive (use --deactivate-missing to do it anyway)."
                } else if counts.deactivated > 0 {
                    text += " \(counts.deactivated) no longer listed, marked inactive."
                }
            }
            for problem in problems { text += "\n  line \(problem.line): \(problem.message)" }
            if bad > problems.count { text += "\n  … and \(bad - problems.count) more bad lines." }
            return text
        }
    }

    /// How far an import is, for a progress bar or a log line.
    public struct Progress: Sendable {
        public var lines: Int
        public var bytes: Int64
        /// Nil when reading a pipe.
        public var totalBytes: Int64?
        public var seconds: Double

        public init(lines: Int, bytes: Int64, totalBytes: Int64?, seconds: Double) {
            self.lines = lines
            self.bytes = bytes
            self.totalBytes = totalBytes
            self.seconds = seconds
        }
    }

    /// How much the caller should read at a time.
    public static let chunkSize = 1 << 20
    static let batchSize = 2_000
    static let writesInFlight = 2
    /// Longer than any real line by far; a longer one is counted bad and skipped, unread.
    static let maximumLineLength = 64 * 1_024
    static let problemsShown = 20
    /// A run whose heartbeat is older is taken as killed.
    static let staleAfter: TimeInterval = 10 * 60

    let directory: any ProfessionalDirectoryRepository
    let clock: Clock

    public init(directory: any ProfessionalDirectoryRepository, clock: Clock) {
        self.directory = directory
        self.clock = clock
    }

    /// Reads `input` to its end (it answers the next bytes, or nothing at the end). `totalBytes`
    /// (a file's size) lets the progress show an ETA.
    public func run(input: () throws -> Data, totalBytes: Int64?, source: String, deactivateMissing: Bool = false,
                    progress: @escaping (Progress) -> Void = { _ in }) async throws -> Report {
        let started = ContinuousClock.now
        func seconds() -> Double {
            let elapsed = ContinuousClock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let run = try await directory.beginDirectoryImport(source: source, at: clock.now(), staleAfter: Self.staleAfter)
        var report = Report(), decoder = LineDecoder(), batch: [RPPSRecord] = [], bytes: Int64 = 0, lastProgress = 0.0
        batch.reserveCapacity(Self.batchSize)
        // Batches are written while the next is read, two at a time: parsing, preparing a batch
        // and the database's own work then run side by side, on both cores.
        var writing: [Task<Void, any Error>] = []
        let directory = directory, clock = clock
        var batches = 0
        func write(flush: Bool = false) async throws {
            let lines = batch
            batch.removeAll(keepingCapacity: true)
            if !lines.isEmpty {
                batches += 1
                let number = batches
                writing.append(Task { try await directory.upsertProfessionals(lines, run: run, batch: number, at: clock.now()) })
            }
            while writing.count > (flush ? 0 : Self.writesInFlight) { try await writing.removeFirst().value }
        }
        do {
            var number = 0
            func take(_ line: ArraySlice<UInt8>?) {
                number += 1
                guard let line else {
                    report.lines += 1
                    report.bad += 1
                    if report.problems.count < Self.problemsShown {
                        report.problems.append(ImportProblem(line: number, message: "The line is longer than \(Self.maximumLineLength / 1_024) KiB."))
                    }
                    return
                }
                let text = decoder.decode(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
                if text.isEmpty || (number == 1 && RPPSExtract.isHeader(text)) { return }
                report.lines += 1
                switch RPPSExtract.record(text, number: number) {
                case .success(let record):
                    report.good += 1
                    batch.append(record)
                case .failure(let problem):
                    report.bad += 1
                    if report.problems.count < Self.problemsShown { report.problems.append(problem) }
                }
            }
            var pending: [UInt8] = [], skipping = false
            while true {
                let chunk = try input()
                bytes += Int64(chunk.count)
                pending.append(contentsOf: chunk)
                var start = pending.startIndex
                while let end = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    if skipping { skipping = false } else { take(pending[start..<end]) }
                    start = end + 1
                }
                pending.removeSubrange(..<start)
                if pending.count > Self.maximumLineLength {
                    // Counted once, then everything up to the next line break is dropped.
                    if !skipping { take(nil) }
                    skipping = true
                    pending.removeAll(keepingCapacity: true)
                }
                if chunk.isEmpty {
                    if !pending.isEmpty && !skipping { take(pending[...]) }
                    break
                }
                if batch.count >= Self.batchSize { try await write() }
                let now = seconds()
                if now - lastProgress >= 0.5 {
                    lastProgress = now
                    progress(Progress(lines: report.lines, bytes: bytes, totalBytes: totalBytes, seconds: now))
                }
            }
            try await write(flush: true)
            guard report.good > 0 else { throw DirectoryImportError.noProfessional(lines: report.lines, bad: report.bad) }
            report.encoding = decoder.encodingSummary
            report.seconds = seconds()
            let summary = report.description
            report.counts = try await directory.finishDirectoryImport(run: run, at: clock.now(), report: summary) { counts in
                deactivateMissing || counts.looksComplete
            }
            report.keptMissing = (report.counts?.missing ?? 0) > 0 && report.counts?.deactivated == 0
            report.seconds = seconds()
            progress(Progress(lines: report.lines, bytes: bytes, totalBytes: totalBytes, seconds: report.seconds))
            return report
        } catch {
            for task in writing { _ = await task.result }
            try? await directory.abandonDirectoryImport(run: run, at: clock.now())
            throw error
        }
    }
}
