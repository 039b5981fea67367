import Foundation

/// The patients' search box: "cardiologie", "kiné avoine", "vaccination", "dr morel" all find
/// someone. Every word typed must appear in the practitioner's name, or in what they do and
/// where: their departments and specialties, their sites and cities, the motives their
/// departments offer. Practitioners whose name matches come first (who typed a name wants that
/// person), then the others, each group in directory order.
public enum DirectorySearch {
    /// At most six folded words (accents, case and punctuation ignored).
    public static func words(_ query: String?) -> [String] {
        query.map { SearchText.fold($0).split(separator: " ").prefix(6).map(String.init) } ?? []
    }

    /// What a free-text search looks through besides the name, folded.
    public static func text(of profile: PractitionerProfile, motiveNames: [String]) -> String {
        var parts = [profile.practitioner.searchName, profile.practitioner.profession, profile.practitioner.specialty]
        for department in profile.departments { parts += [department.name, department.specialty] }
        for site in profile.sites { parts += [site.name, site.city] }
        parts += motiveNames
        return SearchText.fold(parts.joined(separator: " "))
    }

    /// `ordered` filtered and ranked for `words`: name matches first, then the wider ones.
    public static func rank(
        _ ordered: [PractitionerProfile], words: [String], name: (PractitionerProfile) -> String, text: (PractitionerProfile) -> String, limit: Int
    ) -> [PractitionerProfile] {
        let limit = max(1, min(limit, 500))
        guard !words.isEmpty else { return Array(ordered.prefix(limit)) }
        var byName: [PractitionerProfile] = [], wider: [PractitionerProfile] = []
        for profile in ordered {
            let own = name(profile)
            if words.allSatisfy({ own.contains($0) }) {
                byName.append(profile)
                if byName.count >= limit { break }
            } else if wider.count < limit {
                let all = text(profile)
                if words.allSatisfy({ all.contains($0) }) { wider.append(profile) }
            }
        }
        return Array((byName + wider).prefix(limit))
    }
}
