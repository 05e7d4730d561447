/// `MigratableStore` on SQLite: pages read on the reader pool, imports through the group-commit
/// writer (one transaction per page, counters in the same transaction), key values on the
/// key-value store's own connection.
extension SQLiteDocumentStore: MigratableStore {
    public func migrationPlacements() async throws(StorageError) -> [Placement] {
        let prefixes = try readers.read { connection throws(StorageError) -> [String] in
            let select = try connection.statement("SELECT DISTINCT prefix FROM _aerolith_collections ORDER BY prefix")
            var prefixes: [String] = []
            while try select.step() { prefixes.append(select.string(at: 0)) }
            return prefixes
        }
        var placements: [Placement] = []
        for prefix in prefixes { placements.append(try Placement(tablePrefix: prefix)) }
        return placements
    }

    public func exportDocuments(of collection: CollectionName, in placement: Placement, after: String?, limit: Int)
        async throws(StorageError)
        -> [RawDocument]
    {
        let table = try catalog.entry(collection, in: placement).tableName
        return try readers.read { connection throws(StorageError) in
            // Every id is at least one byte, so "" sorts before the first.
            let select = try connection.statement(
                "SELECT rid, id, version, created_at, updated_at, body FROM \"\(table)\" WHERE id > ? ORDER BY id LIMIT ?")
            select.bind(after ?? "", at: 1)
            select.bind(Int64(limit), at: 2)
            var page: [RawDocument] = []
            while try select.step() {
                page.append(
                    RawDocument(
                        rowID: select.int64(at: 0), id: select.string(at: 1), version: select.int64(at: 2),
                        createdAt: Timestamp(milliseconds: select.int64(at: 3)), updatedAt: Timestamp(milliseconds: select.int64(at: 4)),
                        body: select.string(at: 5)))
            }
            return page
        }
    }

    public func importDocuments(_ documents: [RawDocument], into collection: CollectionName, in placement: Placement)
        async throws(StorageError)
    {
        guard !documents.isEmpty else { return }
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        try await writer.write { connection throws(StorageError) in
            let table = try catalog.entry(collection, in: placement).tableName
            var documentsDelta: Int64 = 0
            var bytesDelta: Int64 = 0
            for document in documents {
                if let current = try DocumentWrites.current(document.id, table: table, on: connection) {
                    let update = try connection.statement(
                        "UPDATE \"\(table)\" SET body = ?1, version = ?2, created_at = ?3, updated_at = ?4 WHERE id = ?5")
                    update.bind(document.body, at: 1)
                    update.bind(document.version, at: 2)
                    update.bind(document.createdAt.milliseconds, at: 3)
                    update.bind(document.updatedAt.milliseconds, at: 4)
                    update.bind(document.id, at: 5)
                    try update.run()
                    bytesDelta += document.sizeBytes - current.sizeBytes
                } else {
                    let insert = try connection.statement(
                        "INSERT INTO \"\(table)\" (rid, id, body, version, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                    insert.bind(document.rowID, at: 1)
                    insert.bind(document.id, at: 2)
                    insert.bind(document.body, at: 3)
                    insert.bind(document.version, at: 4)
                    insert.bind(document.createdAt.milliseconds, at: 5)
                    insert.bind(document.updatedAt.milliseconds, at: 6)
                    try insert.run()
                    documentsDelta += 1
                    bytesDelta += document.sizeBytes
                }
            }
            try connection.counters.record(table: table, documents: documentsDelta, bytes: bytesDelta, on: connection.connection)
        }
    }

    public func keyValueNamespaces() async throws(StorageError) -> [String] {
        try sqliteKeyValues.withConnection { connection throws(StorageError) in
            let select = try connection.statement("SELECT DISTINCT namespace FROM _aerolith_key_values ORDER BY namespace")
            defer { select.reset() }
            var namespaces: [String] = []
            while try select.step() { namespaces.append(select.string(at: 0)) }
            return namespaces
        }
    }

    public func exportKeyValues(namespace: String, after: [UInt8]?, limit: Int) async throws(StorageError) -> [KeyValueEntry] {
        try sqliteKeyValues.withConnection { connection throws(StorageError) in
            // An empty BLOB sorts before every other; an empty key itself is included when `after` is nil.
            let select = try connection.statement(
                "SELECT key, value FROM _aerolith_key_values WHERE namespace = ?1 AND (?2 IS NULL OR key > ?2) ORDER BY key LIMIT ?3")
            select.bind(namespace, at: 1)
            if let after { select.bind(blob: after, at: 2) } else { select.bind(.null, at: 2) }
            select.bind(Int64(limit), at: 3)
            defer { select.reset() }
            var entries: [KeyValueEntry] = []
            while try select.step() { entries.append(KeyValueEntry(key: select.bytes(at: 0), value: select.bytes(at: 1))) }
            return entries
        }
    }

    public func importKeyValues(_ entries: [KeyValueEntry], namespace: String) async throws(StorageError) {
        guard !entries.isEmpty else { return }
        try sqliteKeyValues.withConnection { connection throws(StorageError) in
            try connection.execute("BEGIN IMMEDIATE")
            do throws(StorageError) {
                for entry in entries {
                    let upsert = try connection.statement(
                        "INSERT OR REPLACE INTO _aerolith_key_values (namespace, key, value) VALUES (?, ?, ?)")
                    upsert.bind(namespace, at: 1)
                    upsert.bind(blob: entry.key, at: 2)
                    upsert.bind(blob: entry.value, at: 3)
                    try upsert.run()
                    upsert.reset()
                }
                try connection.execute("COMMIT")
            } catch {
                connection.resetActiveStatements()
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }
}
