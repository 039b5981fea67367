import Foundation

/// The hospital's patient index as a CSV file. Columns, named on the first line in any order
/// and case (separator `,` or `;`, UTF-8):
///
/// | column | required | what |
/// |---|---|---|
/// | `ipp` | yes | the hospital's patient id (up to 40 characters) |
/// | `ins` | no | the INS: 15 characters (13 digits of the NIR, 2 of its key; 2A/2B for Corsica) |
/// | `last_name`, `first_name` | yes | as on the identity document |
/// | `birth_date` | yes | `YYYY-MM-DD` or `DD/MM/YYYY` |
/// | `email`, `phone` | no | contacts for confirmations and reminders |
/// | `departments` | no | where the patient is followed: department ids or `site-slug/specialty`, separated by `|` |
public struct PatientIndexCSV: Sendable {
    public static let required = ["ipp", "last_name", "first_name", "birth_date"]
    public static let optional = ["ins", "email", "phone", "departments"]

    /// The position of each known column.
    let columns: [String: Int]
    /// Turns a department reference into its id (nil: unknown).
    let department: @Sendable (String) -> UUID?
    let today: LocalDate

    /// Reads the header; a missing required column is named.
    public init(header: [String], today: LocalDate, department: @escaping @Sendable (String) -> UUID?) throws(ImportProblem) {
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "")
            if Self.required.contains(key) || Self.optional.contains(key) { columns[key] = index }
        }
        let missing = Self.required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw ImportProblem(line: 1, message: "The header lacks the column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")). Expected: \((Self.required + Self.optional).joined(separator: ", ")).")
        }
        self.columns = columns
        self.department = department
        self.today = today
    }

    /// One line as an index row, or what is wrong with it.
    public func row(_ record: CSVParser.Record) -> Result<PatientIndexRow, ImportProblem> {
        if let problem = record.problem { return .failure(ImportProblem(line: record.line, message: "The line cannot be read: \(problem).")) }
        func value(_ column: String) -> String? {
            guard let index = columns[column], index < record.fields.count else { return nil }
            return record.fields[index].trimmingCharacters(in: .whitespaces).nilIfEmpty
        }
        func fail(_ message: String) -> Result<PatientIndexRow, ImportProblem> { .failure(ImportProblem(line: record.line, message: message)) }
        guard let ipp = value("ipp") else { return fail("The ipp is missing.") }
        guard ipp.count <= 40, !PatientRules.hasControlCharacters(ipp) else { return fail("The ipp is longer than 40 characters.") }
        guard let last = value("last_name"), let first = value("first_name") else { return fail("The first or last name is missing.") }
        guard let text = value("birth_date"), let birth = Self.date(text) else { return fail("The birth date is missing or not a date (YYYY-MM-DD or DD/MM/YYYY).") }
        let ins = value("ins")?.replacingOccurrences(of: " ", with: "").uppercased()
        if let ins, !Self.isPlausibleINS(ins) { return fail("The INS must be 15 characters: 13 digits (2A or 2B for Corsica) and a 2-digit key.") }
        let details = PatientDetails(firstName: first, lastName: last, birthDate: birth, email: value("email"), phone: value("phone"))
        if let violation = PatientRules.check(details, today: today, channel: .phone) { return fail(violation.message) }
        var known: [UUID] = []
        for reference in (value("departments") ?? "").split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !reference.isEmpty {
            guard let id = department(reference) else { return fail("No department is “\(reference)” (use its id or site-slug/specialty).") }
            known.append(id)
        }
        return .success(PatientIndexRow(
            ipp: ipp, ins: ins, firstName: first, lastName: last, birthDate: birth,
            email: details.email?.lowercased(), phone: details.phone, knownIn: known))
    }

    /// `YYYY-MM-DD` or `DD/MM/YYYY`.
    static func date(_ text: String) -> LocalDate? {
        if let date = LocalDate(text) { return date }
        let parts = text.split(separator: "/")
        guard parts.count == 3, parts[2].count == 4, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    static func isPlausibleINS(_ text: String) -> Bool {
        guard text.count == 15 else { return false }
        let chars = Array(text)
        let department = String(chars[5...6])
        return chars.enumerated().allSatisfy { index, char in
            char.isASCII && (char.isNumber || ((index == 6) && (department == "2A" || department == "2B")))
        }
    }
}

/// A line of an imported file that cannot be imported, and why.
public struct ImportProblem: Error, Hashable, Sendable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}
