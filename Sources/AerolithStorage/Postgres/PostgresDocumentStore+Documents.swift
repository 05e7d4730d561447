import AerolithJSON
import PostgresNIO

/// Single-document operations and atomic batches: each one transaction on the collection's table.
extension PostgresDocumentStore {
    /// Runs `body` with the collection's writes in one transaction and records the count change
    /// before the commit.
    private func write<T: Sendable>(
        _ collection: CollectionName, in placement: Placement,
        _ body: @escaping @Sendable (inout PostgresDocumentWrites) async throws -> T
    ) async throws(StorageError) -> T {
        let logger = self.logger
        defer { wrote(placement) }
        return try await onCollection(collection, in: placement) { entry throws(StorageError) in
            try await transaction { connection in
                var writes = PostgresDocumentWrites(table: entry.tableName, connection: connection, logger: logger)
                let result = try await body(&writes)
                try await PostgresCounters.record(writes.delta, table: entry.tableName, on: connection, logger: logger)
                return result
            }
        }
    }

    /// One statement, so one round trip and no explicit transaction: the row and its count
    /// change are written together or not at all.
    public func insert(_ body: JSONObject, id: DocumentID?, into collection: CollectionName, in placement: Placement)
        async throws(StorageError) -> Document
    {
        let text = try DocumentBody.serialize(body)
        let id = (id ?? DocumentID.generate()).rawValue
        let size = Document.storedSizeBytes(id: id, body: text)
        defer { wrote(placement) }
        return try await onCollection(collection, in: placement) { entry throws(StorageError) in
            let now = Timestamp.now()
            var insert = PostgresStatement()
            let bodyBound = insert.bind(text)
            let sizeBound = insert.bind(size)
            let nowBound = insert.bind(now.milliseconds)
            insert.sql = """
                WITH inserted AS (
                    INSERT INTO "\(entry.tableName)" (id, body, body_text, version, created_at, updated_at, size_bytes)
                    VALUES (\(insert.bind(id)), \(bodyBound)::jsonb, \(bodyBound), 1, \(nowBound), \(nowBound), \(sizeBound))
                    ON CONFLICT (id) DO NOTHING RETURNING size_bytes)
                INSERT INTO _aerolith_counter_deltas (table_name, documents, bytes)
                SELECT \(insert.bind(entry.tableName)), 1, size_bytes FROM inserted RETURNING 1
                """
            let statement = insert
            let inserted = try await withConnection { connection in try await !self.rows(statement, on: connection).isEmpty }
            guard inserted else { throw StorageError(.documentExists, "a document with id \"\(id)\" already exists") }
            return Document(id: id, version: 1, createdAt: now, updatedAt: now, body: text)
        }
    }

    public func findDocument(_ id: DocumentID, in collection: CollectionName, placement: Placement) async throws(StorageError) -> Document?
    {
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            var select = PostgresStatement()
            select.sql =
                "SELECT body_text, version, created_at, updated_at FROM \"\(entry.tableName)\" WHERE id = \(select.bind(id.rawValue))"
            let statement = select
            return try await withReadConnection(placement) { connection in
                try await self.rows(statement, on: connection).first.map { row in
                    let (body, version, createdAt, updatedAt) = try row.decode((String, Int64, Int64, Int64).self)
                    return Document(
                        id: id.rawValue, version: version, createdAt: Timestamp(milliseconds: createdAt),
                        updatedAt: Timestamp(milliseconds: updatedAt), body: body)
                }
            }
        }
    }

    public func replace(
        _ id: DocumentID, with body: JSONObject, expectedVersion: Int64?, mode: ReplaceMode,
        in collection: CollectionName, placement: Placement
    ) async throws(StorageError) -> (document: Document, created: Bool) {
        let text = try DocumentBody.serialize(body)
        let (document, created) = try await write(collection, in: placement) { writes in
            try await writes.replace(id: id.rawValue, body: text, expectedVersion: expectedVersion, mode: mode, now: .now())
        }
        return (document: document, created: created)
    }

    public func patch(
        _ id: DocumentID, with patch: JSONValue, expectedVersion: Int64?, in collection: CollectionName, placement: Placement
    ) async throws(StorageError) -> Document {
        guard case .object = patch else { throw StorageError(.bodyNotObject, "a merge patch must be a JSON object") }
        return try await write(collection, in: placement) { writes in
            try await writes.patch(id: id.rawValue, patch: patch, expectedVersion: expectedVersion, now: .now())
        }
    }

    public func delete(_ id: DocumentID, expectedVersion: Int64?, in collection: CollectionName, placement: Placement)
        async throws(StorageError)
    {
        try await write(collection, in: placement) { writes in try await writes.delete(id: id.rawValue, expectedVersion: expectedVersion) }
    }

    /// Applies every operation in one transaction; a failure carries the failing operation's index.
    public func batch(_ operations: [BatchOperation], in collection: CollectionName, placement: Placement) async throws(StorageError)
        -> [BatchResult]
    {
        let steps = try PreparedBatchOperation.prepare(operations)
        let target = "\(self.target)"
        let budget = queryBudget
        return try await write(collection, in: placement) { writes in
            let now = Timestamp.now()
            var results: [BatchResult] = []
            for (index, step) in steps.enumerated() {
                do {
                    switch step {
                    case .insert(let id, let body):
                        results.append(.written(try await writes.insert(id: id, body: body, now: now), created: true))
                    case .replace(let id, let body, let version):
                        let (document, created) = try await writes.replace(
                            id: id, body: body, expectedVersion: version, mode: .upsert, now: now)
                        results.append(.written(document, created: created))
                    case .patch(let id, let patch, let version):
                        results.append(
                            .written(try await writes.patch(id: id, patch: patch, expectedVersion: version, now: now), created: false))
                    case .delete(let id, let version):
                        try await writes.delete(id: id, expectedVersion: version)
                        results.append(.deleted(id: id))
                    }
                } catch {
                    var failure = PostgresErrors.map(error, target: target, budget: budget)
                    failure.operationIndex = index
                    throw failure
                }
            }
            return results
        }
    }
}
