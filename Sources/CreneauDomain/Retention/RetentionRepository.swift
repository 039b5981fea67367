import Foundation

/// What the retention purge asks of storage. Each call handles at most `limit` rows, so a first
/// purge of years of history runs as many short transactions, never one that holds the writer.
public protocol RetentionRepository: Sendable {
    /// Clears the typed texts (reason, notes, cancellation reason) of appointments that ended before `before`.
    func clearVisitTexts(endedBefore before: Date, limit: Int) async throws -> Int
    /// Clears survey comments about visits that ended before `before`.
    func clearSurveyComments(endedBefore before: Date, limit: Int) async throws -> Int
    /// Deletes messages about appointments or accounts that were settled (sent, failed, skipped) before `before`.
    func deleteSettledMessages(before: Date, limit: Int) async throws -> Int
    /// People not yet anonymised, recorded before `before`, with no appointment ending since, no open
    /// account managing them and no place on a waiting list.
    func dormantPatients(before: Date, limit: Int) async throws -> [UUID]
    /// Deletes access-audit rows older than `before`.
    func deleteAccessAudit(before: Date, limit: Int) async throws -> Int
}
