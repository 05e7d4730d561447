import Glibc
import Synchronization

/// Counts the calls in flight through one door into a plugin (a tenant's activation, or the
/// plugin's process-wide door), and can close the door and wait for them: how "disable" and
/// "deactivate" drain before a plugin frees what the calls use.
///
/// Guarantee: the count and the closed bit share one atomic word, so entering and closing are
/// ordered; once `closeAndDrain` has seen the count reach zero, no call is inside and none can
/// enter until `open`.
final class CallGate: Sendable {
    private static let closedBit = 1 << 62
    private let word = Atomic<Int>(0)

    /// How often a drain looks at the count, in microseconds.
    static let drainPollMicroseconds: UInt32 = 1_000

    /// Enters if open. Every successful `enter` is followed by exactly one `leave`.
    @inline(__always)
    func enter() -> Bool {
        let now = word.add(1, ordering: .acquiring).newValue
        guard now & Self.closedBit == 0 else {
            word.subtract(1, ordering: .releasing)
            return false
        }
        return true
    }

    @inline(__always)
    func leave() { word.subtract(1, ordering: .releasing) }

    /// Calls inside the gate now.
    var inFlight: Int { word.load(ordering: .acquiring) & ~Self.closedBit }

    /// Closes the gate and waits until no call is in flight, for at most `timeoutMilliseconds`.
    /// Returns false if calls were still running when the time was up.
    func closeAndDrain(timeoutMilliseconds: Int) -> Bool {
        word.bitwiseOr(Self.closedBit, ordering: .sequentiallyConsistent)
        var waitedMicroseconds = 0
        while inFlight != 0 {
            guard waitedMicroseconds < timeoutMilliseconds * 1_000 else { return false }
            usleep(Self.drainPollMicroseconds)
            waitedMicroseconds += Int(Self.drainPollMicroseconds)
        }
        return true
    }

    func open() { word.bitwiseAnd(~Self.closedBit, ordering: .sequentiallyConsistent) }
}
