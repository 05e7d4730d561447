import AerolithJSON

/// Single-document operations. Every write runs through the group-commit writer, and finds its
/// collection's table inside its turn (an index build may switch it between turns).
extension SQLiteDocumentStore {
    /// Creates a document; generates a ULID when `id` is nil.
    public func insert(_ body: JSONObject, id: DocumentID?, into collection: CollectionName, in placement: Placement)
        async throws(StorageError) -> Document
    {
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        let text = try DocumentBody.serialize(body)
        let id = (id ?? DocumentID.generate()).rawValue
        return try await writer.write { connection throws(StorageError) in
            let table = try catalog.entry(collection, in: placement).tableName
            return try DocumentWrites.insert(id: id, body: text, now: .now(), table: table, on: connection)
        }
    }

    public func document(_ id: DocumentID, in collection: CollectionName, placement: Placement) throws(StorageError) -> Document {
        guard let document = try findDocument(id, in: collection, placement: placement) else {
            throw StorageError(.documentNotFound, "document \"\(id)\" does not exist")
        }
        return document
    }

    /// The document, or `nil` when the collection has no document with this id.
    public func findDocument(_ id: DocumentID, in collection: CollectionName, placement: Placement) throws(StorageError) -> Document? {
        let sql = try catalog.entry(collection, in: placement).selectByIDSQL
        return try readers.read { connection throws(StorageError) in
            let statement = try connection.statement(sql)
            statement.bind(id.rawValue, at: 1)
            guard try statement.step() else { return nil }
            let document = Document(
                id: id.rawValue, version: statement.int64(at: 1),
                createdAt: Timestamp(milliseconds: statement.int64(at: 2)),
                updatedAt: Timestamp(milliseconds: statement.int64(at: 3)), body: statement.string(at: 0))
            statement.reset()
            return document
        }
    }

    /// Replaces a document's body (creating it unless `mode` or `expectedVersion` forbid).
    public func replace(
        _ id: DocumentID, with body: JSONObject, expectedVersion: Int64?, mode: ReplaceMode,
        in collection: CollectionName, placement: Placement
    ) async throws(StorageError) -> (document: Document, created: Bool) {
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        let text = try DocumentBody.serialize(body)
        return try await writer.write { connection throws(StorageError) in
            let table = try catalog.entry(collection, in: placement).tableName
            let (document, created) = try DocumentWrites.replace(
                id: id.rawValue, body: text, expectedVersion: expectedVersion,
                mode: mode, now: .now(), table: table, on: connection)
            return (document: document, created: created)
        }
    }

    /// Applies a JSON merge patch (RFC 7396) to a document.
    public func patch(
        _ id: DocumentID, with patch: JSONValue, expectedVersion: Int64?, in collection: CollectionName,
        placement: Placement
    ) async throws(StorageError) -> Document {
        guard case .object = patch else { throw StorageError(.bodyNotObject, "a merge patch must be a JSON object") }
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        return try await writer.write { connection throws(StorageError) in
            let table = try catalog.entry(collection, in: placement).tableName
            return try DocumentWrites.patch(
                id: id.rawValue, patch: patch, expectedVersion: expectedVersion, now: .now(), table: table, on: connection)
        }
    }

    public func delete(_ id: DocumentID, expectedVersion: Int64?, in collection: CollectionName, placement: Placement)
        async throws(StorageError)
    {
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        try await writer.write { connection throws(StorageError) in
            let table = try catalog.entry(collection, in: placement).tableName
            try DocumentWrites.delete(id: id.rawValue, expectedVersion: expectedVersion, table: table, on: connection)
        }
    }
}
