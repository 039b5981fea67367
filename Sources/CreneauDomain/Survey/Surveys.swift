import Foundation

/// A patient's answer to the satisfaction survey: would they recommend the service (0–10), and
/// what they want to say. The comment is sealed at rest like the reasons for visits.
public struct SurveyAnswer: Hashable, Sendable {
    public var appointmentID: UUID
    public var practitionerID: UUID
    public var departmentID: UUID
    public var score: Int
    public var comment: String?
    public var answeredAt: Date

    public init(appointmentID: UUID, practitionerID: UUID, departmentID: UUID, score: Int, comment: String?, answeredAt: Date) {
        self.appointmentID = appointmentID
        self.practitionerID = practitionerID
        self.departmentID = departmentID
        self.score = score
        self.comment = comment
        self.answeredAt = answeredAt
    }
}

/// Answers grouped for one practitioner in one department.
public struct SurveyResult: Hashable, Sendable {
    public var departmentID: UUID
    public var practitionerID: UUID
    public var answers: Int
    public var scoreTotal: Int
    /// 9 or 10.
    public var promoters: Int
    /// 0 to 6.
    public var detractors: Int

    public init(departmentID: UUID, practitionerID: UUID, answers: Int, scoreTotal: Int, promoters: Int, detractors: Int) {
        self.departmentID = departmentID
        self.practitionerID = practitionerID
        self.answers = answers
        self.scoreTotal = scoreTotal
        self.promoters = promoters
        self.detractors = detractors
    }

    public var average: Double { answers == 0 ? 0 : Double(scoreTotal) / Double(answers) }
    /// Net Promoter Score: promoters minus detractors, in percent of answers (−100…100).
    public var netPromoterScore: Int { answers == 0 ? 0 : Int(((Double(promoters - detractors) / Double(answers)) * 100).rounded()) }

    /// Several results as one (a department's practitioners together).
    public static func combined(_ results: [SurveyResult], departmentID: UUID, practitionerID: UUID) -> SurveyResult {
        SurveyResult(departmentID: departmentID, practitionerID: practitionerID, answers: results.reduce(0) { $0 + $1.answers },
                     scoreTotal: results.reduce(0) { $0 + $1.scoreTotal }, promoters: results.reduce(0) { $0 + $1.promoters },
                     detractors: results.reduce(0) { $0 + $1.detractors })
    }
}

public protocol SurveyRepository: Sendable {
    /// `RepositoryError.duplicate` when the visit was answered already (one answer per visit, by any instance).
    func saveAnswer(_ answer: SurveyAnswer) async throws
    func hasAnswer(appointmentID: UUID) async throws -> Bool
    /// The answers about these visits, comments opened (a patient's copy of their data).
    func surveyAnswers(appointmentIDs: [UUID]) async throws -> [SurveyAnswer]
    /// Per practitioner and department, answers given from `from` to `to`.
    func surveyResults(departmentIDs: [UUID], from: Date, to: Date) async throws -> [SurveyResult]
    /// The newest comments of these departments.
    func surveyComments(departmentIDs: [UUID], limit: Int) async throws -> [SurveyAnswer]
}

/// The survey a patient answers from the link in the message the day after a fulfilled visit:
/// no account, one answer per visit, for 30 days.
public struct Surveys: Sendable {
    public enum Problem: Error, Hashable, Sendable {
        /// The link is not one this server signed for this visit, or it has expired.
        case invalidLink
        case notFulfilled
        case alreadyAnswered
        case score
        case comment
    }

    let appointments: any AppointmentRepository
    let answers: any SurveyRepository
    let links: AppointmentLinks?
    let clock: Clock

    public static let commentLimit = 2_000

    public init(appointments: any AppointmentRepository, answers: any SurveyRepository, links: AppointmentLinks?, clock: Clock) {
        self.appointments = appointments
        self.answers = answers
        self.links = links
        self.clock = clock
    }

    /// The visit the link is for, when it may still be answered.
    public func visit(_ id: UUID, token: String?) async throws(Problem) -> Appointment {
        let appointment: Appointment
        do {
            guard let token, let links, let found = try await appointments.appointment(id: id),
                  links.verify(token, appointment: found, purpose: .survey, now: clock.now()) else { throw Problem.invalidLink }
            appointment = found
            guard appointment.status == .fulfilled else { throw Problem.notFulfilled }
            if try await answers.hasAnswer(appointmentID: id) { throw Problem.alreadyAnswered }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.invalidLink
        }
        return appointment
    }

    /// Records the answer: a score from 0 to 10 and an optional comment (2,000 characters, no control characters but line breaks).
    public func answer(_ id: UUID, token: String?, score: Int?, comment: String?) async throws -> SurveyAnswer {
        let appointment = try await visit(id, token: token)
        guard let score, (0...10).contains(score) else { throw Problem.score }
        let text = comment?.trimmed.nilIfEmpty
        if let text {
            guard text.count <= Self.commentLimit,
                  !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) else {
                throw Problem.comment
            }
        }
        let answer = SurveyAnswer(appointmentID: id, practitionerID: appointment.practitionerID, departmentID: appointment.departmentID, score: score,
                                  comment: text, answeredAt: clock.now())
        do {
            try await answers.saveAnswer(answer)
        } catch RepositoryError.duplicate {
            throw Problem.alreadyAnswered
        }
        return answer
    }
}
