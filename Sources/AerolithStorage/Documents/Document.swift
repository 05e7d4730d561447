/// A stored document. `body` is the JSON text of the document's object, exactly as stored.
public struct Document: Sendable, Equatable {
    public let id: String
    /// Starts at 1 and increases by one on every write; the basis of optimistic concurrency.
    public let version: Int64
    public let createdAt: Timestamp
    public let updatedAt: Timestamp
    /// The document's JSON object, compact.
    public let body: String

    public init(id: String, version: Int64, createdAt: Timestamp, updatedAt: Timestamp, body: String) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.body = body
    }

    /// The bytes this document counts against storage quotas: id, body and a fixed per-row
    /// overhead for version, timestamps and index entries.
    static func storedSizeBytes(id: String, body: String) -> Int64 {
        Int64(id.utf8.count + body.utf8.count + rowOverheadBytes)
    }

    static let rowOverheadBytes = 40
}
