import Foundation

/// What sites, departments, practitioners, rooms and closures must look like before an
/// administrator saves them. Each problem names its field and has a stable key for translations.
public enum OrganisationRules {
    public struct Problem: Error, Hashable, Sendable {
        /// The form field it is about.
        public var field: String
        /// Stable, for translations: `admin_problem_<key>`.
        public var key: String
        public var message: String

        public init(_ field: String, _ key: String, _ message: String) {
            self.field = field
            self.key = key
            self.message = message
        }
    }

    static func text(_ value: String, _ field: String, max: Int, required: Bool = true) -> Problem? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && trimmed.isEmpty { return Problem(field, "required", "Fill in “\(field)”.") }
        if trimmed.count > max { return Problem(field, "too_long", "“\(field)” is at most \(max) characters.") }
        if PatientRules.hasControlCharacters(value) { return Problem(field, "control", "“\(field)” contains a line break or an invisible character.") }
        return nil
    }

    /// Lowercase letters, digits and dashes: addresses (`/search?site=…`) and shared specialty codes.
    public static func isSlug(_ text: String) -> Bool {
        (2...60).contains(text.count) && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !text.hasPrefix("-") && !text.hasSuffix("-")
    }

    public static func problem(with site: Site) -> Problem? {
        if let problem = text(site.name, "name", max: 120) ?? text(site.city, "city", max: 80) ?? text(site.address, "address", max: 200, required: false)
            ?? text(site.phone, "phone", max: 30, required: false) { return problem }
        if !isSlug(site.slug) { return Problem("slug", "slug", "The short name is 2 to 60 lowercase letters, digits or dashes (it appears in addresses).") }
        if !site.phone.isEmpty && !PatientRules.isPlausiblePhone(site.phone) { return Problem("phone", "phone", "The phone number does not look right.") }
        if let policy = site.noShowPolicy, !NoShowPolicy.limits.contains(policy.limit) || !NoShowPolicy.windows.contains(policy.windowDays) {
            return Problem("noShowLimit", "no_show_limit", "The no-show rule counts 1 to 20 missed appointments over 1 to 24 months.")
        }
        if TimeZone(identifier: site.timeZone) == nil { return Problem("timeZone", "time_zone", "This time zone is unknown (use e.g. Europe/Paris, America/Cayenne, Indian/Reunion).") }
        return nil
    }

    public static func problem(with department: Department) -> Problem? {
        if let problem = text(department.name, "name", max: 120) { return problem }
        if !isSlug(department.specialty) { return Problem("specialty", "slug", "The specialty code is 2 to 60 lowercase letters, digits or dashes (e.g. cardiologie), shared across sites.") }
        if !(1...20).contains(department.maxFutureAppointmentsPerPatient) { return Problem("maxFuture", "max_future", "A patient may hold from 1 to 20 upcoming appointments in the department.") }
        if !(0...365).contains(department.sameSpecialtyGapDays) { return Problem("gap", "gap", "The gap between two appointments of the specialty is from 0 to 365 days.") }
        return nil
    }

    /// `departments`: the departments chosen for them (at least one).
    public static func problem(with practitioner: Practitioner, departments: [UUID]) -> Problem? {
        if let problem = text(practitioner.title, "title", max: 20, required: false) ?? text(practitioner.firstName, "firstName", max: 100)
            ?? text(practitioner.lastName, "lastName", max: 100) ?? text(practitioner.profession, "profession", max: 80)
            ?? text(practitioner.skills, "skills", max: 1_000, required: false) { return problem }
        if !isSlug(practitioner.specialty) { return Problem("specialty", "slug", "The specialty code is 2 to 60 lowercase letters, digits or dashes (e.g. cardiologie).") }
        if let rpps = practitioner.rpps, !(rpps.count == 11 && rpps.allSatisfy { $0.isASCII && $0.isNumber }) {
            return Problem("rpps", "rpps", "The RPPS number is 11 digits.")
        }
        if practitioner.languages.isEmpty || practitioner.languages.count > 12
            || !practitioner.languages.allSatisfy({ $0.count == 2 && $0.allSatisfy { ("a"..."z").contains($0) } }) {
            return Problem("languages", "languages", "Languages are two-letter codes separated by commas (fr, en, ar…).")
        }
        if departments.isEmpty { return Problem("departments", "departments", "Choose at least one department.") }
        return nil
    }

    public static func problem(with resource: Resource) -> Problem? {
        if let problem = text(resource.name, "name", max: 120) { return problem }
        if !(1...50).contains(resource.capacity) { return Problem("capacity", "capacity", "A room or machine takes from 1 to 50 patients at once.") }
        return nil
    }

    public static func problem(with closure: PublicHoliday, today: LocalDate) -> Problem? {
        if let problem = text(closure.name, "name", max: 100) { return problem }
        if closure.date < today || closure.date > today.adding(days: 5 * 366) {
            return Problem("date", "closure_date", "A closure is a day from today to five years ahead.")
        }
        return nil
    }
}
