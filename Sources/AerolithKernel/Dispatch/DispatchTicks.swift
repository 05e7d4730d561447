import CAerolithDispatch
import Glibc

/// The rate of the counter the dispatch C code times authorization runs with
/// (`aerolith_dispatch_ticks`), learnt once per process: stated by the hardware where it can
/// be, else measured against the monotonic clock over a short sleep.
enum DispatchTicks {
    static let calibrationMicroseconds: UInt32 = 5_000

    static let perSecond: UInt64 = {
        let stated = aerolith_dispatch_ticks_per_second()
        if stated > 0 { return stated }
        let (startTicks, startNanoseconds) = (aerolith_dispatch_ticks(), monotonicNanoseconds())
        usleep(calibrationMicroseconds)
        let (endTicks, endNanoseconds) = (aerolith_dispatch_ticks(), monotonicNanoseconds())
        let nanoseconds = max(endNanoseconds - startNanoseconds, 1)
        return max(UInt64((Double(endTicks &- startTicks) / Double(nanoseconds) * 1e9).rounded()), 1)
    }()

    /// `milliseconds` in ticks.
    static func ticks(milliseconds: Int) -> Int64 { Int64(Double(milliseconds) / 1_000 * Double(perSecond)) }

    /// `ticks` in whole milliseconds.
    static func milliseconds(ticks: Int64) -> Int { Int(Double(ticks) * 1_000 / Double(perSecond)) }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
