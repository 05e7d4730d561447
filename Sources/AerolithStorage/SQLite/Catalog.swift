import Synchronization

/// The in-memory map from (placement, collection name) to table name, mirroring the
/// `_aerolith_collections` table. Writers update the table inside their transaction and this map
/// right after the commit, so a reader may briefly miss a just-created collection but never sees
/// one that was not committed.
final class Catalog: Sendable {
    struct Entry: Sendable {
        let tableName: String
        let name: String
        let createdAt: Timestamp
        /// The point read of one document, prepared once per table (the hottest statement).
        let selectByIDSQL: String

        init(tableName: String, name: String, createdAt: Timestamp) {
            self.tableName = tableName
            self.name = name
            self.createdAt = createdAt
            selectByIDSQL = "SELECT body, version, created_at, updated_at FROM \"\(tableName)\" WHERE id = ?"
        }
    }

    private struct Key: Hashable {
        let prefix: String
        let name: String
    }

    private let entries = Mutex<[Key: Entry]>([:])

    static let schemaSQL = """
        CREATE TABLE IF NOT EXISTS _aerolith_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS _aerolith_collections (
            table_name TEXT PRIMARY KEY,
            prefix TEXT NOT NULL,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            document_count INTEGER NOT NULL DEFAULT 0,
            size_bytes INTEGER NOT NULL DEFAULT 0,
            counters_dirty INTEGER NOT NULL DEFAULT 0,
            UNIQUE (prefix, name)
        );
        CREATE TABLE IF NOT EXISTS _aerolith_indexes (
            table_name TEXT NOT NULL,
            name TEXT NOT NULL,
            paths TEXT NOT NULL,
            is_unique INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'ready',
            failure TEXT,
            PRIMARY KEY (table_name, name)
        );
        CREATE TABLE IF NOT EXISTS _aerolith_index_builds (
            table_name TEXT PRIMARY KEY,
            shadow_table TEXT NOT NULL,
            index_name TEXT NOT NULL,
            copied_through INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS _aerolith_retired_tables (table_name TEXT PRIMARY KEY, retired_at INTEGER NOT NULL);
        """

    /// The table holding one collection's documents.
    static func documentTableSQL(_ table: String) -> String {
        """
        CREATE TABLE "\(table)" (
            rid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        )
        """
    }

    private static func key(_ prefix: String, _ name: String) -> Key { Key(prefix: prefix, name: name) }

    func load(from connection: SQLiteConnection) throws(StorageError) {
        let statement = try connection.statement("SELECT table_name, prefix, name, created_at FROM _aerolith_collections")
        var loaded: [Key: Entry] = [:]
        while try statement.step() {
            let entry = Entry(
                tableName: statement.string(at: 0), name: statement.string(at: 2),
                createdAt: Timestamp(milliseconds: statement.int64(at: 3)))
            loaded[Self.key(statement.string(at: 1), entry.name)] = entry
        }
        entries.withLock { $0 = loaded }
    }

    func entry(_ name: CollectionName, in placement: Placement) throws(StorageError) -> Entry {
        guard let entry = entries.withLock({ $0[Self.key(placement.tablePrefix, name.rawValue)] }) else {
            throw StorageError(.collectionNotFound, "collection \"\(name)\" does not exist")
        }
        return entry
    }

    func contains(_ name: CollectionName, in placement: Placement) -> Bool {
        entries.withLock { $0[Self.key(placement.tablePrefix, name.rawValue)] != nil }
    }

    func didCreate(_ entry: Entry, in placement: Placement) {
        entries.withLock { $0[Self.key(placement.tablePrefix, entry.name)] = entry }
    }

    /// Points the collection held in table `old` at table `new` (an index build's rebuilt table),
    /// its other properties unchanged. Called inside the write transaction that makes the switch,
    /// so every later write job already sees the new table.
    func didReplaceTable(_ old: String, with new: String) {
        entries.withLock { entries in
            guard let found = entries.first(where: { $0.value.tableName == old }) else { return }
            entries[found.key] = Entry(tableName: new, name: found.value.name, createdAt: found.value.createdAt)
        }
    }

    /// Forgets `entry` unless the name now maps to a newer table (a re-created collection).
    func didDrop(_ entry: Entry, in placement: Placement) {
        entries.withLock { entries in
            let key = Self.key(placement.tablePrefix, entry.name)
            if entries[key]?.tableName == entry.tableName { entries.removeValue(forKey: key) }
        }
    }

    // MARK: Statements run inside a write transaction

    /// A table name never used before in this database: the placement's prefix and a number
    /// from a counter kept in `_aerolith_meta`.
    static func newTableName(prefix: String, on connection: WriteTransaction) throws(StorageError) -> String {
        let next = try connection.statement(
            "INSERT INTO _aerolith_meta (key, value) VALUES ('next_table_number', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value"
        )
        guard try next.step() else { throw StorageError(.storageFailure, "table counter returned no value") }
        let number = next.int64(at: 0)
        try next.run()
        return "\(prefix)_c\(number)"
    }
}
