#if canImport(Glibc)
import Glibc
#endif

/// The CPU priority of the calling thread.
enum ThreadPriority {
    /// Raises the calling thread's nice value by `increment`, so that it yields a busy core to
    /// the threads serving requests. On Linux the nice value belongs to each thread, and `who`
    /// 0 names the calling one. Best effort: a failure leaves the priority as it was.
    static func lower(by increment: Int32) {
        #if os(Linux)
        guard increment > 0 else { return }
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let current = getpriority(which, 0)
        guard errno == 0 else { return }
        _ = setpriority(which, 0, min(current + increment, 19))
        #endif
    }
}
