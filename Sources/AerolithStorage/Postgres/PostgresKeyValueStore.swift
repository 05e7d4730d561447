import Dispatch
import PostgresNIO
import Synchronization

/// Small named byte values in namespaces, in the PostgreSQL store's database
/// (`_aerolith_key_values`): plugin-private state and the kernel's own records.
///
/// Guarantees: each call is one statement, so atomic, and durable when it returns; readers see
/// only committed values; every node sees the same values. Calls are synchronous: they block the
/// calling thread until the pooled client answers (`BlockingWait`), because their callers are C
/// callbacks and the kernel's synchronous registry. Never call them on a NIO event loop, whose
/// threads the answer itself needs.
final class PostgresKeyValueStore: KeyValueStore {
    private let primary: PostgresPrimary
    private let target: PostgresTarget
    private let logger: Logger

    init(primary: PostgresPrimary, target: PostgresTarget, logger: Logger) {
        self.primary = primary
        self.target = target
        self.logger = logger
    }

    func value(namespace: String, key: [UInt8]) throws(StorageError) -> [UInt8]? {
        var select = PostgresStatement()
        select.sql =
            "SELECT value FROM _aerolith_key_values WHERE namespace = \(select.bind(namespace)) AND key = \(select.bind(bytes: key))"
        return try run(select) { rows in try rows.first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) } }
    }

    func put(namespace: String, key: [UInt8], value: [UInt8]) throws(StorageError) {
        var upsert = PostgresStatement()
        upsert.sql = """
            INSERT INTO _aerolith_key_values (namespace, key, value) VALUES (\(upsert.bind(namespace)), \(upsert.bind(bytes: key)), \(upsert.bind(bytes: value)))
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value
            """
        try run(upsert) { _ in () }
    }

    func delete(namespace: String, key: [UInt8]) throws(StorageError) {
        var delete = PostgresStatement()
        delete.sql = "DELETE FROM _aerolith_key_values WHERE namespace = \(delete.bind(namespace)) AND key = \(delete.bind(bytes: key))"
        try run(delete) { _ in () }
    }

    /// Up to `limit` keys of `namespace` that start with `prefix` and sort after `after`
    /// (bytewise: bytea compares as unsigned bytes), ascending.
    func keys(namespace: String, prefix: [UInt8], after: [UInt8], limit: Int) throws(StorageError) -> [[UInt8]] {
        var select = PostgresStatement()
        let prefixBound = select.bind(bytes: prefix)
        select.sql = """
            SELECT key FROM _aerolith_key_values
            WHERE namespace = \(select.bind(namespace)) AND key > \(select.bind(bytes: after)) AND key >= \(prefixBound)
              AND substring(key FROM 1 FOR \(select.bind(Int64(prefix.count)))::int) = \(prefixBound)
            ORDER BY key LIMIT \(select.bind(Int64(max(0, limit))))
            """
        return try run(select) { rows in try rows.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) } }
    }

    /// Every (key, value) of `namespace`, for the small namespaces the kernel keeps.
    func entries(namespace: String) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        var select = PostgresStatement()
        select.sql = "SELECT key, value FROM _aerolith_key_values WHERE namespace = \(select.bind(namespace)) ORDER BY key"
        return try run(select) { rows in
            try rows.map { row in
                let (key, value) = try row.decode((ByteBuffer, ByteBuffer).self)
                return (key: Array(key.readableBytesView), value: Array(value.readableBytesView))
            }
        }
    }

    /// Runs `statement` on the pool and waits for its rows on the calling thread.
    private func run<T: Sendable>(_ statement: PostgresStatement, _ decode: @escaping @Sendable ([PostgresRow]) throws -> T)
        throws(StorageError)
        -> T
    {
        let primary = self.primary
        let logger = self.logger
        let target = "\(self.target)"
        return try BlockingWait.run { () throws(StorageError) -> T in
            do {
                return try decode(
                    try await primary.withConnection { try await $0.query(statement.query, logger: logger).collect() })
            } catch {
                throw PostgresErrors.map(error, target: target)
            }
        }
    }
}
