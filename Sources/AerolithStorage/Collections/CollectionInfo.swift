/// What storage reports about a collection.
public struct CollectionInfo: Sendable, Equatable {
    public let name: String
    public let createdAt: Timestamp
    public let documentCount: Int64
    /// Bytes the collection's documents count against quotas (`Document.storedSizeBytes`).
    public let sizeBytes: Int64
}

/// Storage totals of one placement (one tenant).
public struct StorageUsage: Sendable, Equatable {
    public let collectionCount: Int
    public let documentCount: Int64
    public let sizeBytes: Int64
}
