import AerolithJSON
import Crypto

/// The count, size and SHA-256 of a collection's documents or of a key-value namespace, computed
/// the same way from either engine's pages, so two stores holding the same data give the same
/// digest. Documents are hashed in id order as `id|rowid|version|created|updated|bodylength|body\n`
/// (lengths make the encoding unambiguous); entries in key order as `hex(key)|valuelength|value\n`.
public struct MigrationDigest: Sendable, Equatable, CustomStringConvertible {
    public var count: Int64 = 0
    /// Bytes counted against quotas (`Document.storedSizeBytes`), or key and value bytes.
    public var sizeBytes: Int64 = 0
    /// Hex SHA-256 of the encoding above.
    public var sha256: String

    public init(count: Int64, sizeBytes: Int64, sha256: String) {
        self.count = count
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }

    public var description: String { "\(count) / \(sizeBytes) B / \(sha256.prefix(12))" }

    /// Accumulates a digest page by page.
    struct Builder {
        private var hasher = SHA256()
        private var count: Int64 = 0
        private var sizeBytes: Int64 = 0

        mutating func add(_ document: RawDocument) {
            let head =
                "\(document.id)|\(document.rowID)|\(document.version)|\(document.createdAt.milliseconds)|"
                + "\(document.updatedAt.milliseconds)|\(document.body.utf8.count)|"
            hasher.update(data: Array(head.utf8))
            hasher.update(data: Array(document.body.utf8))
            hasher.update(data: [UInt8(ascii: "\n")])
            count += 1
            sizeBytes += document.sizeBytes
        }

        mutating func add(_ entry: KeyValueEntry) {
            hasher.update(data: Array("\(Hex.string(entry.key))|\(entry.value.count)|".utf8))
            hasher.update(data: entry.value)
            hasher.update(data: [UInt8(ascii: "\n")])
            count += 1
            sizeBytes += Int64(entry.key.count + entry.value.count)
        }

        func finish() -> MigrationDigest {
            MigrationDigest(count: count, sizeBytes: sizeBytes, sha256: Hex.string(Array(hasher.finalize())))
        }
    }

    /// The digest of every document of `collection` on `store`, read in pages of `pageSize`.
    static func documents(of collection: CollectionName, in placement: Placement, on store: any MigratableStore, pageSize: Int)
        async throws(StorageError) -> MigrationDigest
    {
        var builder = Builder()
        var after: String?
        while true {
            let page = try await store.exportDocuments(of: collection, in: placement, after: after, limit: pageSize)
            for document in page { builder.add(document) }
            guard page.count == pageSize, let last = page.last else { return builder.finish() }
            after = last.id
        }
    }

    /// The digest of every entry of `namespace` on `store`, read in pages of `pageSize`.
    static func keyValues(namespace: String, on store: any MigratableStore, pageSize: Int) async throws(StorageError) -> MigrationDigest {
        var builder = Builder()
        var after: [UInt8]?
        while true {
            let page = try await store.exportKeyValues(namespace: namespace, after: after, limit: pageSize)
            for entry in page { builder.add(entry) }
            guard page.count == pageSize, let last = page.last else { return builder.finish() }
            after = last.key
        }
    }
}
