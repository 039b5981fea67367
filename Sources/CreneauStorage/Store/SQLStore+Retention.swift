import CreneauDomain
import Foundation
import SQLKit

/// The retention purge's reads and writes: each a bounded batch in a transaction of its own.
extension SQLStore: RetentionRepository {
    public func clearVisitTexts(endedBefore before: Date, limit: Int) async throws -> Int {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE appointments SET reason_sealed = NULL, notes_sealed = NULL, cancellation_reason_sealed = NULL,
                    cancellation_key_id = NULL, cancellation_reason = NULL
                WHERE id IN (SELECT id FROM appointments WHERE ends_at < \(bind: Column.instant(before))
                    AND (reason_sealed IS NOT NULL OR notes_sealed IS NOT NULL OR cancellation_reason_sealed IS NOT NULL OR cancellation_reason IS NOT NULL)
                    LIMIT \(bind: limit))
                RETURNING id
                """).all().count
        }
    }

    public func clearSurveyComments(endedBefore before: Date, limit: Int) async throws -> Int {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE survey_answers SET comment_sealed = NULL, comment_key_id = NULL
                WHERE appointment_id IN (SELECT s.appointment_id FROM survey_answers s JOIN appointments a ON a.id = s.appointment_id
                    WHERE s.comment_sealed IS NOT NULL AND a.ends_at < \(bind: Column.instant(before)) LIMIT \(bind: limit))
                RETURNING appointment_id
                """).all().count
        }
    }

    public func deleteSettledMessages(before: Date, limit: Int) async throws -> Int {
        try await database.transaction { db in
            try await db.raw("""
                DELETE FROM outbox_messages WHERE id IN (
                    SELECT m.id FROM outbox_messages m WHERE m.state <> 'pending' AND m.created_at < \(bind: Column.instant(before))
                    AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = m.appointment_id AND a.ends_at >= \(bind: Column.instant(before)))
                    LIMIT \(bind: limit))
                RETURNING id
                """).all().count
        }
    }

    public func dormantPatients(before: Date, limit: Int) async throws -> [UUID] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT p.id FROM patients p
                WHERE p.created_at < \(bind: Column.instant(before))
                  AND NOT (p.first_name = \(bind: Patient.anonymousName) AND p.last_name = \(bind: Patient.anonymousName)
                           AND p.email IS NULL AND p.phone IS NULL AND p.ipp IS NULL AND p.ins IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.ends_at >= \(bind: Column.instant(before)))
                  AND NOT EXISTS (SELECT 1 FROM managed_patients m JOIN accounts c ON c.id = m.account_id
                                  WHERE m.patient_id = p.id AND m.removed_at IS NULL AND c.disabled_at IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.patient_id = p.id AND w.state = 'waiting')
                ORDER BY p.id LIMIT \(bind: limit)
                """).all().map { try $0.uuid("id") }
        }
    }

    public func deleteAccessAudit(before: Date, limit: Int) async throws -> Int {
        try await database.transaction { db in
            try await db.raw("""
                DELETE FROM access_audit WHERE id IN (SELECT id FROM access_audit WHERE at < \(bind: Column.instant(before)) ORDER BY at LIMIT \(bind: limit))
                RETURNING id
                """).all().count
        }
    }
}
