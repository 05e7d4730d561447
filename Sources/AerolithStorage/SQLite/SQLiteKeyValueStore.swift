import Synchronization

/// Small named byte values in namespaces, stored in the store's database file: the home of
/// plugin-private state and of the kernel's own records (which plugins are enabled, and for
/// which tenants).
///
/// Guarantees: each call is atomic and durable when it returns (one transaction, the store's
/// durability setting); readers see only committed values. Calls are synchronous and block on
/// storage, because their callers are C callbacks on arbitrary threads. They use a connection
/// of their own, so they never wait behind — or hold up — the document writer's queue; SQLite's
/// lock orders the two writers, with the busy timeout absorbing the wait.
public final class SQLiteKeyValueStore: KeyValueStore {
    private let connection: Mutex<SQLiteConnection>

    static let schemaSQL = """
        CREATE TABLE IF NOT EXISTS _aerolith_key_values (
            namespace TEXT NOT NULL,
            key BLOB NOT NULL,
            value BLOB NOT NULL,
            PRIMARY KEY (namespace, key)
        ) WITHOUT ROWID;
        """

    init(path: String, synchronous: SQLiteConnection.Synchronous) throws(StorageError) {
        let connection = try SQLiteConnection(path: path, mode: .readWrite, synchronous: synchronous)
        try connection.execute(Self.schemaSQL)
        self.connection = Mutex(connection)
    }

    public func value(namespace: String, key: [UInt8]) throws(StorageError) -> [UInt8]? {
        try withConnection { connection throws(StorageError) in
            let select = try connection.statement("SELECT value FROM _aerolith_key_values WHERE namespace = ? AND key = ?")
            select.bind(namespace, at: 1)
            select.bind(blob: key, at: 2)
            defer { select.reset() }
            guard try select.step() else { return nil }
            return select.bytes(at: 0)
        }
    }

    public func put(namespace: String, key: [UInt8], value: [UInt8]) throws(StorageError) {
        try withConnection { connection throws(StorageError) in
            let upsert = try connection.statement("INSERT OR REPLACE INTO _aerolith_key_values (namespace, key, value) VALUES (?, ?, ?)")
            upsert.bind(namespace, at: 1)
            upsert.bind(blob: key, at: 2)
            upsert.bind(blob: value, at: 3)
            try upsert.run()
            upsert.reset()
        }
    }

    public func delete(namespace: String, key: [UInt8]) throws(StorageError) {
        try withConnection { connection throws(StorageError) in
            let delete = try connection.statement("DELETE FROM _aerolith_key_values WHERE namespace = ? AND key = ?")
            delete.bind(namespace, at: 1)
            delete.bind(blob: key, at: 2)
            try delete.run()
            delete.reset()
        }
    }

    /// Up to `limit` keys of `namespace` that start with `prefix` and sort after `after`
    /// (bytewise), ascending.
    public func keys(namespace: String, prefix: [UInt8], after: [UInt8], limit: Int) throws(StorageError) -> [[UInt8]] {
        try withConnection { connection throws(StorageError) in
            // BLOBs compare with memcmp: [prefix, prefix + 0xFF...) bounds the keys with the prefix.
            let select = try connection.statement(
                """
                SELECT key FROM _aerolith_key_values WHERE namespace = ? AND key > ? AND key >= ?
                ORDER BY key LIMIT ?
                """)
            select.bind(namespace, at: 1)
            select.bind(blob: after, at: 2)
            select.bind(blob: prefix, at: 3)
            select.bind(Int64(limit), at: 4)
            defer { select.reset() }
            var keys: [[UInt8]] = []
            while try select.step() {
                let key = select.bytes(at: 0)
                guard key.starts(with: prefix) else { break }
                keys.append(key)
            }
            return keys
        }
    }

    /// Every (key, value) of `namespace`, for the small namespaces the kernel keeps.
    public func entries(namespace: String) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try withConnection { connection throws(StorageError) in
            let select = try connection.statement("SELECT key, value FROM _aerolith_key_values WHERE namespace = ? ORDER BY key")
            select.bind(namespace, at: 1)
            defer { select.reset() }
            var entries: [(key: [UInt8], value: [UInt8])] = []
            while try select.step() { entries.append((select.bytes(at: 0), select.bytes(at: 1))) }
            return entries
        }
    }

    func withConnection<T>(_ body: (SQLiteConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        try connection.withLock { connection throws(StorageError) in
            do throws(StorageError) {
                return try body(connection)
            } catch {
                connection.resetActiveStatements()
                throw error
            }
        }
    }
}
