import AerolithJSON

extension SQLiteDocumentStore {
    /// Applies every operation in one transaction: all of them take effect or none does. A
    /// failure carries the index of the failing operation in `StorageError.operationIndex`.
    public func batch(_ operations: [BatchOperation], in collection: CollectionName, placement: Placement) async throws(StorageError)
        -> [BatchResult]
    {
        // Serialise bodies before taking the writer, so the transaction holds only SQL work.
        let steps = try PreparedBatchOperation.prepare(operations)
        _ = try catalog.entry(collection, in: placement)
        let catalog = self.catalog
        return try await writer.write { connection throws(StorageError) in
            let now = Timestamp.now()
            // Looked up inside the turn: an index build may have moved the collection to a new table.
            let table = try catalog.entry(collection, in: placement).tableName
            var results: [BatchResult] = []
            for (index, step) in steps.enumerated() {
                do throws(StorageError) {
                    switch step {
                    case .insert(let id, let body):
                        results.append(
                            .written(try DocumentWrites.insert(id: id, body: body, now: now, table: table, on: connection), created: true))
                    case .replace(let id, let body, let version):
                        let (document, created) = try DocumentWrites.replace(
                            id: id, body: body, expectedVersion: version, mode: .upsert,
                            now: now, table: table, on: connection)
                        results.append(.written(document, created: created))
                    case .patch(let id, let patch, let version):
                        results.append(
                            .written(
                                try DocumentWrites.patch(
                                    id: id, patch: patch, expectedVersion: version, now: now,
                                    table: table, on: connection), created: false))
                    case .delete(let id, let version):
                        try DocumentWrites.delete(id: id, expectedVersion: version, table: table, on: connection)
                        results.append(.deleted(id: id))
                    }
                } catch {
                    var failure = error
                    failure.operationIndex = index
                    throw failure
                }
            }
            return results
        }
    }
}
