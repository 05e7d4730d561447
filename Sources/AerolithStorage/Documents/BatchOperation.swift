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
