import CreneauDomain
import Foundation
import Mustache

/// Writes appointment messages from the template files in `Resources/Notices` (French and
/// English; a subject, plain text and HTML for email, one text for SMS). Text templates use
/// triple braces (no HTML escaping); the HTML ones escape every value.
public struct TemplateNoticeRenderer: NoticeRenderer, OfferMessageRenderer {
    let library: MustacheLibrary

    struct MissingTemplate: Error, CustomStringConvertible {
        let name: String
        var description: String { "The message template \(name) is missing from the build." }
    }

    public init() throws {
        guard let directory = Bundle.module.url(forResource: "Notices", withExtension: nil) else { throw MissingTemplate(name: "Notices") }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) where file.pathExtension == "mustache" {
            try library.register(String(contentsOf: file, encoding: .utf8), named: file.deletingPathExtension().lastPathComponent)
        }
        for language in Language.allCases.map(\.rawValue) {
            for name in ["subject.\(language)", "sms.\(language)", "email.\(language).txt", "email.\(language).html",
                         "offer.subject.\(language)", "offer.sms.\(language)", "offer.email.\(language).txt",
                         "offer_ended.subject.\(language)", "offer_ended.sms.\(language)", "offer_ended.email.\(language).txt"] where library.getTemplate(named: name) == nil {
                throw MissingTemplate(name: name)
            }
        }
        self.library = library
    }

    public func render(_ view: NoticeView) throws -> (subject: String, text: String, html: String?) {
        var values = Self.values(view)
        let language = view.language.rawValue
        func render(_ name: String) throws -> String {
            guard let text = library.render(values, withTemplate: name) else { throw MissingTemplate(name: name) }
            return text
        }
        switch view.channel {
        case .sms:
            let text = SMSText.gsmFriendly(try render("sms.\(language)").trimmed)
            return ("", text, nil)
        case .email:
            let subject = String(try render("subject.\(language)").map { $0 == "\n" ? " " : $0 }).trimmed
            values["subject"] = subject
            let text = Self.tidy(try render("email.\(language).txt"))
            return (subject, text, try render("email.\(language).html"))
        }
    }

    /// A waiting-list offer: the slot, until when it is kept, the link to answer.
    public func renderOffer(_ view: OfferNoticeView) throws -> (subject: String, text: String) {
        let values: [String: Any] = [
            "patientName": view.patientName, "practitionerName": view.practitionerName, "motiveName": view.motiveName, "siteName": view.siteName,
            "siteAddress": view.siteAddress, "hasSiteAddress": !view.siteAddress.trimmed.isEmpty, "day": view.day, "time": view.time,
            "until": view.until, "minutes": view.minutes, "offerURL": view.offerURL,
        ]
        let language = view.language.rawValue, prefix = view.ended ? "offer_ended" : "offer"
        func render(_ name: String) throws -> String {
            guard let text = library.render(values, withTemplate: name) else { throw MissingTemplate(name: name) }
            return text
        }
        switch view.channel {
        case .sms:
            return ("", SMSText.gsmFriendly(try render("\(prefix).sms.\(language)").trimmed))
        case .email:
            let subject = String(try render("\(prefix).subject.\(language)").map { $0 == "\n" ? " " : $0 }).trimmed
            return (subject, Self.tidy(try render("\(prefix).email.\(language).txt")))
        }
    }

    static func values(_ view: NoticeView) -> [String: Any] {
        [
            "confirmation": view.kind == .confirmation, "moved": view.kind == .moved, "cancelled": view.kind == .cancelled,
            "reminder": view.kind == .reminder, "survey": view.kind == .survey,
            "byHospital": view.byHospital, "hasReason": !view.reason.isEmpty, "hasInstructions": !view.instructions.isEmpty,
            "hasSitePhone": !view.sitePhone.trimmed.isEmpty, "hasSiteAddress": !view.siteAddress.trimmed.isEmpty,
            "canManage": !view.manageURL.isEmpty, "tomorrow": view.daysBefore == 1,
            "patientName": view.patientName, "practitionerName": view.practitionerName, "departmentName": view.departmentName,
            "motiveName": view.motiveName, "siteName": view.siteName, "siteAddress": view.siteAddress, "sitePhone": view.sitePhone,
            "day": view.day, "time": view.time, "previousDay": view.previousDay, "previousTime": view.previousTime,
            "daysBefore": view.daysBefore, "reason": view.reason, "instructions": view.instructions,
            "manageURL": view.manageURL, "moveURL": view.moveURL, "rebookURL": view.rebookURL, "surveyURL": view.surveyURL,
        ]
    }

    /// The sections leave blank lines where a kind says nothing: at most one blank line in a row.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for piece in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(piece)
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line.removeLast() }
            if line.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(String(line))
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
