import CreneauStorage
import Foundation
import PostgresKit

extension Configuration {
    /// The most servers a URL may list: a primary and its standbys, not a farm.
    static let maximumPostgresServers = 8

    /// Reads `postgres://user:password@host:5432/database`, or libpq's form for a primary and
    /// its standbys, `postgres://user:password@db-a:5432,db-b:5432/database?target_session_attrs=read-write`:
    /// then every new connection goes to whichever server accepts writes (a promoted standby
    /// after a failover). With several servers `target_session_attrs=read-write` (or `primary`)
    /// is required, so Creneau and the PostgreSQL tools given the same URL (`pg_dump`, `psql`)
    /// agree on the server they use.
    static func postgres(url text: String, setting: String) throws -> DatabaseLocation {
        let expected = "expected postgres://user:password@host:5432/database"
        guard let schemeEnd = text.range(of: "://"), ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound]) else {
            throw ConfigurationError(setting: setting, problem: "is not a postgres:// URL (\(expected)).")
        }
        let scheme = text[..<schemeEnd.lowerBound]
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let userInfo = authority.lastIndex(of: "@").map { authority[..<$0] + "@" } ?? ""
        let hostList = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        let hosts = hostList.split(separator: ",", omittingEmptySubsequences: false)
        guard hosts.count <= maximumPostgresServers else {
            throw ConfigurationError(setting: setting, problem: "lists more than \(maximumPostgresServers) servers.")
        }

        // target_session_attrs is libpq's; Creneau reads it here and passes the rest on.
        guard var tail = URLComponents(string: "postgres://h" + rest[authorityEnd...]) else {
            throw ConfigurationError(setting: setting, problem: "is not a postgres:// URL (\(expected)).")
        }
        let attributes = tail.queryItems?.first { $0.name == "target_session_attrs" }?.value
        tail.queryItems = tail.queryItems?.filter { $0.name != "target_session_attrs" }
        if tail.queryItems?.isEmpty == true { tail.queryItems = nil }
        let writableOnly: Bool
        switch attributes {
        case "read-write", "primary": writableOnly = true
        case nil, "any":
            guard hosts.count == 1 else {
                throw ConfigurationError(setting: setting, problem: "lists several servers: add target_session_attrs=read-write, so that Creneau and the PostgreSQL tools use the primary.")
            }
            writableOnly = false
        default:
            throw ConfigurationError(setting: setting, problem: "asks for target_session_attrs other than read-write or primary: Creneau writes on every booking.")
        }
        let path = tail.percentEncodedPath + (tail.percentEncodedQuery.map { "?" + $0 } ?? "")

        var servers: [SQLPostgresConfiguration] = []
        var places: [String] = []
        var database = ""
        for host in hosts {
            let single = "\(scheme)://\(userInfo)\(host)\(path)"
            guard let url = URL(string: single), let name = url.host, !name.isEmpty else {
                throw ConfigurationError(setting: setting, problem: "is not a postgres:// URL (\(expected)).")
            }
            guard url.user?.isEmpty == false else {
                throw ConfigurationError(setting: setting, problem: "names no user (\(expected)).")
            }
            database = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard !database.isEmpty else {
                throw ConfigurationError(setting: setting, problem: "names no database (\(expected)).")
            }
            do {
                servers.append(try SQLPostgresConfiguration(url: url))
            } catch {
                throw ConfigurationError(setting: setting, problem: "could not be read: check sslmode and the port.")
            }
            places.append("\(name):\(url.port ?? 5432)")
        }
        let summary = places.joined(separator: ",") + "/\(database)" + (hosts.count > 1 ? " (the writable one)" : "")
        return .postgres(PostgresServers(servers: servers, writableOnly: writableOnly), summary: summary)
    }
}
