import CreneauStorage
import Foundation

/// Loads the encryption key ring from outside the database.
enum KeyRing {
    static func load(_ source: Configuration.KeySource) throws -> FieldCipher {
        switch source {
        case .inline(let text):
            do { return try FieldCipher(keyRing: text) } catch {
                throw ConfigurationError(setting: "CRENEAU_ENCRYPTION_KEYS", problem: "is not a key ring: \(error)")
            }
        case .file(let path, let createIfMissing):
            if createIfMissing && !FileManager.default.fileExists(atPath: path) {
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                // The embedded default makes its own key once; losing this file loses the encrypted texts.
                let text = "# Creneau field-encryption keys (id:base64). Keep this file out of backups of the database.\n"
                    + FieldCipher.newKeyRingLine(id: "k1") + "\n"
                guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ConfigurationError(setting: "CRENEAU_ENCRYPTION_KEY_FILE", problem: "could not be created at \(path).")
                }
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(setting: "CRENEAU_ENCRYPTION_KEY_FILE", problem: "cannot be read at \(path).")
            }
            do { return try FieldCipher(keyRing: text) } catch {
                throw ConfigurationError(setting: "CRENEAU_ENCRYPTION_KEY_FILE", problem: "at \(path) is not a key ring: \(error)")
            }
        }
    }
}
