#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`).
enum FileDescriptorLimit {
    /// The highest soft limit asked for when the hard limit is unlimited.
    static let descriptorsWhenUnlimited = 1_048_576

    /// Raises the soft limit to the hard limit (the default soft limit is often far lower) and
    /// returns the soft limit in force afterwards.
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        let unlimited = rlim_t.max
        #else
        let resource = RLIMIT_NOFILE
        let unlimited = rlim_t(Int64.max)
        #endif
        guard getrlimit(resource, &limit) == 0 else { return descriptorsWhenUnlimited }
        let target = limit.rlim_max == unlimited ? rlim_t(descriptorsWhenUnlimited) : limit.rlim_max
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == unlimited ? descriptorsWhenUnlimited : Int(limit.rlim_cur)
    }
}
