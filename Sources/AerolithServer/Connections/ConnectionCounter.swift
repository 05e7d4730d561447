import Synchronization

/// The number of open client connections, shared by every connection's `ConnectionGuard`.
final class ConnectionCounter: Sendable {
    let connectionsMax: Int
    private let open = Mutex(0)

    init(connectionsMax: Int) {
        self.connectionsMax = connectionsMax
    }

    /// Counts a new connection if there is room; false when the maximum is open already.
    func tryOpen() -> Bool {
        open.withLock { count in
            guard count < connectionsMax else { return false }
            count += 1
            return true
        }
    }

    func close() {
        open.withLock { $0 -= 1 }
    }

    var openCount: Int { open.withLock { $0 } }
}
