import AerolithJSON

/// The one error type of the storage layer. `code` is stable and machine-readable; the server
/// maps each code to an HTTP status in one place.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidJSON = "invalid_json"
        case jsonTooDeep = "json_too_deep"
        case jsonTooLarge = "json_too_large"
        case bodyNotObject = "body_not_object"
        case invalidCollectionName = "invalid_collection_name"
        case invalidDocumentID = "invalid_document_id"
        case invalidIndex = "invalid_index"
        case invalidQuery = "invalid_query"
        case invalidFilter = "invalid_filter"
        case invalidSort = "invalid_sort"
        case invalidLimit = "invalid_limit"
        case invalidCursor = "invalid_cursor"
        case invalidBatch = "invalid_batch"
        case batchTooLarge = "batch_too_large"
        case collectionNotFound = "collection_not_found"
        case collectionExists = "collection_exists"
        case documentNotFound = "document_not_found"
        case documentExists = "document_exists"
        case versionConflict = "version_conflict"
        case indexNotFound = "index_not_found"
        case indexExists = "index_exists"
        case indexLimitReached = "index_limit_reached"
        case indexBuildInProgress = "index_build_in_progress"
        case uniqueViolation = "unique_violation"
        /// The query spent its budget (time or rows examined) and was stopped.
        case queryTimeout = "query_timeout"
        case storageFailure = "storage_failure"
        /// The storage server cannot be reached, or the connection to it was lost (PostgreSQL). A
        /// retry may succeed once it is back; nothing acknowledged was lost.
        case storageUnavailable = "storage_unavailable"
    }

    public let code: Code
    public let message: String
    /// For a failed batch: the zero-based index of the operation that failed.
    public var operationIndex: Int?

    public init(_ code: Code, _ message: String, operationIndex: Int? = nil) {
        self.code = code
        self.message = message
        self.operationIndex = operationIndex
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension StorageError {
    /// A JSON text the storage layer was given or holds, refused by the parser.
    public init(_ error: JSONError) {
        switch error.code {
        case .invalid: self.init(.invalidJSON, error.message)
        case .tooDeep: self.init(.jsonTooDeep, error.message)
        case .tooLarge: self.init(.jsonTooLarge, error.message)
        }
    }
}
