/// What copying a whole deployment from one engine to another needs of each engine, beside the
/// `DocumentStore` interface: every placement the catalog knows, documents exactly as stored
/// (id, row id, version, timestamps, body text) in pages by id, writes that keep all of that, and
/// the key-value namespaces. `StorageMigration` drives it; it knows nothing of who runs it.
///
/// Both engines order ids and keys by bytes (SQLite's BINARY collation and BLOB comparison;
/// PostgreSQL's `COLLATE "C"` and bytea), so a page after an id holds the same documents on both.
public protocol MigratableStore: DocumentStore {
    /// Every placement (table prefix) holding at least one collection, by prefix. Placements name
    /// no target: they are this store's own.
    func migrationPlacements() async throws(StorageError) -> [Placement]

    /// Creates the collection with the creation time it had on the source (`collection_exists`
    /// when the target has it already).
    func createCollection(_ name: CollectionName, createdAt: Timestamp, in placement: Placement) async throws(StorageError)
        -> CollectionInfo

    /// Up to `limit` documents whose ids sort after `after` (from the first when nil), by id.
    func exportDocuments(of collection: CollectionName, in placement: Placement, after: String?, limit: Int) async throws(StorageError)
        -> [RawDocument]

    /// Writes `documents` in one transaction exactly as given (id, row id, version, timestamps,
    /// body): each is inserted, or replaces the document with its id, so writing a page twice
    /// changes nothing. The collection's counts and sizes stay exact.
    func importDocuments(_ documents: [RawDocument], into collection: CollectionName, in placement: Placement) async throws(StorageError)

    /// Every key-value namespace holding at least one entry, by name (bytes).
    func keyValueNamespaces() async throws(StorageError) -> [String]

    /// Up to `limit` entries of `namespace` whose keys sort after `after` (from the first when nil), by key.
    func exportKeyValues(namespace: String, after: [UInt8]?, limit: Int) async throws(StorageError) -> [KeyValueEntry]

    /// Writes `entries` into `namespace` in one transaction, each replacing the value of its key.
    func importKeyValues(_ entries: [KeyValueEntry], namespace: String) async throws(StorageError)
}

/// A document exactly as a store holds it, with the row id that orders unsorted query results
/// (insertion order) and positions cursors.
public struct RawDocument: Sendable, Equatable {
    public let rowID: Int64
    public let id: String
    public let version: Int64
    public let createdAt: Timestamp
    public let updatedAt: Timestamp
    /// The document's JSON text, byte for byte as stored.
    public let body: String

    public init(rowID: Int64, id: String, version: Int64, createdAt: Timestamp, updatedAt: Timestamp, body: String) {
        self.rowID = rowID
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.body = body
    }

    /// What the document counts against quotas, as every store counts it.
    public var sizeBytes: Int64 { Document.storedSizeBytes(id: id, body: body) }
}

/// One key-value entry.
public struct KeyValueEntry: Sendable, Equatable {
    public let key: [UInt8]
    public let value: [UInt8]

    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
