import Logging
import NIOCore
import SQLKit
import Synchronization

/// Counts the statements this process has sent that may have changed data.
///
/// The availability caches may trust what they last read about other instances' changes for
/// a few milliseconds (`VersionReads`), but never after this process wrote something itself:
/// a patient who books and looks again must not see the slot still free. Every statement that
/// is not a plain `SELECT` moves the count once it has been answered (a `COMMIT` among them),
/// so a read that starts afterwards sees the change.
final class WriteEpoch: Sendable {
    private let value = Atomic<UInt64>(0)
    private let sent = Atomic<UInt64>(0)

    var current: UInt64 { value.load(ordering: .sequentiallyConsistent) }

    /// Every statement sent through `WriteNoticingSQL`, reads included: what a page costs the
    /// database, counted (a test holds the staff agenda to a constant number whatever the department's size).
    var statementsSent: UInt64 { sent.load(ordering: .relaxed) }

    func countStatement() {
        sent.add(1, ordering: .relaxed)
    }

    func advance() {
        value.add(1, ordering: .sequentiallyConsistent)
    }
}

/// A connection's SQL that tells `WriteEpoch` about every statement that may write.
///
/// Statements are classified, not declared by callers: a write sent through a read helper
/// (there are a few, single-statement ones) still counts. A `SELECT` written as raw SQL is
/// read as text; anything else (INSERT, UPDATE, DELETE, WITH, BEGIN, COMMIT, PRAGMA) counts,
/// which at worst costs one version read more.
struct WriteNoticingSQL: WrappedSQLDatabase {
    let base: any SQLDatabase
    let epoch: WriteEpoch

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        epoch.countStatement()
        guard mayWrite(query) else { return base.execute(sql: query, onRow) }
        let epoch = self.epoch
        // Moved whatever the outcome: a statement that failed on the way back may have committed.
        return base.execute(sql: query, onRow).always { _ in epoch.advance() }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        epoch.countStatement()
        guard mayWrite(query) else { return try await base.execute(sql: query, onRow) }
        defer { epoch.advance() }
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    func mayWrite(_ query: any SQLExpression) -> Bool {
        if query is SQLSelect { return false }
        if query is SQLInsert || query is SQLUpdate || query is SQLDelete { return true }
        var serializer = SQLSerializer(database: base)
        query.serialize(to: &serializer)
        return !Self.isSelect(serializer.sql)
    }

    /// Whether `sql` begins with the word `SELECT` (any case, after white space or brackets).
    static func isSelect(_ sql: String) -> Bool {
        let skipped: Set<UInt8> = [0x20, 0x0A, 0x09, 0x0D, 0x28]
        let word = Array(sql.utf8.drop { skipped.contains($0) }.prefix(7))
        guard word.count >= 6, zip(word.prefix(6), "select".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return false }
        guard word.count == 7 else { return true }
        let next = word[6] | 0x20
        return !((0x61...0x7A).contains(next) || (0x30...0x39).contains(word[6]) || word[6] == 0x5F)
    }
}
