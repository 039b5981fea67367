import Foundation

/// What administrators see of the survey for the sites they administer: per department and per
/// practitioner, the answers, the mean score and the Net Promoter Score over a period, and the
/// newest comments (reading them is audited: patients may write about their health).
public struct SurveyReport: Sendable {
    let organisation: any OrganisationRepository
    let practitioners: any PractitionerRepository
    let answers: any SurveyRepository
    let audit: any AuditRepository
    let clock: Clock
    let ids: IDGenerator

    public init(organisation: any OrganisationRepository, practitioners: any PractitionerRepository, answers: any SurveyRepository,
                audit: any AuditRepository, clock: Clock, ids: IDGenerator) {
        self.organisation = organisation
        self.practitioners = practitioners
        self.answers = answers
        self.audit = audit
        self.clock = clock
        self.ids = ids
    }

    public struct Line: Sendable {
        public var site: String
        public var department: String
        /// Nil for the department's own line (every practitioner together).
        public var practitioner: String?
        public var result: SurveyResult
    }

    public struct Comment: Sendable {
        public var department: String
        public var practitioner: String
        public var answer: SurveyAnswer
    }

    public func report(for administrator: Administrator, days: Int = 365, comments limit: Int = 30) async throws -> (lines: [Line], comments: [Comment]) {
        let now = clock.now()
        var departments: [UUID: (site: String, department: Department)] = [:]
        for site in try await organisation.sites() where administrator.administers(site) {
            for department in try await organisation.departments(siteID: site.id) { departments[department.id] = (site.name, department) }
        }
        let results = try await answers.surveyResults(departmentIDs: Array(departments.keys), from: now.addingTimeInterval(-Double(days) * 86_400), to: now.addingTimeInterval(1))
        var names: [UUID: String] = [:]
        func name(_ id: UUID) async throws -> String {
            if let known = names[id] { return known }
            let found = try await practitioners.practitioner(id: id)?.displayName ?? "—"
            names[id] = found
            return found
        }
        var lines: [Line] = []
        for (departmentID, group) in Dictionary(grouping: results, by: \.departmentID) {
            guard let place = departments[departmentID] else { continue }
            lines.append(Line(site: place.site, department: place.department.name, practitioner: nil,
                              result: .combined(group, departmentID: departmentID, practitionerID: departmentID)))
            for result in group { lines.append(Line(site: place.site, department: place.department.name, practitioner: try await name(result.practitionerID), result: result)) }
        }
        lines.sort { ($0.site, $0.department, $0.practitioner ?? "") < ($1.site, $1.department, $1.practitioner ?? "") }
        var comments: [Comment] = []
        for answer in try await answers.surveyComments(departmentIDs: Array(departments.keys), limit: limit) {
            comments.append(Comment(department: departments[answer.departmentID]?.department.name ?? "", practitioner: try await name(answer.practitionerID), answer: answer))
        }
        if !comments.isEmpty {
            try await audit.append(AccessAuditEntry(
                id: ids.next(), at: now, actorAccountID: administrator.accountID, action: "admin:read_survey_comments", patientID: nil,
                target: "survey_comments:\(comments.count)", outcome: .allowed))
        }
        return (lines, comments)
    }
}
