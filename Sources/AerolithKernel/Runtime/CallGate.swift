import Glibc
import Synchronization

/// Counts the calls in flight through one door into a plugin, and can close the door and wait
/// for them: how "disable" and "deactivate" drain before a plugin frees what the calls use.
///
/// A call enters only while the gate is open; entering and closing are ordered by one atomic
/// word, so no call can slip in after `closeAndDrain` has seen the count reach zero.
final class CallGate: Sendable {
    private static let closedBit = 1 << 62
    private let word = Atomic<Int>(0)

    /// How often a drain looks at the count, in microseconds.
    static let drainPollMicroseconds: UInt32 = 1_000

    /// Enters if open. Every successful `enter` is followed by exactly one `leave`.
    @inline(__always)
    func enter() -> Bool {
        let now = word.wrappingAdd(1, ordering: .acquiring).newValue
        if now & Self.closedBit != 0 {
            word.wrappingSubtract(1, ordering: .releasing)
            return false
        }
        return true
    }

    @inline(__always)
    func leave() { word.wrappingSubtract(1, ordering: .releasing) }

    /// Closes the gate and waits until no call is in flight, for at most `timeoutMilliseconds`.
    /// Returns false if calls were still running when the time was up.
    func closeAndDrain(timeoutMilliseconds: Int) -> Bool {
        word.bitwiseOr(Self.closedBit, ordering: .sequentiallyConsistent)
        var waitedMicroseconds = 0
        while word.load(ordering: .acquiring) & ~Self.closedBit != 0 {
            guard waitedMicroseconds < timeoutMilliseconds * 1_000 else { return false }
            usleep(Self.drainPollMicroseconds)
            waitedMicroseconds += Int(Self.drainPollMicroseconds)
        }
        return true
    }

    func open() { word.bitwiseAnd(~Self.closedBit, ordering: .sequentiallyConsistent) }
}
