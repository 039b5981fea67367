import Foundation

/// Where the national directory of health professionals is kept.
public protocol ProfessionalDirectoryRepository: Sendable {
    /// Opens an import run. Throws `DirectoryImportError.busy` while another run is alive (its
    /// heartbeat younger than `staleAfter`); an older one is taken as abandoned (a killed import).
    func beginDirectoryImport(source: String, at: Date, staleAfter: TimeInterval) async throws -> Int64
    /// Writes a batch of lines in one transaction: each professional inserted or updated by
    /// national identifier, each place added or refreshed; all recorded as listed by `run` in its
    /// `batch` (numbered from 1 in the file's order: a professional listed in several batches
    /// keeps the place of the first as their main one).
    func upsertProfessionals(_ records: [RPPSRecord], run: Int64, batch: Int, at: Date) async throws
    /// Closes the run: counts what it listed and, when `deactivate` says so given the counts,
    /// marks the imported professionals it did not list inactive and drops the places it did not list.
    func finishDirectoryImport(run: Int64, at: Date, report: String,
                               deactivate: @Sendable (DirectoryImportCounts) -> Bool) async throws -> DirectoryImportCounts
    /// Marks a run abandoned (an import that failed half-way); what it wrote stays, listed by it.
    func abandonDirectoryImport(run: Int64, at: Date) async throws
}

public enum DirectoryImportError: Error, Equatable, Sendable {
    case busy(since: Date)
    /// Not one professional in the file (empty, only a header, or nothing readable): the wrong
    /// file or a failed download. Nothing is changed: such a file must not look like a refresh.
    case noProfessional(lines: Int, bad: Int)
}

/// What a finished run found, before and after it.
public struct DirectoryImportCounts: Equatable, Sendable {
    /// Professionals the file listed.
    public var listed: Int
    /// Places of practice the file listed.
    public var places: Int
    /// Imported professionals active before the run that the file did not list.
    public var missing: Int
    /// Of them, how many were marked inactive (0 when the run was judged too short to trust).
    public var deactivated: Int

    public init(listed: Int, places: Int, missing: Int, deactivated: Int) {
        self.listed = listed
        self.places = places
        self.missing = missing
        self.deactivated = deactivated
    }

    /// A newer extract lists about as many professionals as the last one; one that lists fewer
    /// than half of them is a cut file (an interrupted download, a pipe that broke), and trusting
    /// it would take half the directory away. Then nobody is deactivated, unless forced.
    public var looksComplete: Bool { listed >= missing }
}
