import CreneauDomain
import Foundation

/// The fields of an administrator's form, rendered by one template (`admin-form`): text,
/// number, select, one checkbox, or a group of checkboxes. Each controller lists its fields;
/// the template lays them out with labels, hints and the refused field outlined.
struct AdminForm {
    var fields: [[String: Any]] = []
    /// The field a refusal names, outlined and described by the error.
    var invalid: String?

    mutating func text(_ name: String, _ label: String, _ value: String, type: String = "text", required: Bool = true, hint: String? = nil) {
        var field: [String: Any] = ["isText": true, "name": name, "label": label, "value": value, "inputType": type, "required": required,
                                    "invalid": invalid == name]
        if let hint { field["hint"] = hint }
        fields.append(field)
    }

    mutating func select(_ name: String, _ label: String, _ options: [(value: String, label: String)], selected: String) {
        fields.append(["isSelect": true, "name": name, "label": label, "invalid": invalid == name,
                       "options": options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == selected] }])
    }

    mutating func checkbox(_ name: String, _ label: String, checked: Bool) {
        fields.append(["isCheckbox": true, "name": name, "label": label, "checked": checked])
    }

    /// Checkboxes named `<prefix>-<value>` (forms carry one value per name).
    mutating func choices(_ prefix: String, _ label: String, _ options: [(value: String, label: String)], checked: Set<String>) {
        fields.append(["isChoices": true, "name": prefix, "label": label, "invalid": invalid == prefix, "options": options.map {
            ["id": "\(prefix)-\($0.value)", "value": "1", "optionName": "\(prefix)-\($0.value)", "label": $0.label, "checked": checked.contains($0.value)]
        }])
    }

    /// The values of `<prefix>-<value>` checkboxes that were ticked.
    static func ticked(_ prefix: String, in fields: [String: String]) -> [String] {
        fields.keys.filter { $0.hasPrefix(prefix + "-") }.map { String($0.dropFirst(prefix.count + 1)) }.sorted()
    }

    static func number(_ text: String?) -> Int? {
        text.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
