import CAerolithDispatch
import Glibc

/// Counts the calls in flight through one door into a plugin, and can close the door and wait
/// for them: how "disable" and "deactivate" drain before a plugin frees what the calls use.
///
/// The count and the closed bit share one atomic word, operated on by the dispatch C code (see
/// `aerolith_dispatch.h`), which also walks authorization chains through it.
final class CallGate: Sendable {
    /// The word's address: allocated here, freed with the gate. Chains that point at it hold the
    /// gate (through their hooks) for as long as they exist.
    private let address: UInt

    /// How often a drain looks at the count, in microseconds.
    static let drainPollMicroseconds: UInt32 = 1_000

    init() {
        let word = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        word.initialize(to: 0)
        address = UInt(bitPattern: word)
    }

    deinit { word.deallocate() }

    /// The atomic word, for dispatch tables.
    var word: UnsafeMutablePointer<Int> { UnsafeMutablePointer(bitPattern: address)! }

    /// Enters if open. Every successful `enter` is followed by exactly one `leave`.
    @inline(__always)
    func enter() -> Bool { aerolith_dispatch_gate_enter(word) != 0 }

    @inline(__always)
    func leave() { aerolith_dispatch_gate_leave(word) }

    /// Closes the gate and waits until no call is in flight, for at most `timeoutMilliseconds`.
    /// Returns false if calls were still running when the time was up.
    func closeAndDrain(timeoutMilliseconds: Int) -> Bool {
        aerolith_dispatch_gate_close(word)
        var waitedMicroseconds = 0
        while aerolith_dispatch_gate_in_flight(word) != 0 {
            guard waitedMicroseconds < timeoutMilliseconds * 1_000 else { return false }
            usleep(Self.drainPollMicroseconds)
            waitedMicroseconds += Int(Self.drainPollMicroseconds)
        }
        return true
    }

    func open() { aerolith_dispatch_gate_open(word) }
}
