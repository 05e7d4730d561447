import PostgresNIO

/// `MigratableStore` on PostgreSQL: pages by id on the `id` index (`COLLATE "C"`, bytes, as on
/// SQLite); a page imported in one statement over `unnest`ed arrays, keeping the row ids
/// (`OVERRIDING SYSTEM VALUE`, then the identity moved past them) and recording the count change
/// in the same transaction.
extension PostgresDocumentStore: MigratableStore {
    public func migrationPlacements() async throws(StorageError) -> [Placement] {
        let select = PostgresStatement("SELECT DISTINCT prefix COLLATE \"C\" FROM _aerolith_collections ORDER BY 1")
        let prefixes = try await withConnection { connection in
            try await self.rows(select, on: connection).map { try $0.decode(String.self) }
        }
        var placements: [Placement] = []
        for prefix in prefixes { placements.append(try Placement(tablePrefix: prefix)) }
        return placements
    }

    public func exportDocuments(of collection: CollectionName, in placement: Placement, after: String?, limit: Int)
        async throws(StorageError)
        -> [RawDocument]
    {
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            var select = PostgresStatement()
            // Every id is at least one byte, so "" sorts before the first.
            select.sql = """
                SELECT rid, id, version, created_at, updated_at, body_text FROM "\(entry.tableName)"
                WHERE id > \(select.bind(after ?? "")) ORDER BY id LIMIT \(select.bind(Int64(limit)))
                """
            let statement = select
            return try await withConnection { connection in
                try await self.rows(statement, on: connection).map { row in
                    let (rowID, id, version, createdAt, updatedAt, body) = try row.decode((Int64, String, Int64, Int64, Int64, String).self)
                    return RawDocument(
                        rowID: rowID, id: id, version: version, createdAt: Timestamp(milliseconds: createdAt),
                        updatedAt: Timestamp(milliseconds: updatedAt), body: body)
                }
            }
        }
    }

    public func importDocuments(_ documents: [RawDocument], into collection: CollectionName, in placement: Placement)
        async throws(StorageError)
    {
        guard !documents.isEmpty else { return }
        let logger = self.logger
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            let table = entry.tableName
            var upsert = PostgresStatement()
            let input = [
                upsert.bind(integers: documents.map(\.rowID)), upsert.bind(texts: documents.map(\.id)),
                upsert.bind(integers: documents.map(\.version)), upsert.bind(integers: documents.map(\.createdAt.milliseconds)),
                upsert.bind(integers: documents.map(\.updatedAt.milliseconds)), upsert.bind(texts: documents.map(\.body)),
                upsert.bind(integers: documents.map(\.sizeBytes)),
            ].joined(separator: ", ")
            // Every CTE sees the table as it was before the statement: `old` holds the rows replaced.
            upsert.sql = """
                WITH input AS (
                    SELECT * FROM unnest(\(input)) AS i(rid, id, version, created_at, updated_at, body_text, size_bytes)
                ), old AS (
                    SELECT t.size_bytes FROM "\(table)" t WHERE t.id IN (SELECT id FROM input)
                ), written AS (
                    INSERT INTO "\(table)" (rid, id, body, body_text, version, created_at, updated_at, size_bytes) OVERRIDING SYSTEM VALUE
                    SELECT rid, id, body_text::jsonb, body_text, version, created_at, updated_at, size_bytes FROM input
                    ON CONFLICT (id) DO UPDATE SET body = excluded.body, body_text = excluded.body_text, version = excluded.version,
                        created_at = excluded.created_at, updated_at = excluded.updated_at, size_bytes = excluded.size_bytes
                    RETURNING size_bytes
                )
                SELECT ((SELECT count(*) FROM written) - (SELECT count(*) FROM old))::bigint,
                       ((SELECT coalesce(sum(size_bytes), 0) FROM written) - (SELECT coalesce(sum(size_bytes), 0) FROM old))::bigint
                """
            var identity = PostgresStatement()
            identity.sql =
                "SELECT setval(pg_get_serial_sequence(\(identity.bind("\"\(table)\"")), 'rid'), (SELECT max(rid) FROM \"\(table)\"))"
            let (upsertStatement, identityStatement) = (upsert, identity)
            try await transaction { connection in
                guard let row = try await self.rows(upsertStatement, on: connection).first else {
                    throw StorageError(.storageFailure, "the import of a page answered no row")
                }
                let (documentsDelta, bytesDelta) = try row.decode((Int64, Int64).self)
                // Later inserts through the store get row ids after the imported ones.
                try await self.rows(identityStatement, on: connection)
                var delta = PostgresCounters.Delta()
                delta.add(documents: documentsDelta, bytes: bytesDelta)
                try await PostgresCounters.record(delta, table: table, on: connection, logger: logger)
            }
        }
    }

    public func keyValueNamespaces() async throws(StorageError) -> [String] {
        let select = PostgresStatement("SELECT DISTINCT namespace COLLATE \"C\" FROM _aerolith_key_values ORDER BY 1")
        return try await withConnection { connection in
            try await self.rows(select, on: connection).map { try $0.decode(String.self) }
        }
    }

    public func exportKeyValues(namespace: String, after: [UInt8]?, limit: Int) async throws(StorageError) -> [KeyValueEntry] {
        var select = PostgresStatement()
        let namespaceBound = select.bind(namespace)
        let afterCondition = after.map { " AND key > \(select.bind(bytes: $0))" } ?? ""
        select.sql = """
            SELECT key, value FROM _aerolith_key_values WHERE namespace = \(namespaceBound)\(afterCondition)
            ORDER BY key LIMIT \(select.bind(Int64(limit)))
            """
        let statement = select
        return try await withConnection { connection in
            try await self.rows(statement, on: connection).map { row in
                let (key, value) = try row.decode((ByteBuffer, ByteBuffer).self)
                return KeyValueEntry(key: Array(key.readableBytesView), value: Array(value.readableBytesView))
            }
        }
    }

    public func importKeyValues(_ entries: [KeyValueEntry], namespace: String) async throws(StorageError) {
        guard !entries.isEmpty else { return }
        let statements = entries.map { entry in
            var upsert = PostgresStatement()
            upsert.sql = """
                INSERT INTO _aerolith_key_values (namespace, key, value)
                VALUES (\(upsert.bind(namespace)), \(upsert.bind(bytes: entry.key)), \(upsert.bind(bytes: entry.value)))
                ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value
                """
            return upsert
        }
        try await transaction { connection in
            for statement in statements { try await self.rows(statement, on: connection) }
        }
    }
}
