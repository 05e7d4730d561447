import CSQLite

/// One connection to a SQLite database file, with a cache of prepared statements.
///
/// A connection is confined: it is used by one thread at a time, which the owner guarantees
/// (`ReaderPool` hands a reader to one caller at a time; only the group-commit leader touches the
/// writer). It is opened with `SQLITE_OPEN_NOMUTEX` for that reason.
final class SQLiteConnection: @unchecked Sendable {
    // @unchecked: confinement above is enforced by ReaderPool / GroupCommitWriter, not by types.
    let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    /// Statements stepped to a row since the last `resetActiveStatements`.
    private var activated: [SQLiteStatement] = []
    /// Stops a query that spends its budget (see `withBudget`).
    let meter = QueryMeter()

    enum Mode { case readWrite, readOnly }

    /// SQLite's durability setting for commits in WAL mode. `normal` survives a crash of the
    /// process (every acknowledged commit is in the WAL in the OS page cache); `full` also
    /// survives power loss by syncing the WAL on every commit.
    enum Synchronous: String {
        case normal = "NORMAL"
        case full = "FULL"
    }

    /// Configured once, before the process's first connection (see the shim).
    private static let configured: Bool = aerolith_sqlite_disable_memory_statistics() == SQLITE_OK

    init(path: String, mode: Mode, synchronous: Synchronous) throws(StorageError) {
        _ = Self.configured
        var pointer: OpaquePointer?
        let flags: Int32 =
            switch mode {
            case .readWrite: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            case .readOnly: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            }
        if mode == .readWrite { try DatabaseFileMode.prepare(path) }
        let status = sqlite3_open_v2(path, &pointer, flags, nil)
        guard status == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(pointer)
            throw StorageError(.storageFailure, "cannot open \(path): \(message)")
        }
        handle = pointer
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, StorageLimits.busyTimeoutMilliseconds)
        if mode == .readWrite {
            try execute("PRAGMA journal_mode=WAL")
        }
        try execute("PRAGMA synchronous=\(synchronous.rawValue)")
        meter.install(on: handle)
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        sqlite3_close_v2(handle)
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs one or more SQL statements that return no rows of interest.
    func execute(_ sql: String) throws(StorageError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard status == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteConnection.error(status: status, message: message)
        }
    }

    /// A prepared statement for `sql`, reset and with its bindings cleared, from the cache.
    func statement(_ sql: String) throws(StorageError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var pointer: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard status == SQLITE_OK, let pointer else {
            throw SQLiteConnection.error(status: status, message: lastErrorMessage)
        }
        if statements.count >= StorageLimits.statementCacheEntriesMax, let victim = statements.first {
            victim.value.finalize()
            statements.removeValue(forKey: victim.key)
        }
        let statement = SQLiteStatement(pointer, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` with a statement that is prepared now and finalized after. For `EXPLAIN`,
    /// whose output is fixed at prepare time: SQLite never re-prepares it after a schema change.
    func withUncachedStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws(StorageError) -> T) throws(StorageError) -> T {
        var pointer: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
        guard status == SQLITE_OK, let pointer else {
            throw SQLiteConnection.error(status: status, message: lastErrorMessage)
        }
        let statement = SQLiteStatement(pointer, connection: self)
        defer { statement.finalize() }
        return try body(statement)
    }

    func didActivate(_ statement: SQLiteStatement) { activated.append(statement) }

    /// Runs `body`, which steps `statement`, under `budget`: past it, the step in progress
    /// throws `query_timeout` and the statement is stopped.
    func withBudget<T>(_ budget: QueryBudget, statement: SQLiteStatement, _ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        meter.begin(budget, statement: statement.handle)
        defer { meter.end() }
        return try body()
    }

    /// Resets every statement left part-way through its rows. A statement that is not reset
    /// keeps its read transaction open, pinning the connection to an old snapshot and holding
    /// back WAL checkpoints; pools call this whenever a connection is handed back.
    func resetActiveStatements() {
        for statement in activated where statement.isActive { statement.reset() }
        activated.removeAll(keepingCapacity: true)
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    /// True outside an explicit transaction (also after SQLite rolled one back by itself).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    static func error(status: Int32, message: String) -> StorageError {
        if status & 0xFF == SQLITE_CONSTRAINT {
            // SQLite names its internal index; say what it means for the caller instead.
            var detail = "another document already has this value in a unique index"
            if let range = message.range(of: "_ix_") {
                let name = message[range.upperBound...].prefix { $0 != "'" }
                detail += " (\"\(name)\")"
            }
            return StorageError(.uniqueViolation, detail)
        }
        // A statement racing a concurrent drop of its collection's table.
        if message.hasPrefix("no such table") {
            return StorageError(.collectionNotFound, "the collection no longer exists")
        }
        return StorageError(.storageFailure, "SQLite error \(status): \(message)")
    }
}
