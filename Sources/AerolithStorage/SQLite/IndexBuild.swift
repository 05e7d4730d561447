/// The statements of an index build over a collection too large to index in one writer turn.
///
/// SQLite builds an index in one statement over the whole table, holding the single writer for
/// as long as that takes. Instead the collection is copied into a new table that already carries
/// every index, `StorageLimits.indexBuildSliceRowsMax` rows per writer turn, so other writes
/// commit between the turns. Triggers on the old table carry every write to a row already copied
/// over to the new one. The last turn switches the collection to the new table (the index is
/// `ready` from then on); the old table is retired and cleared in slices later. Until the switch
/// the new index exists only on the copy, so no query uses it.
///
/// Each function runs inside one write transaction, on the writer connection.
enum IndexBuild {
    /// A build in progress, as recorded in `_aerolith_index_builds`.
    struct Progress: Sendable {
        let table: String
        let shadow: String
        let indexName: String
        let copiedThrough: Int64
    }

    enum Step: Sendable {
        /// A slice was copied; more may follow.
        case copied
        /// The collection now lives in the copy; the index is ready.
        case switched
        /// The build is no longer recorded (its index or collection was dropped).
        case gone
    }

    static func indexSQLName(table: String, index: String) -> String { "\(table)_ix_\(index)" }

    static func createIndexSQL(table: String, index: String, columns: [String], unique: Bool) -> String {
        "CREATE \(unique ? "UNIQUE " : "")INDEX \"\(indexSQLName(table: table, index: index))\" ON \"\(table)\" (\(columns.joined(separator: ", ")))"
    }

    static func progress(of table: String, on connection: WriteTransaction) throws(StorageError) -> Progress? {
        let select = try connection.statement(
            "SELECT shadow_table, index_name, copied_through FROM _aerolith_index_builds WHERE table_name = ?")
        select.bind(table, at: 1)
        guard try select.step() else { return nil }
        let progress = Progress(
            table: table, shadow: select.string(at: 0), indexName: select.string(at: 1), copiedThrough: select.int64(at: 2))
        try select.run()
        return progress
    }

    /// Creates the copy with `table`'s ready indexes and the new one, the triggers, and the
    /// progress record. The index's catalog row (state `building`) is the caller's.
    static func start(table: String, index: String, columns: [String], unique: Bool, on connection: WriteTransaction) throws(StorageError)
        -> Progress
    {
        let prefix = try connection.statement("SELECT prefix FROM _aerolith_collections WHERE table_name = ?")
        prefix.bind(table, at: 1)
        guard try prefix.step() else { throw StorageError(.collectionNotFound, "the collection no longer exists") }
        let tablePrefix = prefix.string(at: 0)
        try prefix.run()
        let shadow = try Catalog.newTableName(prefix: tablePrefix, on: connection)
        try connection.execute(Catalog.documentTableSQL(shadow))
        for existing in try readyIndexes(of: table, on: connection) {
            try connection.execute(createIndexSQL(table: shadow, index: existing.name, columns: existing.columns, unique: existing.unique))
        }
        try connection.execute(createIndexSQL(table: shadow, index: index, columns: columns, unique: unique))
        let record = try connection.statement(
            "INSERT INTO _aerolith_index_builds (table_name, shadow_table, index_name, copied_through) VALUES (?, ?, ?, 0)"
        )
        record.bind(table, at: 1)
        record.bind(shadow, at: 2)
        record.bind(index, at: 3)
        try record.run()
        // Table names are generated (`<prefix>_c<n>`, the prefix checked), so they are safe in SQL.
        let copied = "(SELECT copied_through FROM _aerolith_index_builds WHERE table_name = '\(table)')"
        try connection.execute(
            """
            CREATE TRIGGER "\(table)_build_insert" AFTER INSERT ON "\(table)" WHEN NEW.rid <= \(copied) BEGIN
                INSERT INTO "\(shadow)" (rid, id, body, version, created_at, updated_at)
                VALUES (NEW.rid, NEW.id, NEW.body, NEW.version, NEW.created_at, NEW.updated_at);
            END;
            CREATE TRIGGER "\(table)_build_update" AFTER UPDATE ON "\(table)" WHEN OLD.rid <= \(copied) BEGIN
                UPDATE "\(shadow)" SET id = NEW.id, body = NEW.body, version = NEW.version, created_at = NEW.created_at,
                    updated_at = NEW.updated_at WHERE rid = OLD.rid;
            END;
            CREATE TRIGGER "\(table)_build_delete" AFTER DELETE ON "\(table)" WHEN OLD.rid <= \(copied) BEGIN
                DELETE FROM "\(shadow)" WHERE rid = OLD.rid;
            END;
            """)
        return Progress(table: table, shadow: shadow, indexName: index, copiedThrough: 0)
    }

    /// Copies the next slice, or switches the collection over when every row is copied.
    static func step(_ table: String, catalog: Catalog, on connection: WriteTransaction) throws(StorageError) -> Step {
        guard let progress = try progress(of: table, on: connection) else { return .gone }
        guard let upper = try sliceEnd(of: table, after: progress.copiedThrough, on: connection) else {
            try switchOver(progress, catalog: catalog, on: connection)
            return .switched
        }
        let copy = try connection.statement(
            """
            INSERT INTO "\(progress.shadow)" (rid, id, body, version, created_at, updated_at)
            SELECT rid, id, body, version, created_at, updated_at FROM "\(table)" WHERE rid > ? AND rid <= ?
            """)
        copy.bind(progress.copiedThrough, at: 1)
        copy.bind(upper, at: 2)
        do throws(StorageError) {
            try copy.run()
        } catch  where error.code == .uniqueViolation {
            throw StorageError(.uniqueViolation, "existing documents have duplicate values for the index's paths")
        }
        let advance = try connection.statement("UPDATE _aerolith_index_builds SET copied_through = ? WHERE table_name = ?")
        advance.bind(upper, at: 1)
        advance.bind(table, at: 2)
        try advance.run()
        return .copied
    }

    private static func switchOver(_ progress: Progress, catalog: Catalog, on connection: WriteTransaction) throws(StorageError) {
        try dropTriggers(of: progress.table, on: connection)
        let statements: [(String, [SQLiteValue])] = [
            ("DELETE FROM _aerolith_index_builds WHERE table_name = ?", [.text(progress.table)]),
            // Dirty: the totals move to the new table in memory; a crash before the next flush recounts.
            (
                "UPDATE _aerolith_collections SET table_name = ?, counters_dirty = 1 WHERE table_name = ?",
                [.text(progress.shadow), .text(progress.table)]
            ),
            ("UPDATE _aerolith_indexes SET table_name = ? WHERE table_name = ?", [.text(progress.shadow), .text(progress.table)]),
            (
                "UPDATE _aerolith_indexes SET state = 'ready' WHERE table_name = ? AND name = ?",
                [.text(progress.shadow), .text(progress.indexName)]
            ),
        ]
        for (sql, values) in statements {
            let statement = try connection.statement(sql)
            statement.bind(values)
            try statement.run()
        }
        try retire(progress.table, on: connection)
        connection.counters.recordReplaced(table: progress.table, with: progress.shadow)
        // Last, once nothing can fail: later write jobs, in this batch too, find the new table.
        catalog.didReplaceTable(progress.table, with: progress.shadow)
    }

    /// Ends `table`'s build without switching: the copy is retired, and the index's row is marked
    /// failed with `failure`, or removed when `failure` is nil (the index was dropped).
    @discardableResult
    static func abandon(_ table: String, failure: String?, on connection: WriteTransaction) throws(StorageError) -> Progress? {
        guard let progress = try progress(of: table, on: connection) else { return nil }
        try dropTriggers(of: table, on: connection)
        let delete = try connection.statement("DELETE FROM _aerolith_index_builds WHERE table_name = ?")
        delete.bind(table, at: 1)
        try delete.run()
        let index = try connection.statement(
            failure == nil
                ? "DELETE FROM _aerolith_indexes WHERE table_name = ?1 AND name = ?2"
                : "UPDATE _aerolith_indexes SET state = 'failed', failure = ?3 WHERE table_name = ?1 AND name = ?2")
        index.bind(table, at: 1)
        index.bind(progress.indexName, at: 2)
        if let failure { index.bind(String(failure.prefix(300)), at: 3) }
        try index.run()
        try retire(progress.shadow, on: connection)
        return progress
    }

    private static func dropTriggers(of table: String, on connection: WriteTransaction) throws(StorageError) {
        for kind in ["insert", "update", "delete"] {
            try connection.execute("DROP TRIGGER IF EXISTS \"\(table)_build_\(kind)\"")
        }
    }

    /// The indexes SQLite holds for `table`: every catalogued one but those building or failed.
    static func readyIndexes(of table: String, on connection: WriteTransaction) throws(StorageError) -> [(
        name: String, columns: [String], unique: Bool
    )] {
        let select = try connection.statement(
            "SELECT name, paths, is_unique FROM _aerolith_indexes WHERE table_name = ? AND state = 'ready'")
        select.bind(table, at: 1)
        var result: [(String, [String], Bool)] = []
        while try select.step() {
            let paths = try IndexInfo.paths(fromJSON: select.string(at: 1)).map { (text: String) throws(StorageError) in
                try FieldPath(text).valueSQL
            }
            result.append((select.string(at: 0), paths, select.int64(at: 2) != 0))
        }
        return result
    }

    // MARK: Retired tables

    /// Queues `table` to be cleared and dropped in slices once `retiredTableGraceMilliseconds`
    /// have passed.
    static func retire(_ table: String, on connection: WriteTransaction) throws(StorageError) {
        let insert = try connection.statement("INSERT OR IGNORE INTO _aerolith_retired_tables (table_name, retired_at) VALUES (?, ?)")
        insert.bind(table, at: 1)
        insert.bind(Timestamp.now().milliseconds, at: 2)
        try insert.run()
    }

    enum Clearing: Sendable {
        case cleared
        case waitMilliseconds(Int64)
        case idle
    }

    /// Deletes one slice of the oldest retired table whose grace has passed, or drops it once empty.
    static func clearRetiredSlice(on connection: WriteTransaction) throws(StorageError) -> Clearing {
        let oldest = try connection.statement("SELECT table_name, retired_at FROM _aerolith_retired_tables ORDER BY retired_at LIMIT 1")
        guard try oldest.step() else { return .idle }
        let table = oldest.string(at: 0)
        let due = oldest.int64(at: 1) + Int64(StorageLimits.retiredTableGraceMilliseconds)
        try oldest.run()
        let now = Timestamp.now().milliseconds
        guard now >= due else { return .waitMilliseconds(due - now) }
        let exists = try connection.statement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
        exists.bind(table, at: 1)
        let present = try exists.step()
        try exists.run()
        if present {
            if let upper = try sliceEnd(of: table, after: Int64.min, on: connection) {
                let delete = try connection.statement("DELETE FROM \"\(table)\" WHERE rid <= ?")
                delete.bind(upper, at: 1)
                try delete.run()
                return .cleared
            }
            try connection.execute("DROP TABLE \"\(table)\"")
        }
        let forget = try connection.statement("DELETE FROM _aerolith_retired_tables WHERE table_name = ?")
        forget.bind(table, at: 1)
        try forget.run()
        return .cleared
    }

    /// The last row id of the next slice of `table` after row `after`: at most
    /// `indexBuildSliceRowsMax` rows, ending with the document that crosses
    /// `indexBuildSliceBytesMax`. Nil when no row follows.
    static func sliceEnd(of table: String, after: Int64, on connection: WriteTransaction) throws(StorageError) -> Int64? {
        let bound = try connection.statement(
            """
            SELECT max(rid) FROM (
                SELECT rid, sum(size) OVER (ORDER BY rid) - size AS before
                FROM (SELECT rid, length(CAST(body AS BLOB)) AS size FROM "\(table)" WHERE rid > ? ORDER BY rid LIMIT ?)
            ) WHERE before < ?
            """)
        bound.bind(after, at: 1)
        bound.bind(Int64(StorageLimits.indexBuildSliceRowsMax), at: 2)
        bound.bind(Int64(StorageLimits.indexBuildSliceBytesMax), at: 3)
        _ = try bound.step()
        let upper: Int64? = bound.isNull(at: 0) ? nil : bound.int64(at: 0)
        try bound.run()
        return upper
    }
}
