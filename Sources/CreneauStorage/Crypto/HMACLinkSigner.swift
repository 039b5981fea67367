@preconcurrency import Crypto
import CreneauDomain
import Foundation

/// Signs the links in patients' messages with HMAC-SHA-256 under a key derived (HKDF) from the
/// field cipher's current key: no second secret to manage, and the derived key cannot decrypt
/// anything. Rotating the encryption key retires the links already sent (their holders still have
/// the booking's own link, their account, or the secretariat).
public struct HMACLinkSigner: LinkSigner {
    let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    public func signature(of text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
        // 128 bits are plenty for a link and keep it short in an SMS.
        return Data(Array(mac).prefix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension FieldCipher {
    /// The link signer derived from the current key.
    public func linkSigner() throws -> HMACLinkSigner {
        guard let key = keys[currentKeyID] else { throw FieldCipherError.cannotOpen }
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("creneau appointment links v1".utf8), outputByteCount: 32)
        return HMACLinkSigner(key: derived)
    }
}

extension SQLStore {
    /// The signer of patients' links, from this store's key ring.
    public func linkSigner() throws -> HMACLinkSigner { try cipher.linkSigner() }
}
