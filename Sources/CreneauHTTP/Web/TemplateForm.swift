import CreneauDomain
import Foundation

/// The weekly-template form without JavaScript: one fieldset per range, numbered
/// `r0`, `r1`… (`rows` says how many were shown), each with its weekday, start and end,
/// channels (`rN-ch-online`…), motives (`rN-m-<id>`; none ticked means all the
/// department's), and the held-back release (`rN-rel-<channel>`, `rN-rel-days`,
/// `rN-rel-at`). Blank rows are ignored; a ticked `rN-remove` drops its range.
enum TemplateForm {
    static let channels: [Channel] = [.online, .phone, .desk, .referral, .practitioner]

    /// One range as typed (or as stored), before it is checked.
    struct Row: Equatable {
        var id = ""
        var weekday = "1"
        var start = ""
        var end = ""
        var channels: Set<Channel> = []
        /// Motive ids as text.
        var motives: Set<String> = []
        var release: Set<Channel> = []
        var releaseDays = ""
        var releaseAt = ""
    }

    /// The rows of the form in order, without blank and removed ones: the positions the
    /// reader sees once the page comes back.
    static func rows(from fields: [String: String]) -> [Row] {
        let count = min(fields["rows"].flatMap { Int($0) } ?? 0, TemplateRules.maximumRanges + 20)
        return (0..<max(count, 0)).compactMap { index in
            let prefix = "r\(index)-"
            func field(_ name: String) -> String { fields[prefix + name]?.trimmed ?? "" }
            if fields[prefix + "remove"] != nil || (field("id").isEmpty && field("start").isEmpty && field("end").isEmpty) { return nil }
            return Row(
                id: field("id"), weekday: field("weekday"), start: field("start"), end: field("end"),
                channels: Set(channels.filter { fields[prefix + "ch-" + $0.rawValue] != nil }),
                motives: Set(fields.keys.filter { $0.hasPrefix(prefix + "m-") }.map { String($0.dropFirst(prefix.count + 2)) }),
                release: Set(channels.filter { fields[prefix + "rel-" + $0.rawValue] != nil }),
                releaseDays: field("rel-days"), releaseAt: field("rel-at"))
        }
    }

    static func rows(of template: ScheduleTemplate) -> [Row] {
        template.ranges.map { range in
            Row(id: range.id.json, weekday: String(range.weekday), start: text(range.startMinute), end: text(range.endMinute),
                channels: Set(channels.filter { range.channels.contains($0) }), motives: Set(range.motiveIDs.map(\.json)),
                release: Set(channels.filter { range.release?.channels.contains($0) ?? false }),
                releaseDays: range.release.map { String($0.daysBefore) } ?? "", releaseAt: range.release.map { text($0.atMinute) } ?? "")
        }
    }

    /// The template the form describes, built on `base` (owner, department and id stay
    /// the stored ones), or the first field that does not parse.
    static func template(from fields: [String: String], base: ScheduleTemplate, ids: IDGenerator, now: Date) -> Result<ScheduleTemplate, TemplateRules.Finding> {
        var template = base
        // Validity dates within fifty years of today: a template is not for centuries.
        let allowed = InputBounds.validityDays(around: LocalDate(now, in: TimeZone(secondsFromGMT: 0) ?? .current))
        guard let from = fields["from"].flatMap({ LocalDate($0.trimmed) }), allowed.contains(from) else { return .failure(.init(problem: .validity, rangeIndex: nil)) }
        template.validFrom = from
        let until = fields["until"]?.trimmed ?? ""
        if until.isEmpty {
            template.validUntil = nil
        } else if let day = LocalDate(until), allowed.contains(day) {
            template.validUntil = day
        } else {
            return .failure(.init(problem: .validity, rangeIndex: nil))
        }
        let known = Set(base.ranges.map(\.id))
        var ranges: [OpeningRange] = []
        for (position, row) in rows(from: fields).enumerated() {
            guard let weekday = Int(row.weekday), (1...7).contains(weekday) else { return .failure(.init(problem: .weekday, rangeIndex: position)) }
            guard let start = minutes(row.start), var end = minutes(row.end) else { return .failure(.init(problem: .times, rangeIndex: position)) }
            // A time field cannot say 24:00: a range ending at 00:00 ends at midnight.
            if end == 0 { end = 1_440 }
            var release: OpeningRange.Release?
            if !row.release.isEmpty {
                guard let days = Int(row.releaseDays), let at = minutes(row.releaseAt) else { return .failure(.init(problem: .release, rangeIndex: position)) }
                release = .init(channels: ChannelSet(channels: row.release), daysBefore: days, atMinute: at)
            }
            // Only the stored ranges' ids are kept; anything else is a new range.
            let id = UUID(uuidString: row.id).flatMap { known.contains($0) ? $0 : nil } ?? ids.next()
            let motives = row.motives.compactMap(UUID.init(uuidString:))
            guard motives.count == row.motives.count else { return .failure(.init(problem: .motive, rangeIndex: position)) }
            ranges.append(OpeningRange(
                id: id, weekday: weekday, startMinute: start, endMinute: end, motiveIDs: motives.sorted { $0.uuidString < $1.uuidString },
                channels: ChannelSet(channels: row.channels), release: release))
        }
        template.ranges = ranges
        return .success(template)
    }

    /// "08:30" → 510; nil unless hours and minutes are two valid numbers.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count >= 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return hour * 60 + minute
    }

    /// 510 → "08:30"; midnight at the end of a day is "00:00", as the time field shows it.
    static func text(_ minutes: Int) -> String {
        let value = minutes % 1_440
        let hours = value / 60, rest = value % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }
}
