import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: OutboxRepository {
    static func outboxContext(_ id: UUID) -> String { "outbox.body:\(Column.id(id))" }

    public func enqueue(_ message: OutboxMessage) async throws -> Bool {
        let sealed = try cipher.seal(message.email.text, context: Self.outboxContext(message.id))
        return try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO outbox (id, dedupe_key, recipient, subject, body_sealed, body_key_id, state, attempts, next_attempt_at, created_at)
                VALUES (\(bind: Column.id(message.id)), \(bind: message.dedupeKey), \(bind: message.email.to), \(bind: message.email.subject),
                        \(bind: sealed.ciphertext), \(bind: sealed.keyID), 'pending', 0, \(bind: Column.instant(message.nextAttemptAt)),
                        \(bind: Column.instant(message.createdAt)))
                ON CONFLICT DO NOTHING RETURNING id
                """).all().isEmpty == false
        }
    }

    func outboxMessage(_ row: any SQLRow) throws -> OutboxMessage {
        let id = try row.uuid("id")
        let text = try cipher.open(try row.string("body_sealed"), keyID: try row.string("body_key_id"), context: Self.outboxContext(id))
        var message = OutboxMessage(
            id: id, dedupeKey: try row.optionalString("dedupe_key"),
            email: EmailMessage(to: try row.string("recipient"), subject: try row.string("subject"), text: text),
            state: try row.enumeration("state"), attempts: try row.int("attempts"), nextAttemptAt: try row.instant("next_attempt_at"),
            createdAt: try row.instant("created_at"), lastError: try row.optionalString("last_error"))
        message.email.messageID = message.messageID
        return message
    }

    public func claim(limit: Int, now: Date, leaseUntil: Date) async throws -> [OutboxMessage] {
        let limit = max(1, min(limit, 500))
        // PostgreSQL: concurrent senders skip each other's rows; SQLite has one writer at a time.
        let lock: SQLQueryString = database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await database.transaction { db in
            try await db.raw("""
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = \(bind: Column.instant(leaseUntil))
                WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= \(bind: Column.instant(now))
                             ORDER BY next_attempt_at, id LIMIT \(bind: limit) \(lock))
                RETURNING *
                """).all()
        }
        return try rows.map(outboxMessage)
    }

    public func markSent(id: UUID, at: Date) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE outbox SET state = 'sent', sent_at = \(bind: Column.instant(at)), last_error = NULL WHERE id = \(bind: Column.id(id))").run()
        }
    }

    public func markFailed(id: UUID, error: String, retryAt: Date?) async throws {
        try await database.withConnection { db in
            if let retryAt {
                try await db.raw("""
                    UPDATE outbox SET next_attempt_at = \(bind: Column.instant(retryAt)), last_error = \(bind: String(error.prefix(500)))
                    WHERE id = \(bind: Column.id(id)) AND state = 'pending'
                    """).run()
            } else {
                try await db.raw("UPDATE outbox SET state = 'failed', last_error = \(bind: String(error.prefix(500))) WHERE id = \(bind: Column.id(id))").run()
            }
        }
    }

    public func failedMessages(limit: Int) async throws -> [OutboxMessage] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM outbox WHERE state = 'failed' ORDER BY created_at DESC, id LIMIT \(bind: max(1, min(limit, 500)))").all()
        }.map(outboxMessage)
    }

    public func retry(id: UUID, at: Date) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = \(bind: Column.instant(at)) WHERE id = \(bind: Column.id(id)) AND state = 'failed'
                RETURNING id
                """).all().isEmpty == false
        }
    }
}
