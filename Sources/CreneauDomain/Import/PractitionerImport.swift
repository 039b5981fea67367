import Foundation

/// One line of a practitioners file: who, in which department of which site, and (with an
/// email) their staff account.
public struct PractitionerImportRow: Hashable, Sendable {
    public var line: Int
    public var siteID: UUID
    public var departmentID: UUID
    public var title: String
    public var firstName: String
    public var lastName: String
    public var profession: String
    public var specialty: String
    public var rpps: String?
    public var languages: [String]
    public var email: String?
}

/// What an import wrote, in one transaction.
public struct PractitionerImportCounts: Hashable, Sendable {
    public var created = 0
    public var updated = 0
    public var memberships = 0
    public var accounts = 0
    /// Accounts made or granted that still have to choose a password: they are sent an enrolment link.
    public var toInvite: [UUID] = []

    public init() {}
}

public protocol PractitionerImportRepository: Sendable {
    /// Creates or updates every row's practitioner (by RPPS, else by name within the site), adds
    /// the memberships, and creates or grants the staff accounts — all or nothing.
    func importPractitioners(_ rows: [PractitionerImportRow], at: Date, ids: IDGenerator) async throws -> PractitionerImportCounts
}

/// Onboarding a hospital's practitioners from a CSV file (`creneau import practitioners`, or
/// pasted in `/admin/import`). Columns, named on the first line in any order (separator `,`
/// or `;`, UTF-8):
///
/// | column | required | what |
/// |---|---|---|
/// | `site` | yes | the site's short name (`pontoise`) |
/// | `department` | yes | the department's specialty code at that site (`cardiologie`) |
/// | `first_name`, `last_name`, `profession` | yes | |
/// | `title` | no | Dr, Pr… |
/// | `specialty` | no | defaults to the department's |
/// | `rpps` | no | 11 digits; identifies them across lines and imports |
/// | `languages` | no | `fr|en`, default `fr` |
/// | `email` | no | makes their staff account (practitioner of the department) and sends the enrolment link |
///
/// One practitioner in two departments is two lines. Every line is checked first; with bad lines
/// nothing is written unless accepted, and then the good lines are written in one transaction.
/// Importing the same file again changes nothing.
public struct PractitionerImport: Sendable {
    public static let required = ["site", "department", "first_name", "last_name", "profession"]
    public static let optional = ["title", "specialty", "rpps", "languages", "email"]

    public struct Report: Sendable {
        public var lines = 0
        public var rows: [PractitionerImportRow] = []
        public var problems: [ImportProblem] = []
        public var imported: PractitionerImportCounts?
    }

    let organisation: any OrganisationRepository
    let repository: any PractitionerImportRepository
    let staff: StaffAccounts
    let clock: Clock
    let ids: IDGenerator

    public init(organisation: any OrganisationRepository, repository: any PractitionerImportRepository, staff: StaffAccounts, clock: Clock, ids: IDGenerator) {
        self.organisation = organisation
        self.repository = repository
        self.staff = staff
        self.clock = clock
        self.ids = ids
    }

    /// Reads and checks `text`; writes when every line is good, or when `acceptBadLines`.
    /// `admin` decides which sites may be named (nil: the command line, every site).
    public func run(_ text: String, acceptBadLines: Bool, write: Bool, by admin: Administrator?) async throws -> Report {
        var report = try await check(text, by: admin)
        guard write, !report.rows.isEmpty, report.problems.isEmpty || acceptBadLines else { return report }
        let counts = try await repository.importPractitioners(report.rows, at: clock.now(), ids: ids)
        for accountID in counts.toInvite { try await staff.sendInvitation(accountID: accountID) }
        report.imported = counts
        return report
    }

    func check(_ text: String, by admin: Administrator?) async throws -> Report {
        var parser = CSVParser(separator: CSVParser.separator(ofHeader: String(text.prefix { $0 != "\n" })), lineBreaksInQuotes: false)
        let records = parser.feed(Array(text.utf8)) + parser.finish()
        var report = Report()
        guard let header = records.first else {
            report.problems.append(ImportProblem(line: 1, message: "The file is empty: it needs a header line."))
            return report
        }
        var columns: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "")
            if Self.required.contains(key) || Self.optional.contains(key) { columns[key] = index }
        }
        let missing = Self.required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            report.problems.append(ImportProblem(line: 1, message: "The header lacks \(missing.joined(separator: ", ")). Expected: \((Self.required + Self.optional).joined(separator: ", "))."))
            return report
        }
        // The departments each site offers, by specialty code.
        var departments: [String: (site: Site, byCode: [String: Department])] = [:]
        for site in try await organisation.sites() where admin.map({ $0.administers(site) }) ?? true {
            let list = try await organisation.departments(siteID: site.id)
            departments[site.slug] = (site, Dictionary(list.map { ($0.specialty, $0) }) { first, _ in first })
        }
        for record in records.dropFirst() {
            report.lines += 1
            func fail(_ message: String) { report.problems.append(ImportProblem(line: record.line, message: message)) }
            if let problem = record.problem { fail("The line cannot be read: \(problem)."); continue }
            func value(_ column: String) -> String? {
                guard let index = columns[column], index < record.fields.count else { return nil }
                return record.fields[index].trimmingCharacters(in: .whitespaces).nilIfEmpty
            }
            guard let siteSlug = value("site")?.lowercased(), let site = departments[siteSlug] else {
                fail("No site of yours is “\(value("site") ?? "")” (use the site's short name)."); continue
            }
            guard let code = value("department")?.lowercased(), let department = site.byCode[code] else {
                fail("The site \(site.site.name) has no department “\(value("department") ?? "")” (use its specialty code)."); continue
            }
            let languages = (value("languages") ?? "fr").lowercased().split(whereSeparator: { $0 == "|" || $0 == " " }).map(String.init)
            var practitioner = Practitioner(
                id: UUID(), title: value("title") ?? "", firstName: value("first_name") ?? "", lastName: value("last_name") ?? "",
                profession: value("profession") ?? "", specialty: (value("specialty") ?? department.specialty).lowercased(),
                rpps: value("rpps")?.filter { !$0.isWhitespace }, languages: languages)
            practitioner.isActive = true
            if let problem = OrganisationRules.problem(with: practitioner, departments: [department.id]) { fail(problem.message); continue }
            let email = value("email")?.lowercased()
            if let email, !PatientRules.isPlausibleEmail(email) { fail("The email address does not look right."); continue }
            report.rows.append(PractitionerImportRow(
                line: record.line, siteID: site.site.id, departmentID: department.id, title: practitioner.title, firstName: practitioner.firstName,
                lastName: practitioner.lastName, profession: practitioner.profession, specialty: practitioner.specialty, rpps: practitioner.rpps,
                languages: languages, email: email))
        }
        return report
    }
}
