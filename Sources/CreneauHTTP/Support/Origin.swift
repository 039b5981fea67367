import Foundation

/// A web origin (`https://rdv.hopital.fr`, `http://127.0.0.1:8080`) as browsers send it
/// in `Origin`: scheme, host and a port only when it is not the scheme's default.
public struct Origin: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int?

    public init?(text: String) {
        guard text.utf8.count <= 300, let url = URL(string: text), text.lowercased() != "null" else { return nil }
        self.init(url: url)
    }

    public init?(url: URL) {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host?.lowercased(), !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        let defaultPort = scheme == "https" ? 443 : 80
        self.port = url.port.flatMap { $0 == defaultPort ? nil : $0 }
    }

    /// `host` or `host:port`, as a `Host` header writes it.
    public var authority: String { port.map { "\(host):\($0)" } ?? host }
    public var text: String { "\(scheme)://\(authority)" }
}
