import Metrics
import PostgresNIO
import Synchronization

/// What a node knows of one streaming replica, for operators and tests.
public struct PostgresReplicaStatus: Sendable, Equatable {
    /// `host:port`.
    public var server: String
    /// Whether reads may go to it now (for a placement this node has not just written to).
    public var usable: Bool
    /// How far behind the primary it is, in milliseconds; nil: not known (unreachable, not a
    /// standby, or behind every position the node remembers).
    public var lagMilliseconds: Int?
    /// Reads it has served for this node.
    public var reads: Int
}

/// Streaming replicas that document reads may go to: each is used only while it is within
/// `replica_lag_max_ms` of the primary and, for a placement this node wrote to, only once it has
/// replayed that write.
///
/// How lag is known: every `sampleIntervalMilliseconds` the node reads the primary's WAL position
/// (`pg_current_wal_lsn()`), remembering when it asked, and each replica's replayed position
/// (`pg_last_wal_replay_lsn()`). A replica has caught up to the primary as of the newest of those
/// moments whose position it has replayed: everything committed before then is visible on it. Its
/// lag is the time since that moment, so it grows while the replica is stuck or cannot be asked.
///
/// Read-your-writes: the node remembers when it last wrote to each placement, and a replica serves
/// that placement's reads only once it has caught up to a moment after the write. A client that
/// writes and then reads through one node always sees its write; through another node a read is at
/// most `replica_lag_max_ms` stale.
final class PostgresReplicas: Sendable {
    /// How often the node asks the primary and the replicas where they are, in milliseconds.
    static let sampleIntervalMilliseconds = 100
    /// The longest one of those questions waits for a connection, in milliseconds.
    static let sampleWaitMilliseconds = 1_000
    /// The longest a read waits for a replica's connection before it goes to the primary, in
    /// milliseconds: a replica that went away costs a read this much until its next sample.
    static let readWaitMilliseconds = 1_000
    static let lagMaxMillisecondsDefault = 1_000
    static let lagMaxMillisecondsRange = 200...3_600_000

    private struct Sample {
        var at: ContinuousClock.Instant
        var position: Int64
    }

    final class Replica: Sendable {
        let server: PostgresHost
        let client: PostgresClient
        fileprivate let run: Task<Void, Never>
        /// The moment of the primary it has caught up to (nil: none known) and whether it was usable at the last look.
        fileprivate let state = Mutex<(caughtUp: ContinuousClock.Instant?, usable: Bool)>((nil, false))
        fileprivate let served = Atomic<Int>(0)
        fileprivate let reads: Counter
        fileprivate let lag: Gauge

        fileprivate init(server: PostgresHost, configuration: PostgresClient.Configuration, logger: Logger) {
            self.server = server
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            self.client = client
            run = Task { await client.run() }
            reads = Counter(label: "aerolith_storage_replica_reads_total", dimensions: [("replica", "\(server)")])
            lag = Gauge(label: "aerolith_storage_replica_lag_milliseconds", dimensions: [("replica", "\(server)")])
        }

        /// Counts a read it served.
        func servedRead() {
            served.wrappingAdd(1, ordering: .relaxed)
            reads.increment()
        }
    }

    let replicas: [Replica]
    private let lagMax: Duration
    private let logger: Logger
    private let samples = Mutex<[Sample]>([])
    private let written = Mutex<[String: ContinuousClock.Instant]>([:])
    private let turn = Atomic<Int>(0)
    private let sampler = Mutex<Task<Void, Never>?>(nil)

    init(target: PostgresTarget, pool: PostgresPoolLimits, queryBudget: QueryBudget, logger: Logger) {
        lagMax = .milliseconds(target.replicaLagMaxMilliseconds)
        self.logger = logger
        replicas = target.replicas.map { server in
            Replica(
                server: server, configuration: target.clientConfiguration(pool: pool, queryBudget: queryBudget, on: server), logger: logger)
        }
    }

    /// Starts asking the primary and the replicas where they are.
    func start(primary: PostgresPrimary) {
        let task = Task {
            while !Task.isCancelled {
                await self.sample(primary: primary)
                do { try await Task.sleep(for: .milliseconds(Self.sampleIntervalMilliseconds)) } catch { return }
            }
        }
        sampler.withLock { $0 = task }
    }

    /// Stops sampling and every replica's pool.
    func close() async {
        if let task = sampler.withLock({ $0 }) {
            task.cancel()
            await task.value
        }
        for replica in replicas {
            replica.run.cancel()
            await replica.run.value
        }
    }

    /// Remembers that this node has just written to the placement with `prefix`.
    func wrote(_ prefix: String) {
        let now = ContinuousClock.now
        written.withLock { $0[prefix] = now }
    }

    /// A replica that may serve a read of the placement with `prefix` now, taking turns; nil: the primary must.
    func replica(for prefix: String) -> Replica? {
        guard !replicas.isEmpty else { return nil }
        let now = ContinuousClock.now
        let lastWrite = written.withLock { $0[prefix] }
        let first = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        for offset in 0..<replicas.count {
            let replica = replicas[Int(UInt(bitPattern: first &+ offset) % UInt(replicas.count))]
            guard let caughtUp = replica.state.withLock({ $0.caughtUp }), now - caughtUp <= lagMax else { continue }
            if let lastWrite, caughtUp <= lastWrite { continue }
            return replica
        }
        return nil
    }

    /// Takes a replica out of use until its next sample, after a read on it failed.
    func setAside(_ replica: Replica, because error: StorageError) {
        replica.state.withLock { $0.caughtUp = nil }
        logger.notice(
            "a read on a replica failed; reading from the primary", metadata: ["replica": "\(replica.server)", "error": "\(error)"])
    }

    func statuses() -> [PostgresReplicaStatus] {
        let now = ContinuousClock.now
        return replicas.map { replica in
            let caughtUp = replica.state.withLock { $0.caughtUp }
            let lag = caughtUp.map { Self.milliseconds(now - $0) }
            return PostgresReplicaStatus(
                server: "\(replica.server)", usable: caughtUp.map { now - $0 <= lagMax } ?? false, lagMilliseconds: lag,
                reads: replica.served.load(ordering: .relaxed))
        }
    }

    // MARK: Sampling

    private func sample(primary: PostgresPrimary) async {
        let asked = ContinuousClock.now
        let logger = self.logger
        if let position = try? await primary.withConnection({ connection in
            try await connection.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", logger: logger).collect().first?
                .decode(Int64.self)
        }) {
            // Older samples than the bound can no longer make a replica usable: drop them, keeping the newest.
            let keepFrom = asked - lagMax - .milliseconds(Self.sampleIntervalMilliseconds)
            samples.withLock { samples in
                samples.append(Sample(at: asked, position: position))
                if let stale = samples.lastIndex(where: { $0.at < keepFrom }), stale < samples.count - 1 {
                    samples.removeFirst(stale + 1)
                }
            }
        }
        let forgetBefore = asked - lagMax
        written.withLock { written in written = written.filter { $0.value >= forgetBefore } }
        await withDiscardingTaskGroup { group in
            for replica in replicas {
                group.addTask { await self.sample(replica) }
            }
        }
    }

    private func sample(_ replica: Replica) async {
        let logger = self.logger
        var problem = "not a standby"
        var caughtUp: ContinuousClock.Instant?
        do {
            let replayed = try await PostgresLease.withConnection(replica.client, waitMilliseconds: Self.sampleWaitMilliseconds) {
                connection -> Int64? in
                let row = try await connection.query(
                    "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint", logger: logger
                ).collect().first
                guard let (inRecovery, position) = try row?.decode((Bool, Int64?).self), inRecovery else { return nil }
                return position
            }
            if let replayed {
                caughtUp = samples.withLock { $0.last { $0.position <= replayed }?.at }
                problem = "behind by more than the bound"
            }
        } catch {
            problem = "\(PostgresErrors.map(error, target: "\(replica.server)"))"
        }
        let now = ContinuousClock.now
        let usable = caughtUp.map { now - $0 <= lagMax } ?? false
        let wasUsable = replica.state.withLock { state in
            defer { state = (caughtUp, usable) }
            return state.usable
        }
        replica.lag.record(caughtUp.map { Self.milliseconds(now - $0) } ?? -1)
        if usable != wasUsable {
            if usable {
                logger.notice("reads may go to the replica", metadata: ["replica": "\(replica.server)"])
            } else {
                logger.notice("reads stay off the replica", metadata: ["replica": "\(replica.server)", "reason": "\(problem)"])
            }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
