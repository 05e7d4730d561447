import PostgresNIO
import Synchronization

/// The store's catalog tables and the shape of a collection's table, created idempotently.
///
/// Several nodes may start at once against one database: the schema is created inside one
/// transaction holding `pg_advisory_xact_lock(schemaLockKey)`, so they take turns and every
/// `CREATE ... IF NOT EXISTS` after the first finds the object there.
enum PostgresSchema {
    /// Advisory lock keys of the store ("Aerolith" in ASCII, then a number per purpose).
    static let schemaLockKey: Int64 = 0x4165_726F_6C69_7400
    static let counterFoldLockKey: Int64 = 0x4165_726F_6C69_7401

    /// The oldest server the store runs on (`server_version_num`).
    static let serverVersionNumberMin = 150_000

    static let catalogStatements = [
        "CREATE TABLE IF NOT EXISTS _aerolith_meta (key text PRIMARY KEY, value bytea NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS _aerolith_collections (
            table_name text PRIMARY KEY,
            prefix text NOT NULL,
            name text COLLATE "C" NOT NULL,
            created_at bigint NOT NULL,
            document_count bigint NOT NULL DEFAULT 0,
            size_bytes bigint NOT NULL DEFAULT 0,
            UNIQUE (prefix, name)
        )
        """,
        // Count changes, one row per write transaction, summed into the collection's row by
        // `PostgresCounters.fold`: writers never wait on each other for one counter row.
        """
        CREATE TABLE IF NOT EXISTS _aerolith_counter_deltas (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            table_name text NOT NULL,
            documents bigint NOT NULL,
            bytes bigint NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS _aerolith_counter_deltas_table ON _aerolith_counter_deltas (table_name)",
        """
        CREATE TABLE IF NOT EXISTS _aerolith_indexes (
            table_name text NOT NULL,
            name text NOT NULL,
            sql_name text NOT NULL UNIQUE,
            paths text NOT NULL,
            is_unique boolean NOT NULL,
            created_at bigint NOT NULL,
            state text NOT NULL,
            failure text,
            PRIMARY KEY (table_name, name)
        )
        """,
        // Index names ignore case, as SQLite's do.
        "CREATE UNIQUE INDEX IF NOT EXISTS _aerolith_indexes_name_nocase ON _aerolith_indexes (table_name, lower(name))",
        """
        CREATE TABLE IF NOT EXISTS _aerolith_key_values (
            namespace text NOT NULL,
            key bytea NOT NULL,
            value bytea NOT NULL,
            PRIMARY KEY (namespace, key)
        )
        """,
        // Leases for work done by one node at a time (`PostgresCoordination.holdLease`).
        """
        CREATE TABLE IF NOT EXISTS _aerolith_leases (
            name text PRIMARY KEY,
            holder text NOT NULL,
            expires_at timestamptz NOT NULL
        )
        """,
        // Numbers for table and index names: names are never derived from user input.
        "CREATE SEQUENCE IF NOT EXISTS _aerolith_object_numbers",
    ]

    /// One collection's documents. `body_text` is the document exactly as the SQLite store
    /// returns it; `body` is the same document as jsonb, which filters and indexes read.
    /// `size_bytes` is what the document counts against quotas (`Document.storedSizeBytes`).
    static func documentTableSQL(_ table: String) -> String {
        """
        CREATE TABLE "\(table)" (
            rid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text COLLATE "C" NOT NULL UNIQUE,
            body jsonb NOT NULL,
            body_text text NOT NULL,
            version bigint NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            size_bytes bigint NOT NULL
        )
        """
    }

    /// Creates every catalog table, under the schema lock; checks the server version first.
    static func create(on connection: PostgresConnection, target: PostgresTarget, logger: Logger) async throws {
        let versionRows = try await connection.query("SELECT current_setting('server_version_num')::int", logger: logger).collect()
        let version = try versionRows.first?.decode(Int.self) ?? 0
        guard version >= serverVersionNumberMin else {
            throw StorageError(
                .storageFailure,
                "PostgreSQL at \(target) is version \(version / 10_000).\(version % 10_000); Aerolith needs PostgreSQL 15 or later")
        }
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(schemaLockKey))", logger: logger)
            for statement in catalogStatements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The cursor-signing secret shared by every node: made once, then read.
    static func cursorSecret(on connection: PostgresConnection, logger: Logger) async throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var insert = PostgresStatement()
        insert.sql = "INSERT INTO _aerolith_meta (key, value) VALUES ('cursor_secret', \(insert.bind(bytes: fresh))) ON CONFLICT DO NOTHING"
        try await connection.query(insert.query, logger: logger)
        let rows = try await connection.query("SELECT value FROM _aerolith_meta WHERE key = 'cursor_secret'", logger: logger).collect()
        guard let buffer = try rows.first?.decode(ByteBuffer.self) else {
            throw StorageError(.storageFailure, "cursor secret missing")
        }
        return Array(buffer.readableBytesView)
    }

    /// Longest identifier PostgreSQL keeps whole (NAMEDATALEN - 1), in bytes.
    static let identifierLengthBytesMax = 63

    /// A name never used before for an index of `table`: `<table>_ix_<index>_<n>`, as on SQLite
    /// (so a plan names the index a user made), or `<table>_i<n>` when that would be too long.
    static func newIndexName(table: String, index: String, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let numbered = try await newObjectName("\(table)_i", on: connection, logger: logger)
        let number = numbered.dropFirst(table.count + 2)
        let readable = "\(table)_ix_\(index.lowercased())_\(number)"
        return readable.utf8.count <= identifierLengthBytesMax ? readable : numbered
    }

    /// A name never used before in this database, for a table or an index.
    static func newObjectName(_ prefix: String, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await connection.query("SELECT nextval('_aerolith_object_numbers')", logger: logger).collect()
        return "\(prefix)\(try rows.first?.decode(Int64.self) ?? 0)"
    }
}

/// This node's map from (placement, collection name) to table. A miss is looked up in
/// `_aerolith_collections`; an entry made stale by another node (the table was dropped) fails
/// with `undefined_table`, is forgotten, and the operation looks the name up again.
final class PostgresCatalog: Sendable {
    struct Entry: Sendable, Equatable {
        let tableName: String
        let name: String
        let createdAt: Timestamp
    }

    private struct Key: Hashable {
        let prefix: String
        let name: String
    }

    private let entries = Mutex<[Key: Entry]>([:])

    func cached(_ name: CollectionName, in placement: Placement) -> Entry? {
        entries.withLock { $0[Key(prefix: placement.tablePrefix, name: name.rawValue)] }
    }

    func remember(_ entry: Entry, in placement: Placement) {
        entries.withLock { $0[Key(prefix: placement.tablePrefix, name: entry.name)] = entry }
    }

    func forget(_ name: CollectionName, in placement: Placement) {
        entries.withLock { _ = $0.removeValue(forKey: Key(prefix: placement.tablePrefix, name: name.rawValue)) }
    }
}
