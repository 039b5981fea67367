import Foundation

/// The real programs some tests run against, all from Debian: `scripts/test` installs them
/// (or names them and stops). `swift test` alone runs what needs none of them, and each
/// suite that needs one is skipped with the reason below — reported, never a silent pass.
public enum Peers {
    public static let install = "run scripts/test, which installs it, or apt-get install -y"

    /// A browser for the pages: Debian's chromium, its driver and Selenium.
    public static let browser = executable("/usr/bin/chromium") && executable("/usr/bin/chromedriver") && python("selenium")
    public static let browserMissing = "needs chromium, chromium-driver and python3-selenium (\(install) chromium chromium-driver python3-selenium)"

    /// axe-core for the accessibility checks, fetched from PyPI by scripts/fetch-axe.sh.
    public static func axe(at path: String) -> Bool { browser && FileManager.default.fileExists(atPath: path) }
    public static let axeMissing = "needs the browser and axe-core (run scripts/fetch-axe.sh, or scripts/test)"

    /// A real SMTP server (aiosmtpd) and openssl for its test certificates.
    public static let smtp = python("aiosmtpd") && (executable("/usr/bin/openssl") || executable("/bin/openssl"))
    public static let smtpMissing = "needs python3-aiosmtpd and openssl (\(install) python3-aiosmtpd openssl)"

    /// A real iCalendar parser.
    public static let icalendar = python("icalendar")
    public static let icalendarMissing = "needs python3-icalendar (\(install) python3-icalendar)"

    /// nginx, the reverse proxy in front of several instances (run as a non-root user through
    /// util-linux's setpriv when the tests run as root), and psql to look beneath it.
    public static let nginx = executable("/usr/sbin/nginx") && (getuid() != 0 || setpriv) && python3
    /// util-linux's setpriv, to run a peer as another user when the tests run as root.
    public static let setpriv = executable("/usr/bin/setpriv")
    public static let nginxMissing = "needs nginx (\(install) nginx)"

    /// PostgreSQL's psql: on the path, or in the newest /usr/lib/postgresql/*/bin.
    public static var psql: String? {
        (["/usr/bin/psql"] + postgresBinFolders.map { "\($0)/psql" }).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// /usr/lib/postgresql/*/bin, newest version first.
    static var postgresBinFolders: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
    }

    /// PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup): the newest
    /// /usr/lib/postgresql/*/bin, for the standby and failover test that makes clusters of its own.
    public static var postgresBin: String? {
        postgresBinFolders.first { executable("\($0)/pg_basebackup") && executable("\($0)/initdb") }
    }
    public static let postgresMissing = "needs PostgreSQL's server programs (\(install) postgresql)"

    /// A real QR code decoder (zbar), for the authenticator enrolment codes.
    public static let qrDecoder = executable("/usr/bin/zbarimg")
    public static let qrDecoderMissing = "needs zbar-tools (\(install) zbar-tools)"

    /// Python itself, for the fuzzer and the connection checks (standard library only).
    public static let python3 = executable("/usr/bin/python3")
    public static let python3Missing = "needs /usr/bin/python3 (\(install) python3)"

    static func executable(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Whether Debian's python3 imports `module` (bounded: it answers at once or not at all).
    static func python(_ module: String) -> Bool {
        guard executable("/usr/bin/python3") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import \(module)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
