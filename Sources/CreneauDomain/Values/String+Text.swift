import Foundation

extension String {
    /// Without surrounding spaces and line breaks (what people type around a value).
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}
