import ArgumentParser
import CreneauApp

struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a new encryption key line (id:base64) for CRENEAU_ENCRYPTION_KEY_FILE.",
        discussion: "Put the new line first in the key file to rotate: new texts use it, older ones still open with the keys below it.")

    @Option(help: "Key id, stored beside every ciphertext it makes.")
    var id: String = "k1"

    func run() async throws {
        print(Commands.newKeyLine(id: id))
    }
}
