#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files. Every database connection holds two or three (the file,
/// its write-ahead log, its shared index), every client a socket; many systems start a process
/// at a soft limit of 1,024 while allowing far more. Past it, SQLite cannot open a connection
/// ("unable to open database file") and every request that needed one answers 503.
public enum OpenFileLimit {
    /// Below this, a busy instance may run out: worth a warning at start.
    public static let comfortable: UInt64 = 4_096

    /// Raises the soft limit to the hard one (no privilege needed) and answers the limit now in force.
    @discardableResult
    public static func raiseToHard() -> UInt64? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        var wanted = limit
        #if canImport(Darwin)
        // macOS refuses RLIM_INFINITY for files: OPEN_MAX is its ceiling.
        wanted.rlim_cur = min(limit.rlim_max, rlim_t(OPEN_MAX))
        #else
        wanted.rlim_cur = limit.rlim_max
        #endif
        if wanted.rlim_cur > limit.rlim_cur, setrlimit(resource, &wanted) == 0 { return UInt64(wanted.rlim_cur) }
        return UInt64(limit.rlim_cur)
    }
}
