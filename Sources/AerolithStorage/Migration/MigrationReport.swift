/// What a migration did and found, collection by collection and namespace by namespace.
public struct MigrationReport: Sendable {
    /// How the copy of one collection or namespace began.
    public enum Start: Sendable, Equatable {
        /// The target held none of it.
        case fresh
        /// An earlier run copied the first `copied` documents (through id `after`).
        case resume(after: String, copied: Int64)
        /// The target already held all of it: nothing was copied.
        case complete
    }

    public struct CollectionResult: Sendable {
        public let placement: Placement
        public let name: String
        public let start: Start
        public let copied: Int64
        public let source: MigrationDigest
        public let target: MigrationDigest
        /// The counts and sizes each store reports for the collection (its counters).
        public let sourceInfo: CollectionInfo
        public let targetInfo: CollectionInfo
        /// Index definitions (name, paths, unique) on each side, and whether all target ones are ready.
        public let sourceIndexes: [String]
        public let targetIndexes: [String]
        public let indexesReady: Bool
        /// Indexes whose build had failed on the source, not created on the target.
        public let skippedIndexes: [String]

        public var matches: Bool {
            source == target && sourceInfo.documentCount == source.count && sourceInfo.sizeBytes == source.sizeBytes
                && targetInfo.documentCount == target.count && targetInfo.sizeBytes == target.sizeBytes
                && sourceInfo.createdAt == targetInfo.createdAt && sourceIndexes == targetIndexes && indexesReady
        }
    }

    public struct NamespaceResult: Sendable {
        public let namespace: String
        public let start: Start
        public let copied: Int64
        public let source: MigrationDigest
        public let target: MigrationDigest

        public var matches: Bool { source == target }
    }

    public var collections: [CollectionResult] = []
    public var namespaces: [NamespaceResult] = []

    public var matches: Bool { collections.allSatisfy(\.matches) && namespaces.allSatisfy(\.matches) }
    public var documentsCopied: Int64 { collections.reduce(0) { $0 + $1.copied } }
    public var entriesCopied: Int64 { namespaces.reduce(0) { $0 + $1.copied } }

    /// What differs, one line each, for the error a failed verification ends with.
    public var differences: [String] {
        collections.filter { !$0.matches }.map { result in
            var reasons: [String] = []
            if result.source != result.target { reasons.append("source \(result.source), target \(result.target)") }
            if result.targetInfo.documentCount != result.target.count || result.targetInfo.sizeBytes != result.target.sizeBytes {
                reasons.append(
                    "the target counts \(result.targetInfo.documentCount) documents / \(result.targetInfo.sizeBytes) B, holds \(result.target.count) / \(result.target.sizeBytes) B"
                )
            }
            if result.sourceInfo.documentCount != result.source.count || result.sourceInfo.sizeBytes != result.source.sizeBytes {
                reasons.append(
                    "the source counts \(result.sourceInfo.documentCount) documents / \(result.sourceInfo.sizeBytes) B, holds \(result.source.count) / \(result.source.sizeBytes) B"
                )
            }
            if result.sourceInfo.createdAt != result.targetInfo.createdAt { reasons.append("creation times differ") }
            if result.sourceIndexes != result.targetIndexes {
                reasons.append("indexes \(result.sourceIndexes) on the source, \(result.targetIndexes) on the target")
            }
            if !result.indexesReady { reasons.append("an index on the target is not ready") }
            return "\(result.placement.tablePrefix)/\(result.name): " + reasons.joined(separator: "; ")
        }
            + namespaces.filter { !$0.matches }.map { "key-value namespace \($0.namespace): source \($0.source), target \($0.target)" }
    }
}
