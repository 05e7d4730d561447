import AerolithExecution
import AerolithJSON
import Logging
import Metrics
import PostgresNIO
import Synchronization

/// Collections of JSON documents on PostgreSQL 15 or later, with the SQLite store's semantics.
///
/// Guarantees:
/// - Durability: a write returns only after its transaction has committed on the server (with
///   the server's `synchronous_commit`, so with synchronous replication on the standby too).
/// - Isolation: every statement reads committed data (`READ COMMITTED`); a write locks the
///   document's row (`SELECT ... FOR UPDATE`) before checking its version, so concurrent writes
///   to one document are serialised and version checks are exact across any number of nodes.
/// - Counts and sizes are exact: every write transaction adds its change as a row of
///   `_aerolith_counter_deltas`, which readers sum with the collection's row in one snapshot.
/// - Budget: every statement runs under `statement_timeout` = the query budget's time limit.
///   (PostgreSQL has no rows-examined counter, so `rowsExaminedMax` does not apply.)
/// - Addressing: all data is reached through a `Placement`; storage never sees a tenant.
public final class PostgresDocumentStore: DocumentStore {
    /// The pool of the target's current primary.
    let primary: PostgresPrimary
    let target: PostgresTarget
    let logger: Logger
    let catalog = PostgresCatalog()
    let cursors: CursorCodec
    /// Work on the store's behalf (the counter fold, resumed index builds): stopped, and waited
    /// for, before the pool, so none of it waits forever for a connection of a stopped pool.
    private let chores = Mutex<Task<Void, Never>?>(nil)
    public let queryBudget: QueryBudget
    public let keyValues: any KeyValueStore
    let nodes: PostgresCoordination
    /// The streaming replicas document reads may use; nil: none configured.
    let replicas: PostgresReplicas?
    public var coordination: any ClusterCoordination { nodes }

    /// Committed write transactions, as the SQLite writer counts them.
    static let transactions = Counter(label: "aerolith_storage_transactions_total")

    /// How often this node folds counter deltas into the collections' rows, in milliseconds.
    static let counterFoldIntervalMilliseconds = 2_000

    /// Where queries wait for the server: a thread of the fair worker pool each, keyed by
    /// placement, so one tenant's queries are bounded and queued as on SQLite. Nil: on the caller's task.
    let queryWork: FairWorkerPool?

    private init(
        primary: PostgresPrimary, target: PostgresTarget, queryBudget: QueryBudget, queryWork: FairWorkerPool?, cursorSecret: [UInt8],
        poolLimits: PostgresPoolLimits, replicas: PostgresReplicas?, logger: Logger
    ) {
        self.primary = primary
        self.replicas = replicas
        self.queryWork = queryWork
        self.target = target
        self.queryBudget = queryBudget
        self.logger = logger
        cursors = CursorCodec(secret: cursorSecret)
        keyValues = PostgresKeyValueStore(primary: primary, target: target, logger: logger)
        nodes = PostgresCoordination(primary: primary, target: target, pool: poolLimits, logger: logger)
    }

    private func startChores() {
        let task = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.resumeIndexBuilds() }
                group.addTask {
                    while true {
                        do { try await Task.sleep(for: .milliseconds(Self.counterFoldIntervalMilliseconds)) } catch { return }
                        try? await PostgresCounters.fold(primary: self.primary, logger: self.logger)
                    }
                }
            }
        }
        chores.withLock { $0 = task }
    }

    /// Connects to the database `url` names, creates the store's tables if missing and starts the
    /// connection pool. Errors name the server and say what is wrong: unreachable, login refused,
    /// missing database, missing permission, or a server older than 15.
    public static func open(
        url: String, queryBudget: QueryBudget = .standard, pool: PostgresPoolLimits = .standard, queryWork: FairWorkerPool? = nil,
        logger: Logger = Logger(label: "aerolith.storage.postgres")
    ) async throws(StorageError) -> PostgresDocumentStore {
        let target = try PostgresTarget(url: url)
        let pool = target.pool ?? pool
        var queryBudget = queryBudget
        if let milliseconds = target.statementTimeoutMilliseconds { queryBudget.timeLimitMilliseconds = milliseconds }
        let server = try await PostgresPrimary.find(target: target, pool: pool, logger: logger)
        let secret = try await target.withSingleConnection(pool: pool, logger: logger, on: server) { connection in
            try await PostgresSchema.create(on: connection, target: target, logger: logger)
            return try await PostgresSchema.cursorSecret(on: connection, logger: logger)
        }
        let primary = PostgresPrimary(target: target, server: server, pool: pool, queryBudget: queryBudget, logger: logger)
        let replicas =
            target.replicas.isEmpty ? nil : PostgresReplicas(target: target, pool: pool, queryBudget: queryBudget, logger: logger)
        replicas?.start(primary: primary)
        logger.info("opened PostgreSQL store", metadata: ["target": "\(target)", "replicas": "\(target.replicas.count)"])
        let store = PostgresDocumentStore(
            primary: primary, target: target, queryBudget: queryBudget, queryWork: queryWork, cursorSecret: secret, poolLimits: pool,
            replicas: replicas, logger: logger)
        store.startChores()
        return store
    }

    /// Stops the store's background work, folds the counters once more and stops the pool. The
    /// store is unusable afterwards.
    public func close() async {
        if let chores = chores.withLock({ $0 }) {
            chores.cancel()
            await chores.value
        }
        await nodes.stop()
        await replicas?.close()
        try? await PostgresCounters.fold(primary: primary, logger: logger)
        await primary.close()
    }

    // MARK: Running statements

    /// Runs `body` on a pooled connection, mapping every error to a `StorageError`.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        do {
            return try await primary.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresErrors.map(error, target: "\(target)", budget: queryBudget)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        let logger = self.logger
        return try await withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                Self.transactions.increment()
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    @discardableResult
    func rows(_ statement: PostgresStatement, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(statement.query, logger: logger).collect()
    }

    /// The collection's table, looked up once and then cached.
    func entry(_ name: CollectionName, in placement: Placement) async throws(StorageError) -> PostgresCatalog.Entry {
        if let cached = catalog.cached(name, in: placement) { return cached }
        var select = PostgresStatement()
        select.sql =
            "SELECT table_name, created_at FROM _aerolith_collections WHERE prefix = \(select.bind(placement.tablePrefix)) AND name = \(select.bind(name.rawValue))"
        let statement = select
        let found = try await withConnection { connection in
            try await self.rows(statement, on: connection).first.map { row in
                let (table, createdAt) = try row.decode((String, Int64).self)
                return PostgresCatalog.Entry(tableName: table, name: name.rawValue, createdAt: Timestamp(milliseconds: createdAt))
            }
        }
        guard let found else { throw StorageError(.collectionNotFound, "collection \"\(name)\" does not exist") }
        catalog.remember(found, in: placement)
        return found
    }

    /// Runs `body` on the collection's table; when another node dropped that table, looks the
    /// name up again (it may have been re-created) and runs `body` once more.
    func onCollection<T: Sendable>(
        _ name: CollectionName, in placement: Placement, _ body: (PostgresCatalog.Entry) async throws(StorageError) -> T
    ) async throws(StorageError) -> T {
        let first = try await entry(name, in: placement)
        do {
            return try await body(first)
        } catch  where error.code == .collectionNotFound {
            catalog.forget(name, in: placement)
            let second = try await entry(name, in: placement)
            guard second != first else { throw StorageError(.collectionNotFound, "collection \"\(name)\" does not exist") }
            return try await body(second)
        }
    }

    // MARK: Collections

    public func createCollection(_ name: CollectionName, in placement: Placement) async throws(StorageError) -> CollectionInfo {
        try await createCollection(name, createdAt: .now(), in: placement)
    }

    /// Creates a collection recorded as created at `createdAt` (a migration keeps the source's).
    public func createCollection(_ name: CollectionName, createdAt: Timestamp, in placement: Placement) async throws(StorageError)
        -> CollectionInfo
    {
        let logger = self.logger
        defer { wrote(placement) }
        let entry: PostgresCatalog.Entry
        do throws(StorageError) {
            entry = try await transaction { connection in
                let table = try await PostgresSchema.newObjectName("\(placement.tablePrefix)_c", on: connection, logger: logger)
                var insert = PostgresStatement()
                insert.sql = """
                    INSERT INTO _aerolith_collections (table_name, prefix, name, created_at)
                    VALUES (\(insert.bind(table)), \(insert.bind(placement.tablePrefix)), \(insert.bind(name.rawValue)), \(insert.bind(createdAt.milliseconds)))
                    """
                try await self.rows(insert, on: connection)
                try await connection.query(PostgresQuery(unsafeSQL: PostgresSchema.documentTableSQL(table)), logger: logger)
                return PostgresCatalog.Entry(tableName: table, name: name.rawValue, createdAt: createdAt)
            }
        } catch  where error.code == .uniqueViolation {
            throw StorageError(.collectionExists, "collection \"\(name)\" already exists")
        }
        catalog.remember(entry, in: placement)
        logger.info("created collection", metadata: ["placement": "\(placement)", "collection": "\(name)", "table": "\(entry.tableName)"])
        return CollectionInfo(name: name.rawValue, createdAt: createdAt, documentCount: 0, sizeBytes: 0)
    }

    public func collections(in placement: Placement) async throws(StorageError) -> [CollectionInfo] {
        try await collectionInfos(in: placement, name: nil)
    }

    public func collection(_ name: CollectionName, in placement: Placement) async throws(StorageError) -> CollectionInfo {
        guard let info = try await collectionInfos(in: placement, name: name).first else {
            catalog.forget(name, in: placement)
            throw StorageError(.collectionNotFound, "collection \"\(name)\" does not exist")
        }
        return info
    }

    private func collectionInfos(in placement: Placement, name: CollectionName?) async throws(StorageError) -> [CollectionInfo] {
        var select = PostgresStatement()
        let nameCondition = name.map { " AND c.name = \(select.bind($0.rawValue))" } ?? ""
        select.sql = """
            SELECT c.name, c.created_at, c.document_count + coalesce(d.documents, 0), c.size_bytes + coalesce(d.bytes, 0)
            FROM _aerolith_collections c
            LEFT JOIN (SELECT table_name, sum(documents)::bigint AS documents, sum(bytes)::bigint AS bytes
                       FROM _aerolith_counter_deltas GROUP BY table_name) d USING (table_name)
            WHERE c.prefix = \(select.bind(placement.tablePrefix))\(nameCondition) ORDER BY c.name
            """
        let statement = select
        return try await withConnection { connection in
            try await self.rows(statement, on: connection).map { row in
                let (name, createdAt, documents, bytes) = try row.decode((String, Int64, Int64, Int64).self)
                return CollectionInfo(name: name, createdAt: Timestamp(milliseconds: createdAt), documentCount: documents, sizeBytes: bytes)
            }
        }
    }

    public func dropCollection(_ name: CollectionName, in placement: Placement) async throws(StorageError) {
        let logger = self.logger
        var delete = PostgresStatement()
        delete.sql =
            "DELETE FROM _aerolith_collections WHERE prefix = \(delete.bind(placement.tablePrefix)) AND name = \(delete.bind(name.rawValue)) RETURNING table_name"
        let statement = delete
        defer { wrote(placement) }
        let dropped = try await transaction { connection -> Bool in
            guard let row = try await self.rows(statement, on: connection).first else { return false }
            let table = try row.decode(String.self)
            var cleanup = PostgresStatement()
            let bound = cleanup.bind(table)
            for sql in [
                "DELETE FROM _aerolith_indexes WHERE table_name = \(bound)",
                "DELETE FROM _aerolith_counter_deltas WHERE table_name = \(bound)",
            ] {
                cleanup.sql = sql
                try await self.rows(cleanup, on: connection)
            }
            try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \"\(table)\""), logger: logger)
            return true
        }
        catalog.forget(name, in: placement)
        guard dropped else { throw StorageError(.collectionNotFound, "collection \"\(name)\" does not exist") }
        logger.info("dropped collection", metadata: ["placement": "\(placement)", "collection": "\(name)"])
    }

    public func usage(in placement: Placement) async throws(StorageError) -> StorageUsage {
        let all = try await collections(in: placement)
        return StorageUsage(
            collectionCount: all.count, documentCount: all.reduce(0) { $0 + $1.documentCount },
            sizeBytes: all.reduce(0) { $0 + $1.sizeBytes })
    }

    /// Folds the counter deltas: every acknowledged write is already durable on the server.
    public func flush() async throws(StorageError) {
        do {
            try await PostgresCounters.fold(primary: primary, logger: logger)
        } catch {
            throw PostgresErrors.map(error, target: "\(target)")
        }
    }
}
