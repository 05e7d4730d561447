import AerolithExecution
import AerolithJSON
import CSQLite
import Foundation
import Logging

/// Collections of JSON documents on embedded SQLite.
///
/// Guarantees:
/// - Durability: a write returns only after its transaction has committed to the write-ahead
///   log. With `Durability.processCrash` (the default) acknowledged writes survive the process
///   being killed at any point; with `.powerLoss` the log is also synced to disk on every commit.
/// - Isolation: every read sees a snapshot of committed data; writes are serialisable (one writer,
///   group commit). `SQLITE_BUSY` never reaches a caller: readers never wait for the writer in WAL
///   mode, and the single writer waits out checkpoints with a busy timeout.
/// - Addressing: all data is reached through a `Placement`; storage never sees a tenant.
public final class SQLiteDocumentStore: DocumentStore {
    /// How much of the machine must fail before an acknowledged write can be lost.
    public enum Durability: String, Sendable, CaseIterable {
        /// Survives the process crashing or being killed (SQLite `synchronous=NORMAL` in WAL).
        case processCrash = "process"
        /// Also survives power loss or an OS crash (SQLite `synchronous=FULL`).
        case powerLoss = "power"

        var synchronous: SQLiteConnection.Synchronous { self == .processCrash ? .normal : .full }
    }

    public static let databaseFileName = "aerolith.db"

    let writer: GroupCommitWriter
    let readers: ReaderPool
    let catalog = Catalog()
    let counters = CounterLedger()
    let cursors: CursorCodec
    let logger: Logger
    let retiredClearing = RetiredTableClearing()
    /// Small byte values in namespaces, in the same database file (plugin state, kernel records).
    public var keyValues: any KeyValueStore { sqliteKeyValues }
    let sqliteKeyValues: SQLiteKeyValueStore
    /// One node by construction: an embedded database belongs to one process.
    public let coordination: any ClusterCoordination = SingleNodeCoordination()
    /// What each query may spend before it is stopped with `query_timeout`.
    public let queryBudget: QueryBudget
    /// Where queries run: threads of their own, fair across placements, so a scan never holds a
    /// thread that serves requests. Nil: on the caller's thread.
    let queryWork: FairWorkerPool?

    /// Opens (creating if needed) the store in `directory`.
    public init(
        directory: String, durability: Durability = .processCrash, queryBudget: QueryBudget = .standard,
        queryWork: FairWorkerPool? = nil, logger: Logger = Logger(label: "aerolith.storage")
    ) throws(StorageError) {
        let path = directory + "/" + Self.databaseFileName
        let connection = try SQLiteConnection(path: path, mode: .readWrite, synchronous: durability.synchronous)
        try connection.execute(Catalog.schemaSQL)
        try catalog.load(from: connection)
        try counters.load(from: connection)
        cursors = CursorCodec(secret: try Self.cursorSecret(on: connection))
        let unfinished = try Self.unfinishedBackgroundWork(on: connection)
        writer = GroupCommitWriter(connection: connection, counters: counters)
        readers = ReaderPool(path: path, synchronous: durability.synchronous)
        sqliteKeyValues = try SQLiteKeyValueStore(path: path, synchronous: durability.synchronous)
        self.queryBudget = queryBudget
        self.queryWork = queryWork
        self.logger = logger
        resumeBackgroundWork(builds: unfinished.builds, retiredTables: unfinished.retiredTables)
    }

    private static func cursorSecret(on connection: SQLiteConnection) throws(StorageError) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let insert = try connection.statement("INSERT OR IGNORE INTO _aerolith_meta (key, value) VALUES ('cursor_secret', ?)")
        insert.bind(.text(Hex.string(fresh)), at: 1)
        try insert.run()
        let select = try connection.statement("SELECT value FROM _aerolith_meta WHERE key = 'cursor_secret'")
        guard try select.step() else { throw StorageError(.storageFailure, "cursor secret missing") }
        let hex = Array(select.string(at: 0).utf8)
        try select.run()
        return stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }

    // MARK: Collections

    public func createCollection(_ name: CollectionName, in placement: Placement) async throws(StorageError) -> CollectionInfo {
        try await createCollection(name, createdAt: .now(), in: placement)
    }

    /// Creates a collection recorded as created at `createdAt` (a migration keeps the source's).
    public func createCollection(_ name: CollectionName, createdAt: Timestamp, in placement: Placement) async throws(StorageError)
        -> CollectionInfo
    {
        if catalog.contains(name, in: placement) {
            throw StorageError(.collectionExists, "collection \"\(name)\" already exists")
        }
        let entry = try await writer.write { connection throws(StorageError) -> Catalog.Entry in
            let exists = try connection.statement("SELECT 1 FROM _aerolith_collections WHERE prefix = ? AND name = ?")
            exists.bind(placement.tablePrefix, at: 1)
            exists.bind(name.rawValue, at: 2)
            if try exists.step() {
                try exists.run()
                throw StorageError(.collectionExists, "collection \"\(name)\" already exists")
            }
            let table = try Catalog.newTableName(prefix: placement.tablePrefix, on: connection)
            let insert = try connection.statement(
                "INSERT INTO _aerolith_collections (table_name, prefix, name, created_at) VALUES (?, ?, ?, ?)"
            )
            insert.bind(table, at: 1)
            insert.bind(placement.tablePrefix, at: 2)
            insert.bind(name.rawValue, at: 3)
            insert.bind(createdAt.milliseconds, at: 4)
            try insert.run()
            try connection.execute(Catalog.documentTableSQL(table))
            connection.counters.recordCreated(table: table)
            return Catalog.Entry(tableName: table, name: name.rawValue, createdAt: createdAt)
        }
        catalog.didCreate(entry, in: placement)
        logger.info("created collection", metadata: ["placement": "\(placement)", "collection": "\(name)", "table": "\(entry.tableName)"])
        return CollectionInfo(name: name.rawValue, createdAt: createdAt, documentCount: 0, sizeBytes: 0)
    }

    public func collections(in placement: Placement) throws(StorageError) -> [CollectionInfo] {
        try readers.read { connection throws(StorageError) in
            let statement = try connection.statement(
                "SELECT name, created_at, table_name FROM _aerolith_collections WHERE prefix = ? ORDER BY name"
            )
            statement.bind(placement.tablePrefix, at: 1)
            var result: [CollectionInfo] = []
            while try statement.step() {
                let totals = counters.counters(of: statement.string(at: 2))
                result.append(
                    CollectionInfo(
                        name: statement.string(at: 0), createdAt: Timestamp(milliseconds: statement.int64(at: 1)),
                        documentCount: totals.documents, sizeBytes: totals.bytes))
            }
            return result
        }
    }

    public func collection(_ name: CollectionName, in placement: Placement) throws(StorageError) -> CollectionInfo {
        let entry = try catalog.entry(name, in: placement)
        let totals = counters.counters(of: entry.tableName)
        return CollectionInfo(name: entry.name, createdAt: entry.createdAt, documentCount: totals.documents, sizeBytes: totals.bytes)
    }

    /// Drops a collection with its documents and indexes. Its table is cleared in the background
    /// in bounded writer turns.
    public func dropCollection(_ name: CollectionName, in placement: Placement) async throws(StorageError) {
        let before = try catalog.entry(name, in: placement)
        let catalog = self.catalog
        do throws(StorageError) {
            try await writer.write { connection throws(StorageError) in
                // Looked up inside the turn: an index build may have moved the collection to a new table.
                let entry = try catalog.entry(name, in: placement)
                guard try Self.dropTable(entry.tableName, on: connection) else {
                    throw StorageError(.collectionNotFound, "collection \"\(name)\" does not exist")
                }
                // Forgotten inside the turn, so no write queued behind this one lands in the retired table.
                catalog.didDrop(entry, in: placement)
            }
        } catch {
            // The commit failed after the entry was forgotten: the collection is still there.
            if !catalog.contains(name, in: placement), error.code != .collectionNotFound { catalog.didCreate(before, in: placement) }
            throw error
        }
        clearRetiredTables()
        logger.info("dropped collection", metadata: ["placement": "\(placement)", "collection": "\(name)"])
    }

    /// Drops a collection's table and catalog rows; false when another drop got there first.
    @discardableResult
    static func dropTable(_ table: String, on connection: WriteTransaction) throws(StorageError) -> Bool {
        let delete = try connection.statement("DELETE FROM _aerolith_collections WHERE table_name = ?")
        delete.bind(table, at: 1)
        try delete.run()
        guard connection.changes == 1 else { return false }
        let indexes = try connection.statement("DELETE FROM _aerolith_indexes WHERE table_name = ?")
        indexes.bind(table, at: 1)
        try indexes.run()
        try IndexBuild.abandon(table, failure: nil, on: connection)
        // Dropped by the retired-table clearer in slices: one DROP TABLE takes time in proportion to its size.
        try IndexBuild.retire(table, on: connection)
        connection.counters.recordDropped(table: table)
        return true
    }

    /// Totals over every collection of `placement`.
    public func usage(in placement: Placement) throws(StorageError) -> StorageUsage {
        let all = try collections(in: placement)
        return StorageUsage(
            collectionCount: all.count, documentCount: all.reduce(0) { $0 + $1.documentCount },
            sizeBytes: all.reduce(0) { $0 + $1.sizeBytes })
    }

    /// Writes every collection's totals back to the catalog, so the next open need not recount.
    /// Call on an orderly shutdown; the store stays usable.
    public func flush() async throws(StorageError) {
        counters.requestFlush()
        try await writer.write { _ throws(StorageError) in }
    }
}
