import AerolithJSON

/// Every limit the storage layer enforces, in one place, each with its unit in its name.
public enum StorageLimits {
    /// Largest document body (the JSON object under `data`), in bytes of UTF-8.
    public static let documentSizeBytesMax = 1_048_576
    /// Deepest nesting of objects and arrays in a document, counting the body object as 1.
    public static let documentDepthMax = 32
    /// Longest document id, in bytes.
    public static let documentIDLengthBytesMax = 128
    /// Longest collection name, in bytes.
    public static let collectionNameLengthBytesMax = 64
    /// Longest index name, in bytes.
    public static let indexNameLengthBytesMax = 64
    /// Most secondary indexes on one collection.
    public static let indexesPerCollectionMax = 16
    /// Most paths in one (compound) index.
    public static let indexPathsMax = 4
    /// Most rows one writer turn of an index build (or of clearing a retired table) touches, so
    /// the single writer is never held for long whatever the collection's size. A collection of
    /// at most this many documents gets its index in the creating request.
    public static let indexBuildSliceRowsMax = 1_000
    /// Most document bytes one such writer turn touches (a slice ends after the document that
    /// crosses it), so a slice of large documents is as short as one of small ones. A collection
    /// larger than this also gets its index in the background.
    public static let indexBuildSliceBytesMax = 8 * 1_048_576
    /// How long a table replaced by a rebuilt one is kept intact before it is cleared, in
    /// milliseconds: a read that looked the collection up just before the switch still finds it.
    public static let retiredTableGraceMilliseconds = 5_000
    /// Most operations in one atomic batch.
    public static let batchOperationsMax = 100
    /// Page size used when a query names no `limit`, in documents.
    public static let queryLimitDefault = 100
    /// Largest page a query may ask for, in documents.
    public static let queryLimitMax = 1_000
    /// Most comparisons in one filter, counted across all `$and`/`$or` branches.
    public static let filterClausesMax = 64
    /// Deepest nesting of `$and`/`$or` in a filter.
    public static let filterDepthMax = 8
    /// Most values in one `$in` or `$nin` list.
    public static let filterInValuesMax = 100
    /// Most sort keys in one query.
    public static let sortKeysMax = 4
    /// Most segments in a dotted field path.
    public static let fieldPathSegmentsMax = 16
    /// Longest segment of a dotted field path, in bytes.
    public static let fieldPathSegmentLengthBytesMax = 64
    /// Longest pagination cursor accepted, in bytes.
    public static let cursorLengthBytesMax = 4_096
    /// Most reader connections kept open per database.
    public static let readerConnectionsMax = 8
    /// Most queued writes committed together in one transaction (group commit).
    public static let groupCommitBatchJobsMax = 256
    /// Most prepared statements cached per connection.
    public static let statementCacheEntriesMax = 128
    /// Longest time a collection's document count and size live only in memory before they are
    /// written back to the catalog, in milliseconds (see `CounterLedger`).
    public static let counterFlushIntervalMilliseconds = 2_000
    /// How long a connection waits on a lock held by another connection before retrying, in
    /// milliseconds. Within one process this happens only around WAL checkpoints.
    public static let busyTimeoutMilliseconds: Int32 = 10_000
    /// Longest a query runs before it is stopped with `query_timeout`, in milliseconds, unless
    /// configured otherwise (`QueryBudget`).
    public static let queryTimeLimitMillisecondsDefault = 5_000
    /// The time limits a PostgreSQL target's `statement_timeout_ms` may set, in milliseconds.
    public static let queryTimeLimitMillisecondsRange = 1...3_600_000
    /// Most rows a query examines (rows read by full scans, rows put in automatic indexes) before it is stopped with
    /// `query_timeout`, unless configured otherwise (`QueryBudget`).
    public static let queryRowsExaminedMaxDefault = 2_000_000
    /// How often a running query's budget is checked, in SQLite virtual-machine instructions.
    static let progressCheckInstructions: Int32 = 1_000
}

extension JSONLimits {
    /// The limits for stored documents.
    public static let document = JSONLimits(depthMax: StorageLimits.documentDepthMax, sizeBytesMax: StorageLimits.documentSizeBytesMax)
}
