import NIOCore
import Synchronization

/// The client connections open now, shared by every connection's `ConnectionGuard`, and which of
/// them are idle: waiting for a request head, their first or the next on a kept-alive connection.
///
/// When `connectionsMax` are open, a new connection takes the place of the one idle the longest,
/// which is closed; only when none is idle (every connection has a request in progress) is the
/// new one refused. So silent or trickling connections can fill the table but never keep a
/// client that sends a request at once (a health probe) out. The count may pass the maximum by
/// the closes still in flight.
final class ConnectionCounter: Sendable {
    let connectionsMax: Int
    private let state = Mutex(State())

    private struct State {
        var open = 0
        var nextTicket: UInt64 = 0
        /// Idle connections by ticket; a ticket is taken each time a connection becomes idle, so
        /// ticket order is the order they became idle in.
        var idle: [UInt64: any Channel] = [:]
        /// Tickets in the order they were taken; some are stale (their connection is busy or gone).
        var order: [UInt64] = []
        var orderHead = 0
    }

    /// Stale tickets kept at the front of `order` before it is compacted.
    private static let compactionThreshold = 1_024

    enum Admission {
        /// Counted, and idle under `ticket`; `evicted` (if any) made room and must be closed.
        case admitted(ticket: UInt64, evicted: (any Channel)?)
        case refused
    }

    init(connectionsMax: Int) {
        self.connectionsMax = connectionsMax
    }

    /// Counts a new connection, idle until its first request head, making room if need be.
    func admit(_ channel: any Channel) -> Admission {
        state.withLock { state in
            var evicted: (any Channel)?
            if state.open >= connectionsMax {
                guard let oldest = Self.takeOldestIdle(&state) else { return .refused }
                evicted = oldest
            }
            state.open += 1
            return .admitted(ticket: Self.markIdle(channel, &state), evicted: evicted)
        }
    }

    /// A request head arrived: the connection is busy, not a candidate to make room.
    func busy(_ ticket: UInt64) {
        state.withLock { _ = $0.idle.removeValue(forKey: ticket) }
    }

    /// The response ended with no request in progress: idle again, under a new ticket.
    func idle(_ channel: any Channel) -> UInt64 {
        state.withLock { Self.markIdle(channel, &$0) }
    }

    func close(_ ticket: UInt64?) {
        state.withLock { state in
            state.open -= 1
            if let ticket { state.idle.removeValue(forKey: ticket) }
        }
    }

    var openCount: Int { state.withLock { $0.open } }

    private static func markIdle(_ channel: any Channel, _ state: inout State) -> UInt64 {
        state.nextTicket += 1
        state.idle[state.nextTicket] = channel
        state.order.append(state.nextTicket)
        return state.nextTicket
    }

    private static func takeOldestIdle(_ state: inout State) -> (any Channel)? {
        defer {
            if state.orderHead >= compactionThreshold {
                state.order.removeFirst(state.orderHead)
                state.orderHead = 0
            }
        }
        while state.orderHead < state.order.count {
            let ticket = state.order[state.orderHead]
            state.orderHead += 1
            if let channel = state.idle.removeValue(forKey: ticket) { return channel }
        }
        return nil
    }
}
