@preconcurrency import Crypto
import Foundation

/// Encrypts free-text health fields (reason for visit, notes) with AES-256-GCM
/// before they reach the database. Keys live outside the database; each
/// ciphertext is stored beside the id of the key that made it, so keys can be
/// rotated: new writes use `currentKeyID`, old rows still open with the older
/// keys kept in the ring.
public struct FieldCipher: Sendable {
    public let currentKeyID: String
    let keys: [String: SymmetricKey]
    /// The ids of the keys in the ring (a restore checks the data's are all there).
    public var keyIDs: Set<String> { Set(keys.keys) }

    /// `keys` in order of preference: the first one seals.
    public init(keys: [(id: String, key: SymmetricKey)]) throws {
        guard let first = keys.first else { throw FieldCipherError.noKey }
        for (id, key) in keys {
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw FieldCipherError.badKeyID
            }
            guard key.bitCount == 256 else { throw FieldCipherError.badKeyLength(id: id) }
        }
        self.currentKeyID = first.id
        self.keys = Dictionary(keys.map { ($0.id, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// Parses a key ring written as lines (or comma-separated entries) of `id:base64-of-32-bytes`.
    public init(keyRing text: String) throws {
        let entries = text.split(whereSeparator: { $0 == "\n" || $0 == "," })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let keys = try entries.map { entry -> (id: String, key: SymmetricKey) in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let data = Data(base64Encoded: parts[1]) else { throw FieldCipherError.malformedKeyRing }
            guard data.count == 32 else { throw FieldCipherError.badKeyLength(id: parts[0]) }
            return (parts[0], SymmetricKey(data: data))
        }
        try self.init(keys: keys)
    }

    /// A fresh key ring line with a random 256-bit key.
    public static func newKeyRingLine(id: String) -> String {
        let key = SymmetricKey(size: .bits256)
        return "\(id):" + key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Seals `text`. `context` is authenticated but not stored: the same
    /// context must be given to open, binding the ciphertext to its place.
    public func seal(_ text: String, context: String) throws -> (ciphertext: String, keyID: String) {
        // The key ring refuses to load without its current key; a missing one is an error, not a trap.
        guard let key = keys[currentKeyID] else { throw FieldCipherError.cannotOpen }
        let box = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw FieldCipherError.cannotOpen }
        return (combined.base64EncodedString(), currentKeyID)
    }

    public func open(_ ciphertext: String, keyID: String, context: String) throws -> String {
        guard let key = keys[keyID] else { throw FieldCipherError.unknownKey(keyID) }
        guard let data = Data(base64Encoded: ciphertext),
              let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: key, authenticating: Data(context.utf8)),
              let text = String(data: plain, encoding: .utf8)
        else { throw FieldCipherError.cannotOpen }
        return text
    }
}

public enum FieldCipherError: Error, Equatable, CustomStringConvertible, Sendable {
    case noKey
    case badKeyID
    case badKeyLength(id: String)
    case malformedKeyRing
    case unknownKey(String)
    case cannotOpen

    public var description: String {
        switch self {
        case .noKey: "The encryption key ring is empty."
        case .badKeyID: "An encryption key id may use letters, digits, '-' and '_' only."
        case .badKeyLength(let id): "Encryption key \(id) is not 32 bytes (AES-256)."
        case .malformedKeyRing: "The encryption key ring must hold lines of the form id:base64-key."
        case .unknownKey(let id): "Data was sealed with key \(id), which is not in the key ring."
        case .cannotOpen: "A sealed field does not open with its key: wrong key or altered data."
        }
    }
}
