import Synchronization

/// Exact document counts and sizes of every collection, kept in memory and persisted lazily.
///
/// Guarantees: `counters(of:)` returns the totals of committed data exactly. Writers record
/// deltas inside their transaction; the deltas take effect when the transaction commits and
/// vanish when it (or the write's savepoint) rolls back. Persisting every delta would cost a
/// page write per commit, so instead the first write to a collection after a flush marks its
/// catalog row dirty in the same transaction, and the totals are written back at most every
/// `StorageLimits.counterFlushIntervalMilliseconds`. On open, a dirty row (the process stopped
/// before its flush) is recounted from the table itself, so a crash can never leave a count wrong.
///
/// Threading: the recording and transaction methods are called only by the group-commit leader;
/// `counters(of:)` may be called from any thread.
final class CounterLedger: Sendable {
    struct Counters: Sendable, Equatable {
        var documents: Int64 = 0
        var bytes: Int64 = 0

        mutating func add(_ other: Counters) {
            documents += other.documents
            bytes += other.bytes
        }
    }

    /// Changes made by a unit of work (one write, or the writes committed so far in a transaction).
    private struct Changes {
        var deltas: [String: Counters] = [:]
        var markedDirty: Set<String> = []
        var created: Set<String> = []
        var dropped: Set<String> = []
        /// Old table → the table that now holds the same collection (an index build's switch).
        var replaced: [String: String] = [:]

        var isEmpty: Bool { deltas.isEmpty && markedDirty.isEmpty && created.isEmpty && dropped.isEmpty && replaced.isEmpty }

        mutating func merge(_ other: Changes) {
            for (table, delta) in other.deltas { deltas[table, default: Counters()].add(delta) }
            markedDirty.formUnion(other.markedDirty)
            created.formUnion(other.created)
            dropped.formUnion(other.dropped)
            replaced.merge(other.replaced) { _, new in new }
        }
    }

    private struct State {
        var committed: [String: Counters] = [:]
        /// Tables whose catalog row holds exact totals (`counters_dirty = 0`).
        var persistedClean: Set<String> = []
        var transaction = Changes()
        var job = Changes()
        var lastFlush = ContinuousClock.now
        var flushRequested = false
    }

    private let state = Mutex(State())

    func counters(of table: String) -> Counters {
        state.withLock { $0.committed[table] ?? Counters() }
    }

    // MARK: Recording, inside a write transaction

    func record(table: String, documents: Int64, bytes: Int64, on connection: SQLiteConnection) throws(StorageError) {
        let needsMark = state.withLock { state in
            state.persistedClean.contains(table) && !state.transaction.markedDirty.contains(table) && !state.job.markedDirty.contains(table)
        }
        if needsMark {
            let mark = try connection.statement("UPDATE _aerolith_collections SET counters_dirty = 1 WHERE table_name = ?")
            mark.bind(table, at: 1)
            try mark.run()
        }
        state.withLock { state in
            if needsMark { state.job.markedDirty.insert(table) }
            state.job.deltas[table, default: Counters()].add(Counters(documents: documents, bytes: bytes))
        }
    }

    func recordCreated(table: String) { state.withLock { _ = $0.job.created.insert(table) } }
    func recordDropped(table: String) { state.withLock { _ = $0.job.dropped.insert(table) } }
    /// The collection in `old` now lives in `new` with the same documents; the caller marks its
    /// catalog row dirty, so a crash before the next flush recounts it.
    func recordReplaced(table old: String, with new: String) { state.withLock { $0.job.replaced[old] = new } }

    // MARK: Transaction lifecycle, driven by GroupCommitWriter

    func jobSucceeded() {
        state.withLock { state in
            state.transaction.merge(state.job)
            state.job = Changes()
        }
    }

    func jobFailed() { state.withLock { $0.job = Changes() } }

    func transactionCommitted() {
        state.withLock { state in
            let changes = state.transaction
            state.transaction = Changes()
            guard !changes.isEmpty else { return }
            for (old, new) in changes.replaced {
                state.committed[new] = state.committed.removeValue(forKey: old) ?? Counters()
                state.persistedClean.remove(old)
                state.persistedClean.remove(new)
            }
            for table in changes.created {
                state.committed[table] = Counters()
                state.persistedClean.insert(table)
            }
            state.persistedClean.subtract(changes.markedDirty)
            for (recorded, delta) in changes.deltas {
                // Writes made before a switch in the same transaction count for the new table.
                let table = changes.replaced[recorded] ?? recorded
                guard state.committed[table] != nil, !changes.dropped.contains(table) else { continue }
                state.committed[table]?.add(delta)
            }
            for table in changes.dropped {
                state.committed.removeValue(forKey: table)
                state.persistedClean.remove(table)
            }
        }
    }

    func transactionRolledBack() {
        state.withLock { state in
            state.transaction = Changes()
            state.job = Changes()
        }
    }

    // MARK: Persistence

    /// Whether the totals of some collection are only in memory and the last flush is old enough.
    func flushDue() -> Bool {
        state.withLock { state in
            state.committed.count != state.persistedClean.count
                && (state.flushRequested
                    || ContinuousClock.now - state.lastFlush >= .milliseconds(StorageLimits.counterFlushIntervalMilliseconds))
        }
    }

    /// Makes the next `flushDue` true regardless of the interval (for an orderly shutdown).
    func requestFlush() { state.withLock { $0.flushRequested = true } }

    /// Writes every in-memory-only total back and clears its dirty mark, in its own transaction.
    func flush(on connection: SQLiteConnection) throws(StorageError) {
        let pending = state.withLock { state in
            state.lastFlush = .now
            state.flushRequested = false
            return state.committed.filter { !state.persistedClean.contains($0.key) }
        }
        guard !pending.isEmpty else { return }
        try connection.statement("BEGIN IMMEDIATE").run()
        do throws(StorageError) {
            for (table, counters) in pending {
                try Self.store(counters, table: table, on: connection)
            }
            try connection.statement("COMMIT").run()
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
        state.withLock { $0.persistedClean.formUnion(pending.keys) }
    }

    /// Loads every collection's totals, recounting those a stopped process left dirty.
    func load(from connection: SQLiteConnection) throws(StorageError) {
        let select = try connection.statement("SELECT table_name, document_count, size_bytes, counters_dirty FROM _aerolith_collections")
        var committed: [String: Counters] = [:]
        var dirty: [String] = []
        while try select.step() {
            let table = select.string(at: 0)
            committed[table] = Counters(documents: select.int64(at: 1), bytes: select.int64(at: 2))
            if select.int64(at: 3) != 0 { dirty.append(table) }
        }
        for table in dirty {
            let count = try connection.statement(
                "SELECT count(*), coalesce(sum(length(CAST(id AS BLOB)) + length(CAST(body AS BLOB)) + \(Document.rowOverheadBytes)), 0) FROM \"\(table)\""
            )
            guard try count.step() else { continue }
            let recounted = Counters(documents: count.int64(at: 0), bytes: count.int64(at: 1))
            try count.run()
            try Self.store(recounted, table: table, on: connection)
            committed[table] = recounted
        }
        state.withLock { state in
            state.committed = committed
            state.persistedClean = Set(committed.keys)
        }
    }

    private static func store(_ counters: Counters, table: String, on connection: SQLiteConnection) throws(StorageError) {
        let update = try connection.statement(
            "UPDATE _aerolith_collections SET document_count = ?, size_bytes = ?, counters_dirty = 0 WHERE table_name = ?"
        )
        update.bind(counters.documents, at: 1)
        update.bind(counters.bytes, at: 2)
        update.bind(table, at: 3)
        try update.run()
    }
}
