import Foundation

extension String {
    /// Without surrounding spaces and line breaks (what people type around a value).
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Comparing secrets (tokens, signatures) without stopping at the first difference, which would
/// tell an attacker how much of a guess was right.
public enum ConstantTime {
    public static func equals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
