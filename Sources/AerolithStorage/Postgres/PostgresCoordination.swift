import Foundation
import PostgresNIO
import Synchronization

/// Coordination of the nodes sharing one PostgreSQL database: announcements are `NOTIFY`s on
/// one channel, heard on a listening connection of each node's own; leases are rows of
/// `_aerolith_leases` with an expiry on the server's clock.
///
/// A node hears its own announcements too and skips them (it changed its caches itself). The
/// listening connection is checked every `ClusterLimits.listenerCheckIntervalMilliseconds`; one
/// that does not answer within that interval counts as broken: the node hears `.everything`,
/// reconnects, and hears `.everything` again once listening, so nothing missed meanwhile stays cached.
final class PostgresCoordination: ClusterCoordination {
    static let channel = "aerolith_changes"

    let nodeID: String
    private let primary: PostgresPrimary
    private let target: PostgresTarget
    private let pool: PostgresPoolLimits
    private let logger: Logger
    private let listener = Mutex<Task<Void, Never>?>(nil)

    init(primary: PostgresPrimary, target: PostgresTarget, pool: PostgresPoolLimits, logger: Logger) {
        self.primary = primary
        self.target = target
        self.pool = pool
        self.logger = logger
        nodeID = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }

    func announce(_ change: ClusterChange) async {
        var notify = PostgresStatement()
        var payload = "\(nodeID)\n\(change.topic)\n\(change.subject)"
        // Too long for a notification (never for the kernel's ids): then anything may have changed.
        if payload.utf8.count > ClusterLimits.changePayloadBytesMax { payload = "\(nodeID)\n\(ClusterChange.everything.topic)\n" }
        notify.sql = "SELECT pg_notify(\(notify.bind(Self.channel)), \(notify.bind(payload)))"
        let statement = notify
        let logger = self.logger
        do {
            try await primary.withConnection { connection in
                _ = try await connection.query(statement.query, logger: logger).collect()
            }
        } catch {
            logger.warning("could not announce a change to other nodes", metadata: ["change": "\(change)", "error": "\(error)"])
        }
    }

    func changes() -> AsyncStream<ClusterChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ClusterChange.self, bufferingPolicy: .bufferingNewest(ClusterLimits.pendingChangesCountMax))
        let task = Task { await self.listen(continuation) }
        continuation.onTermination = { _ in task.cancel() }
        listener.withLock { previous in
            previous?.cancel()
            previous = task
        }
        return stream
    }

    /// Stops listening; the stream `changes()` returned finishes.
    func stop() async {
        guard let task = listener.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }

    func holdLease(_ name: String, durationMilliseconds: Int) async throws(StorageError) -> Bool {
        var upsert = PostgresStatement()
        upsert.sql = """
            INSERT INTO _aerolith_leases AS l (name, holder, expires_at)
            VALUES (\(upsert.bind(name)), \(upsert.bind(nodeID)), clock_timestamp() + \(upsert.bind(Int64(durationMilliseconds))) * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at < clock_timestamp()
            RETURNING holder
            """
        let statement = upsert
        let logger = self.logger
        do {
            return try await primary.withConnection { connection in
                try await !connection.query(statement.query, logger: logger).collect().isEmpty
            }
        } catch {
            throw PostgresErrors.map(error, target: "\(target)")
        }
    }

    // MARK: Listening

    private struct ListenerBroken: Error {}

    private func listen(_ out: AsyncStream<ClusterChange>.Continuation) async {
        var wasListening = true
        while !Task.isCancelled {
            do {
                // On the primary: a standby hears no notifications.
                try await target.withSingleConnection(pool: pool, logger: logger, on: primary.server) { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        // Listening from here on: whatever changed before may have been missed.
                        out.yield(.everything)
                        if !wasListening { self.logger.notice("listening for other nodes' changes again") }
                        wasListening = true
                        try await self.relay(notifications, checking: connection, to: out)
                    }
                }
            } catch {
                if Task.isCancelled { break }
                if wasListening {
                    logger.warning(
                        "not hearing other nodes' changes; caches are dropped until listening again", metadata: ["error": "\(error)"])
                }
            }
            wasListening = false
            out.yield(.everything)
            try? await Task.sleep(for: .milliseconds(ClusterLimits.listenerReconnectDelayMilliseconds))
        }
        out.finish()
    }

    /// Passes other nodes' announcements on until the connection fails a check or breaks.
    private func relay(
        _ notifications: PostgresNotificationSequence, checking connection: PostgresConnection,
        to out: AsyncStream<ClusterChange>.Continuation
    ) async throws {
        let logger = self.logger
        let nodeID = self.nodeID
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await notification in notifications {
                    let parts = notification.payload.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
                    guard parts.count == 3, parts[0] != nodeID else { continue }
                    // A full queue drops its oldest change: then anything may have been missed.
                    if case .dropped = out.yield(ClusterChange(topic: String(parts[1]), subject: String(parts[2]))) {
                        out.yield(.everything)
                    }
                }
                throw ListenerBroken()
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(ClusterLimits.listenerCheckIntervalMilliseconds))
                    try await Self.check(connection, logger: logger)
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// `SELECT 1`, or `ListenerBroken` when no answer comes within the check interval (a
    /// connection whose server vanished may never answer at all).
    private static func check(_ connection: PostgresConnection, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await connection.query("SELECT 1", logger: logger).collect()
                return true
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(ClusterLimits.listenerCheckIntervalMilliseconds))
                return false
            }
            let answered = try await group.next() ?? false
            group.cancelAll()
            if !answered {
                try? await connection.close()
                throw ListenerBroken()
            }
        }
    }
}
