import AerolithJSON

/// Collections of JSON documents, whichever engine holds them: `SQLiteDocumentStore` (embedded,
/// the default) or `PostgresDocumentStore`. Both keep the same semantics — type guards, `null`
/// and missing-field rules, the mixed-type sort order, cursors, error codes and exact counts —
/// and one test suite runs against each.
///
/// Every operation is addressed through a `Placement`; storage never sees a tenant.
public protocol DocumentStore: AnyObject, Sendable {
    /// Small byte values in namespaces, on the same engine (plugin state, kernel records).
    var keyValues: any KeyValueStore { get }
    /// How the nodes sharing this store announce changes and share background work.
    var coordination: any ClusterCoordination { get }
    /// What each query may spend before it is stopped with `query_timeout`.
    var queryBudget: QueryBudget { get }

    // MARK: Collections

    func createCollection(_ name: CollectionName, in placement: Placement) async throws(StorageError) -> CollectionInfo
    /// Every collection of `placement`, by name, with exact counts and sizes.
    func collections(in placement: Placement) async throws(StorageError) -> [CollectionInfo]
    func collection(_ name: CollectionName, in placement: Placement) async throws(StorageError) -> CollectionInfo
    /// Drops a collection with its documents and indexes.
    func dropCollection(_ name: CollectionName, in placement: Placement) async throws(StorageError)
    /// Totals over every collection of `placement`.
    func usage(in placement: Placement) async throws(StorageError) -> StorageUsage

    // MARK: Documents

    /// Creates a document; generates a ULID when `id` is nil.
    func insert(_ body: JSONObject, id: DocumentID?, into collection: CollectionName, in placement: Placement) async throws(StorageError)
        -> Document
    /// The document, or `nil` when the collection has no document with this id.
    func findDocument(_ id: DocumentID, in collection: CollectionName, placement: Placement) async throws(StorageError) -> Document?
    /// Replaces a document's body (creating it unless `mode` or `expectedVersion` forbid).
    func replace(
        _ id: DocumentID, with body: JSONObject, expectedVersion: Int64?, mode: ReplaceMode,
        in collection: CollectionName, placement: Placement
    ) async throws(StorageError) -> (document: Document, created: Bool)
    /// Applies a JSON merge patch (RFC 7396) to a document.
    func patch(
        _ id: DocumentID, with patch: JSONValue, expectedVersion: Int64?, in collection: CollectionName, placement: Placement
    ) async throws(StorageError) -> Document
    func delete(_ id: DocumentID, expectedVersion: Int64?, in collection: CollectionName, placement: Placement) async throws(StorageError)
    /// Applies every operation in one transaction: all of them take effect or none does. A
    /// failure carries the index of the failing operation in `StorageError.operationIndex`.
    func batch(_ operations: [BatchOperation], in collection: CollectionName, placement: Placement) async throws(StorageError)
        -> [BatchResult]

    // MARK: Queries

    /// Runs one page of `query` under `queryBudget`. Never counts the whole result.
    func query(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> QueryPage
    /// The engine's plan for `query`, one line per step: shows whether an index serves it.
    func explain(_ query: Query, in collection: CollectionName, placement: Placement) async throws(StorageError) -> [String]

    // MARK: Indexes

    /// Creates a secondary index on JSON paths; a large collection is indexed in the background
    /// (`building`) without holding up other writes.
    func createIndex(_ definition: IndexDefinition, on collection: CollectionName, placement: Placement) async throws(StorageError)
        -> IndexInfo
    func indexes(on collection: CollectionName, placement: Placement) async throws(StorageError) -> [IndexInfo]
    func dropIndex(_ name: String, on collection: CollectionName, placement: Placement) async throws(StorageError)

    // MARK: Lifecycle

    /// Makes everything acknowledged so far durable and cheap to reopen. Call on an orderly
    /// shutdown; the store stays usable.
    func flush() async throws(StorageError)
}

extension DocumentStore {
    /// The document; `document_not_found` when there is none with this id.
    public func document(_ id: DocumentID, in collection: CollectionName, placement: Placement) async throws(StorageError) -> Document {
        guard let document = try await findDocument(id, in: collection, placement: placement) else {
            throw StorageError(.documentNotFound, "document \"\(id)\" does not exist")
        }
        return document
    }
}

/// Small named byte values in namespaces, on the document store's engine: the home of
/// plugin-private state and of the kernel's own records.
///
/// Guarantees: each call is atomic and durable when it returns; readers see only committed
/// values. Calls are synchronous and block on storage, because their callers are C callbacks on
/// arbitrary threads.
public protocol KeyValueStore: AnyObject, Sendable {
    func value(namespace: String, key: [UInt8]) throws(StorageError) -> [UInt8]?
    func put(namespace: String, key: [UInt8], value: [UInt8]) throws(StorageError)
    func delete(namespace: String, key: [UInt8]) throws(StorageError)
    /// Up to `limit` keys of `namespace` that start with `prefix` and sort after `after`
    /// (bytewise), ascending.
    func keys(namespace: String, prefix: [UInt8], after: [UInt8], limit: Int) throws(StorageError) -> [[UInt8]]
    /// Every (key, value) of `namespace`, for the small namespaces the kernel keeps.
    func entries(namespace: String) throws(StorageError) -> [(key: [UInt8], value: [UInt8])]
}
