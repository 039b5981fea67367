import CreneauDomain
import CreneauStorage
import Foundation

/// Imports a hospital's patient index from a CSV file (columns in `PatientIndexCSV`), in
/// constant memory: the file is read twice in 64 KiB chunks — once to check every line, once to
/// import in batches of a thousand, each in one transaction. With bad lines nothing is imported
/// unless the administrator accepts them (`acceptBadLines`): then the good lines are, and the bad
/// ones are listed. Idempotent: rows are matched by IPP, so importing the same file again changes nothing.
public struct PatientIndexImport: Sendable {
    public struct Report: Sendable, CustomStringConvertible {
        public var lines = 0
        public var good = 0
        public var bad = 0
        /// The first hundred problems, by line.
        public var problems: [ImportProblem] = []
        public var imported: PatientIndexCounts?

        public var description: String {
            var text = "\(lines) lines read: \(good) good, \(bad) bad."
            if let imported {
                text += " Imported: \(imported.created) new patients, \(imported.updated) updated, \(imported.knownLinks) new department links."
            } else if bad > 0 {
                text += " Nothing imported: fix the lines below, or import the good ones with --accept-bad-lines."
            }
            for problem in problems { text += "\n  line \(problem.line): \(problem.message)" }
            if bad > problems.count { text += "\n  … and \(bad - problems.count) more." }
            return text
        }
    }

    static let chunkSize = 64 * 1_024
    static let batchSize = 1_000

    let index: PatientIndex
    let organisation: any OrganisationRepository
    let today: LocalDate

    public init(index: PatientIndex, organisation: any OrganisationRepository, today: LocalDate) {
        self.index = index
        self.organisation = organisation
        self.today = today
    }

    public func run(file: URL, acceptBadLines: Bool) async throws -> Report {
        let departments = try await departmentReferences()
        var report = Report()
        // Pass 1: check everything, keep nothing but the counts and the first problems.
        try await Self.readRows(file, today: today, departments: departments) { result in
            report.lines += 1
            switch result {
            case .success: report.good += 1
            case .failure(let problem):
                report.bad += 1
                if report.problems.count < 100 { report.problems.append(problem) }
            }
        }
        guard report.bad == 0 || acceptBadLines else { return report }
        // Pass 2: the good lines, a batch per transaction.
        var batch: [PatientIndexRow] = [], counts = PatientIndexCounts()
        try await Self.readRows(file, today: today, departments: departments) { result in
            guard case .success(let row) = result else { return }
            batch.append(row)
            if batch.count == Self.batchSize {
                counts = counts + (try await index.importBatch(batch))
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { counts = counts + (try await index.importBatch(batch)) }
        report.imported = counts
        return report
    }

    /// Department ids, and `site-slug/specialty` for each department.
    func departmentReferences() async throws -> [String: UUID] {
        var references: [String: UUID] = [:]
        for site in try await organisation.sites() {
            for department in try await organisation.departments(siteID: site.id) {
                references[department.id.uuidString.lowercased()] = department.id
                references["\(site.slug)/\(department.specialty)"] = department.id
            }
        }
        return references
    }

    /// Streams the file's data lines (after the header) as rows or problems.
    static func readRows(
        _ file: URL, today: LocalDate, departments: [String: UUID], _ body: (Result<PatientIndexRow, ImportProblem>) async throws -> Void
    ) async throws {
        guard let handle = try? FileHandle(forReadingFrom: file) else { throw CommandError("Cannot open \(file.path).") }
        defer { try? handle.close() }
        var parser: CSVParser?
        var reader: PatientIndexCSV?
        var pending: [UInt8] = []
        func take(_ records: [CSVParser.Record]) async throws {
            for record in records {
                guard let reader else {
                    guard record.problem == nil else { throw ImportProblem(line: record.line, message: "The header cannot be read: \(record.problem ?? "").") }
                    let lookup = departments
                    reader = try PatientIndexCSV(header: record.fields, today: today) { lookup[$0.lowercased()] ?? lookup[$0] }
                    continue
                }
                try await body(reader.row(record))
            }
        }
        while true {
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            if var started = parser {
                let records = started.feed(chunk)
                parser = started
                try await take(records)
            } else {
                // The separator is read from the header line, so wait until it is complete.
                pending += chunk
                guard let end = pending.firstIndex(of: UInt8(ascii: "\n")) ?? (chunk.isEmpty ? pending.endIndex : nil) else { continue }
                var started = CSVParser(separator: CSVParser.separator(ofHeader: String(decoding: pending[..<end], as: UTF8.self)), lineBreaksInQuotes: false)
                let records = started.feed(pending)
                parser = started
                pending = []
                try await take(records)
            }
            if chunk.isEmpty { break }
        }
        if var last = parser { try await take(last.finish()) }
        if reader == nil { throw ImportProblem(line: 1, message: "The file is empty: it needs a header line.") }
    }
}
