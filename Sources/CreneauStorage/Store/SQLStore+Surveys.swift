import CreneauDomain
import Foundation
import SQLKit

extension SQLStore: SurveyRepository {
    static func surveyContext(_ id: UUID) -> String { "survey_answers.comment:\(Column.id(id))" }

    public func saveAnswer(_ answer: SurveyAnswer) async throws {
        let sealed = try answer.comment.map { try cipher.seal($0, context: Self.surveyContext(answer.appointmentID)) }
        do {
            try await database.transaction { db in
                try await db.raw("""
                    INSERT INTO survey_answers (appointment_id, practitioner_id, department_id, score, comment_sealed, comment_key_id, answered_at)
                    VALUES (\(bind: Column.id(answer.appointmentID)), \(bind: Column.id(answer.practitionerID)), \(bind: Column.id(answer.departmentID)),
                            \(bind: answer.score), \(bind: sealed?.ciphertext), \(bind: sealed?.keyID), \(bind: Column.instant(answer.answeredAt)))
                    """).run()
                // The statistics count survey scores with their visit: they learn of the answer from the feed.
                try await addChanges([ChangeEvent(
                    kind: .surveyAnswered, at: answer.answeredAt, ownerID: answer.practitionerID, appointmentID: answer.appointmentID,
                    from: answer.answeredAt, to: answer.answeredAt)], on: db)
            }
        } catch {
            throw StorageErrors.map(error)
        }
    }

    public func hasAnswer(appointmentID: UUID) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("SELECT 1 AS one FROM survey_answers WHERE appointment_id = \(bind: Column.id(appointmentID))").first() != nil
        }
    }

    public func surveyResults(departmentIDs: [UUID], from: Date, to: Date) async throws -> [SurveyResult] {
        guard !departmentIDs.isEmpty else { return [] }
        return try await database.withConnection { db in
            try await db.raw("""
                SELECT department_id, practitioner_id, COUNT(*) AS answers, SUM(score) AS total,
                       SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END) AS promoters, SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END) AS detractors
                FROM survey_answers
                WHERE department_id IN (\(SQLList(departmentIDs.map { SQLBind(Column.id($0)) })))
                  AND answered_at >= \(bind: Column.instant(from)) AND answered_at < \(bind: Column.instant(to))
                GROUP BY department_id, practitioner_id
                """).all().map { row in
                SurveyResult(departmentID: try row.uuid("department_id"), practitionerID: try row.uuid("practitioner_id"),
                             answers: try row.int("answers"), scoreTotal: try row.int("total"), promoters: try row.int("promoters"),
                             detractors: try row.int("detractors"))
            }
        }
    }

    public func surveyComments(departmentIDs: [UUID], limit: Int) async throws -> [SurveyAnswer] {
        guard !departmentIDs.isEmpty else { return [] }
        let rows = try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM survey_answers
                WHERE department_id IN (\(SQLList(departmentIDs.map { SQLBind(Column.id($0)) }))) AND comment_sealed IS NOT NULL
                ORDER BY answered_at DESC, appointment_id LIMIT \(bind: max(1, min(limit, 200)))
                """).all()
        }
        return try openedAnswers(rows)
    }

    public func surveyAnswers(appointmentIDs: [UUID]) async throws -> [SurveyAnswer] {
        var rows: [any SQLRow] = []
        for start in stride(from: 0, to: appointmentIDs.count, by: 500) {
            let chunk = appointmentIDs[start..<min(start + 500, appointmentIDs.count)]
            rows += try await database.withConnection { db in
                try await db.raw("SELECT * FROM survey_answers WHERE appointment_id IN \(idList(chunk)) ORDER BY answered_at").all()
            }
        }
        return try openedAnswers(rows)
    }

    func openedAnswers(_ rows: [any SQLRow]) throws -> [SurveyAnswer] {
        try rows.map { row in
            let id = try row.uuid("appointment_id")
            let comment = try row.optionalString("comment_sealed").map {
                try cipher.open($0, keyID: try row.string("comment_key_id"), context: Self.surveyContext(id))
            }
            return SurveyAnswer(appointmentID: id, practitionerID: try row.uuid("practitioner_id"), departmentID: try row.uuid("department_id"),
                                score: try row.int("score"), comment: comment, answeredAt: try row.instant("answered_at"))
        }
    }
}
