import PostgresNIO
import Synchronization

/// A pooled connection within a bound: postgres-nio's pool keeps a request waiting for as long
/// as it cannot connect, so while the server is unreachable every request would hang. A request
/// that has not got a connection after `connectionWaitMillisecondsMax` stops waiting and fails
/// with `storage_unavailable` (and a `Retry-After`); once it has one, the statement itself runs
/// under `statement_timeout`, not this bound.
enum PostgresLease {
    /// The longest a statement waits for a pooled connection, in milliseconds.
    static let connectionWaitMillisecondsMax = 3_000

    struct WaitedTooLong: Error, CustomStringConvertible {
        var description: String { "no connection within \(PostgresLease.connectionWaitMillisecondsMax) ms" }
    }

    static func withConnection<T: Sendable>(
        _ client: PostgresClient, waitMilliseconds: Int = connectionWaitMillisecondsMax,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let lease = LeaseState()
        // The request runs as a child task, so giving up cancels it alone (postgres-nio then
        // withdraws it from the pool's queue), never the caller's task; a statement that has
        // its connection is never cancelled by the timer.
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    guard lease.take() else { throw WaitedTooLong() }
                    return try await body(connection)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(waitMilliseconds))
                return nil
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
                if lease.giveUp() {
                    group.cancelAll()
                    throw WaitedTooLong()
                }
            }
            throw WaitedTooLong()
        }
    }
}

/// Whether a request got its connection or gave up waiting: whichever happens first wins.
private final class LeaseState: Sendable {
    private enum Phase { case waiting, leased, gaveUp }
    private let phase = Mutex(Phase.waiting)

    /// True if the request may use the connection it was given.
    func take() -> Bool {
        phase.withLock { phase in
            guard phase == .waiting else { return false }
            phase = .leased
            return true
        }
    }

    /// Stops waiting if no connection came yet: true if the request gave up.
    func giveUp() -> Bool {
        phase.withLock { phase in
            guard phase == .waiting else { return false }
            phase = .gaveUp
            return true
        }
    }
}
