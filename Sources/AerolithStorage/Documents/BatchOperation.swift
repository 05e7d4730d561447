import AerolithJSON

/// One operation of an atomic batch.
public enum BatchOperation: Sendable {
    case insert(id: DocumentID?, body: JSONObject)
    case replace(id: DocumentID, body: JSONObject, expectedVersion: Int64?)
    case patch(id: DocumentID, patch: JSONValue, expectedVersion: Int64?)
    case delete(id: DocumentID, expectedVersion: Int64?)
}

/// The outcome of one batch operation, in the order of the operations.
public enum BatchResult: Sendable {
    case written(Document, created: Bool)
    case deleted(id: String)
}

/// A batch operation ready for an engine's transaction: ids assigned, bodies serialised and
/// checked, so the transaction holds only the engine's work.
enum PreparedBatchOperation: Sendable {
    case insert(id: String, body: String)
    case replace(id: String, body: String, expectedVersion: Int64?)
    case patch(id: String, patch: JSONValue, expectedVersion: Int64?)
    case delete(id: String, expectedVersion: Int64?)

    /// `operations` prepared, or the first one's error carrying its index.
    static func prepare(_ operations: [BatchOperation]) throws(StorageError) -> [PreparedBatchOperation] {
        guard !operations.isEmpty else { throw StorageError(.invalidBatch, "a batch needs at least one operation") }
        guard operations.count <= StorageLimits.batchOperationsMax else {
            throw StorageError(.batchTooLarge, "a batch holds at most \(StorageLimits.batchOperationsMax) operations")
        }
        var prepared: [PreparedBatchOperation] = []
        for (index, operation) in operations.enumerated() {
            do throws(StorageError) {
                switch operation {
                case .insert(let id, let body):
                    prepared.append(.insert(id: (id ?? DocumentID.generate()).rawValue, body: try DocumentBody.serialize(body)))
                case .replace(let id, let body, let version):
                    prepared.append(.replace(id: id.rawValue, body: try DocumentBody.serialize(body), expectedVersion: version))
                case .patch(let id, let patch, let version):
                    guard case .object = patch else { throw StorageError(.bodyNotObject, "a merge patch must be a JSON object") }
                    prepared.append(.patch(id: id.rawValue, patch: patch, expectedVersion: version))
                case .delete(let id, let version):
                    prepared.append(.delete(id: id.rawValue, expectedVersion: version))
                }
            } catch {
                var failure = error
                failure.operationIndex = index
                throw failure
            }
        }
        return prepared
    }
}
