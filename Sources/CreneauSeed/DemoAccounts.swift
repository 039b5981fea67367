/// The accounts the avoine demo creates, one for each role. They all share
/// `DemoAccounts.password`; the README lists them.
public enum DemoAccounts {
    public static let password = "avoine-demo-2026"

    /// The demo's authenticator secret for a staff account: public, printed in the README, so
    /// that anyone can add it to an authenticator app (or `oathtool --totp -b SECRET`).
    public static func totpSecret(for email: String) -> String {
        let letters = email.uppercased().filter { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) }
        return String(("AVOINE" + letters + String(repeating: "A", count: 32)).prefix(32))
    }

    public struct Entry: Sendable {
        public let email: String
        public let name: String
        public let role: String
    }

    public static let entries: [Entry] = [
        Entry(email: "lea.martin@avoine.demo", name: "Léa Martin", role: "patient (manages her son Hugo, 6)"),
        Entry(email: "jeanne.girard@avoine.demo", name: "Jeanne Girard", role: "patient (known to cardiology)"),
        Entry(email: "sandrine.leroy@avoine.demo", name: "Sandrine Leroy", role: "secretary"),
        Entry(email: "nadia.benoit@avoine.demo", name: "Nadia Benoit", role: "secretary"),
        Entry(email: "julie.fabre@avoine.demo", name: "Julie Fabre", role: "secretary"),
        Entry(email: "paul.morel@avoine.demo", name: "Dr Paul Morel", role: "practitioner (general practice)"),
        Entry(email: "jean.dupont@avoine.demo", name: "Dr Jean Dupont", role: "referring doctor (GP in Pontoise)"),
        Entry(email: "admin@avoine.demo", name: "Claire Admin", role: "site admin"),
        Entry(email: "direction@avoine.demo", name: "Marc Direction", role: "group admin"),
    ]
}
