import PostgresNIO
import Synchronization

/// The pool of the server a target's statements go to: its only host, or, for a URL naming a
/// primary and its standbys with `target_session_attrs=read-write`, the one not in recovery.
///
/// When a statement fails for want of a server (unreachable, shut down, or refusing writes
/// because it is a standby now), `recheck()` asks every host again, at most once per
/// `recheckIntervalMillisecondsMin`, and moves the pool to the new primary: nodes follow a
/// failover by themselves. Statements in flight on the old pool fail and are not acknowledged.
final class PostgresPrimary: Sendable {
    private struct Current {
        var client: PostgresClient
        var run: Task<Void, Never>
        var server: PostgresHost
    }

    /// The shortest time between two looks for the primary, in milliseconds.
    static let recheckIntervalMillisecondsMin = 500

    let target: PostgresTarget
    private let pool: PostgresPoolLimits
    private let queryBudget: QueryBudget
    private let logger: Logger
    private let current: Mutex<Current>
    private let looking = Mutex<(task: Task<Void, Never>?, last: ContinuousClock.Instant?)>((nil, nil))

    init(target: PostgresTarget, server: PostgresHost, pool: PostgresPoolLimits, queryBudget: QueryBudget, logger: Logger) {
        self.target = target
        self.pool = pool
        self.queryBudget = queryBudget
        self.logger = logger
        current = Mutex(Self.start(target: target, server: server, pool: pool, queryBudget: queryBudget, logger: logger))
    }

    private static func start(
        target: PostgresTarget, server: PostgresHost, pool: PostgresPoolLimits, queryBudget: QueryBudget, logger: Logger
    ) -> Current {
        let client = PostgresClient(
            configuration: target.clientConfiguration(pool: pool, queryBudget: queryBudget, on: server), backgroundLogger: logger)
        return Current(client: client, run: Task { await client.run() }, server: server)
    }

    var client: PostgresClient { current.withLock { $0.client } }
    var server: PostgresHost { current.withLock { $0.server } }

    /// Runs `body` on a pooled connection of the current primary (waiting at most
    /// `PostgresLease.connectionWaitMillisecondsMax`); a failure that may mean the primary
    /// moved starts a look for it.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await PostgresLease.withConnection(client, body)
        } catch {
            if PostgresErrors.map(error, target: "\(target)").code == .storageUnavailable { recheck() }
            throw error
        }
    }

    /// The server to use: with one host, that one; otherwise the first that answers and, when
    /// the URL requires a primary, is not in recovery.
    static func find(target: PostgresTarget, pool: PostgresPoolLimits, logger: Logger) async throws(StorageError) -> PostgresHost {
        if target.hosts.count == 1 { return target.hosts[0] }
        var problems: [String] = []
        for server in target.hosts {
            do throws(StorageError) {
                let inRecovery = try await target.withSingleConnection(pool: pool, logger: logger, on: server) { connection in
                    try await connection.query("SELECT pg_is_in_recovery()", logger: logger).collect().first?.decode(Bool.self) ?? true
                }
                if !inRecovery || !target.requiresPrimary { return server }
                problems.append("\(server) is a standby")
            } catch {
                problems.append(error.message)
            }
        }
        throw StorageError(
            .storageUnavailable, "no primary among \(target): " + problems.joined(separator: "; "),
            retryAfterSeconds: PostgresErrors.retryAfterSeconds)
    }

    /// Looks for the primary again in the background, unless a look is running or was made
    /// within `recheckIntervalMillisecondsMin`.
    func recheck() {
        guard target.hosts.count > 1 else { return }
        looking.withLock { looking in
            let now = ContinuousClock.now
            if looking.task != nil { return }
            if let last = looking.last, now - last < .milliseconds(Self.recheckIntervalMillisecondsMin) { return }
            looking.last = now
            looking.task = Task {
                await self.moveIfNeeded()
                self.looking.withLock { $0.task = nil }
            }
        }
    }

    private func moveIfNeeded() async {
        guard let found = try? await Self.find(target: target, pool: pool, logger: logger) else { return }
        let old = current.withLock { current -> Current? in
            guard found != current.server else { return nil }
            let old = current
            current = Self.start(target: target, server: found, pool: pool, queryBudget: queryBudget, logger: logger)
            return old
        }
        guard let old else { return }
        logger.notice("the primary moved; statements go to the new one", metadata: ["from": "\(old.server)", "to": "\(found)"])
        old.run.cancel()
        await old.run.value
    }

    /// Stops looking and stops the pool.
    func close() async {
        let look = looking.withLock { $0.task }
        look?.cancel()
        await look?.value
        let run = current.withLock { $0.run }
        run.cancel()
        await run.value
    }
}
