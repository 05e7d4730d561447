import AerolithJSON
import PostgresNIO

/// Secondary indexes: real PostgreSQL expression indexes over the expressions queries use
/// (`PostgresField.indexColumns`). A collection of at most `StorageLimits.indexBuildSliceRowsMax`
/// documents and `indexBuildSliceBytesMax` bytes is indexed in the creating transaction
/// (`ready`); a larger one with `CREATE INDEX CONCURRENTLY` in the background (`building`), which
/// never blocks writes, and `ready` once the index is valid.
///
/// A unique index refuses two documents with equal values, as SQLite's does: documents missing
/// a field, or holding `null` there, never conflict (the index is partial on present values).
extension PostgresDocumentStore {
    public func createIndex(_ definition: IndexDefinition, on collection: CollectionName, placement: Placement) async throws(StorageError)
        -> IndexInfo
    {
        let createdAt = Timestamp.now()
        let pathsJSON = JSONWriter.string(.array(definition.paths.map { .string($0.rawValue) }))
        let logger = self.logger
        let (table, sqlName, inBackground) = try await onCollection(collection, in: placement) { entry throws(StorageError) in
            try await transaction { connection -> (String, String, Bool) in
                let table = entry.tableName
                var check = PostgresStatement()
                let bound = check.bind(table)
                // The collection's row lock orders index changes on one collection across nodes.
                check.sql = """
                    SELECT (SELECT count(*) FROM _aerolith_indexes WHERE table_name = \(bound)),
                           (SELECT count(*) FROM _aerolith_indexes WHERE table_name = \(bound) AND lower(name) = lower(\(check.bind(definition.name)))),
                           (SELECT min(name) FROM _aerolith_indexes WHERE table_name = \(bound) AND state = 'building'),
                           c.document_count + coalesce((SELECT sum(documents) FROM _aerolith_counter_deltas WHERE table_name = \(bound)), 0)::bigint,
                           c.size_bytes + coalesce((SELECT sum(bytes) FROM _aerolith_counter_deltas WHERE table_name = \(bound)), 0)::bigint
                    FROM _aerolith_collections c WHERE c.table_name = \(bound) FOR UPDATE OF c
                    """
                guard let row = try await self.rows(check, on: connection).first else {
                    throw StorageError(.collectionNotFound, "collection \"\(collection)\" does not exist")
                }
                let (existing, sameName, building, documents, bytes) = try row.decode((Int64, Int64, String?, Int64, Int64).self)
                guard sameName == 0 else {
                    throw StorageError(.indexExists, "index \"\(definition.name)\" already exists (names ignore case)")
                }
                guard existing < StorageLimits.indexesPerCollectionMax else {
                    throw StorageError(.indexLimitReached, "a collection has at most \(StorageLimits.indexesPerCollectionMax) indexes")
                }
                if let building {
                    throw StorageError(
                        .indexBuildInProgress, "index \"\(building)\" is still being built on this collection; try again when it is ready")
                }
                let inBackground =
                    documents > Int64(StorageLimits.indexBuildSliceRowsMax) || bytes > Int64(StorageLimits.indexBuildSliceBytesMax)
                let sqlName = try await PostgresSchema.newIndexName(table: table, index: definition.name, on: connection, logger: logger)
                var insert = PostgresStatement()
                insert.sql = """
                    INSERT INTO _aerolith_indexes (table_name, name, sql_name, paths, is_unique, created_at, state)
                    VALUES (\(insert.bind(table)), \(insert.bind(definition.name)), \(insert.bind(sqlName)), \(insert.bind(pathsJSON)),
                            \(insert.bind(definition.unique ? "true" : "false", as: "boolean")), \(insert.bind(createdAt.milliseconds)),
                            \(insert.bind(inBackground ? IndexInfo.State.building.rawValue : IndexInfo.State.ready.rawValue)))
                    """
                try await self.rows(insert, on: connection)
                if !inBackground {
                    do {
                        let sql = Self.createIndexSQL(definition, table: table, sqlName: sqlName, concurrently: false)
                        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                    } catch  where PostgresErrors.sqlState(error) == PostgresErrors.SQLState.uniqueViolation {
                        throw StorageError(
                            .uniqueViolation, "existing documents have duplicate values for \(definition.paths.map(\.rawValue))")
                    }
                    // Expression indexes get statistics only from ANALYZE; without them the planner guesses.
                    try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE \"\(table)\""), logger: logger)
                }
                return (table, sqlName, inBackground)
            }
        }
        if inBackground {
            Task.detached { await self.buildConcurrently(definition, table: table, sqlName: sqlName) }
        }
        return IndexInfo(
            name: definition.name, paths: definition.paths.map(\.rawValue), unique: definition.unique, createdAt: createdAt,
            state: inBackground ? .building : .ready)
    }

    static func createIndexSQL(_ definition: IndexDefinition, table: String, sqlName: String, concurrently: Bool) -> String {
        let fields = definition.paths.map(PostgresField.init)
        let columns = fields.flatMap(\.indexColumns).joined(separator: ", ")
        var sql =
            "CREATE \(definition.unique ? "UNIQUE " : "")INDEX \(concurrently ? "CONCURRENTLY " : "")\"\(sqlName)\" ON \"\(table)\" (\(columns))"
        if definition.unique {
            // Present, non-null values only: SQLite never finds NULLs equal in a unique index.
            let present = fields.filter { $0.column == nil }.map { "\($0.rank) > 0" }
            sql += " NULLS NOT DISTINCT"
            if !present.isEmpty { sql += " WHERE " + present.joined(separator: " AND ") }
        }
        return sql
    }

    /// Builds a large collection's index without blocking its writers, then marks it ready (or
    /// failed, with the reason). An index dropped meanwhile is removed once built.
    ///
    /// The builder holds a session advisory lock named after the index for the whole build, so
    /// one node builds it; when that node dies the lock goes with its connection, and the next
    /// store to open (`resumeIndexBuilds`) takes the build over, first dropping the invalid index
    /// the interrupted build left behind.
    func buildConcurrently(_ definition: IndexDefinition, table: String, sqlName: String, resuming: Bool = false) async {
        let logger = self.logger
        var lock = PostgresStatement()
        lock.sql = "SELECT pg_try_advisory_lock(hashtext(\(lock.bind(sqlName))))"
        var unlock = PostgresStatement()
        unlock.sql = "SELECT pg_advisory_unlock(hashtext(\(unlock.bind(sqlName))))"
        var mark = PostgresStatement()
        mark.sql =
            "UPDATE _aerolith_indexes SET state = 'ready' WHERE table_name = \(mark.bind(table)) AND name = \(mark.bind(definition.name)) RETURNING 1"
        let (lockStatement, unlockStatement, markStatement) = (lock, unlock, mark)
        do throws(StorageError) {
            let built = try await withConnection { connection -> Bool in
                guard try await self.rows(lockStatement, on: connection).first?.decode(Bool.self) == true else { return false }
                // The build takes as long as the collection needs, not a query's budget.
                try await connection.query("SET statement_timeout = 0", logger: logger)
                do {
                    if resuming {
                        try await connection.query(
                            PostgresQuery(unsafeSQL: "DROP INDEX CONCURRENTLY IF EXISTS \"\(sqlName)\""), logger: logger)
                    }
                    let sql = Self.createIndexSQL(definition, table: table, sqlName: sqlName, concurrently: true)
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                    try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE \"\(table)\""), logger: logger)
                    try await connection.query("RESET statement_timeout", logger: logger)
                    if try await self.rows(markStatement, on: connection).isEmpty {
                        try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS \"\(sqlName)\""), logger: logger)
                    }
                    try await self.rows(unlockStatement, on: connection)
                } catch {
                    _ = try? await connection.query("RESET statement_timeout", logger: logger)
                    _ = try? await self.rows(unlockStatement, on: connection)
                    throw error
                }
                return true
            }
            if built { logger.info("index built", metadata: ["table": "\(table)", "index": "\(definition.name)"]) }
        } catch {
            logger.warning("index build failed", metadata: ["table": "\(table)", "index": "\(definition.name)", "error": "\(error)"])
            let failure =
                error.code == .uniqueViolation
                ? "existing documents have duplicate values for \(definition.paths.map(\.rawValue))" : error.message
            var failed = PostgresStatement()
            failed.sql =
                "UPDATE _aerolith_indexes SET state = 'failed', failure = \(failed.bind(String(failure.prefix(300)))) WHERE table_name = \(failed.bind(table)) AND name = \(failed.bind(definition.name))"
            let statement = failed
            try? await withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS \"\(sqlName)\""), logger: logger)
                try await self.rows(statement, on: connection)
            }
        }
    }

    /// Takes over the builds no node is running (their builder stopped), in the background.
    func resumeIndexBuilds() async {
        let select = PostgresStatement(
            "SELECT table_name, name, paths, is_unique, sql_name FROM _aerolith_indexes WHERE state = 'building'")
        let builds = try? await withConnection { connection in
            try await self.rows(select, on: connection).map { row in try row.decode((String, String, String, Bool, String).self) }
        }
        for (table, name, pathsJSON, unique, sqlName) in builds ?? [] where !Task.isCancelled {
            do throws(StorageError) {
                let paths = try IndexInfo.paths(fromJSON: pathsJSON).map { (text: String) throws(StorageError) in try FieldPath(text) }
                let definition = try IndexDefinition(name: name, paths: paths, unique: unique)
                await buildConcurrently(definition, table: table, sqlName: sqlName, resuming: true)
            } catch {
                logger.warning("cannot resume index build", metadata: ["table": "\(table)", "index": "\(name)", "error": "\(error)"])
            }
        }
    }

    public func indexes(on collection: CollectionName, placement: Placement) async throws(StorageError) -> [IndexInfo] {
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            var select = PostgresStatement()
            select.sql = """
                SELECT i.name, i.paths, i.is_unique, i.created_at,
                       CASE WHEN i.state = 'building' AND coalesce(x.indisvalid, false) THEN 'ready' ELSE i.state END, i.failure
                FROM _aerolith_indexes i
                LEFT JOIN pg_class c ON c.relname = i.sql_name AND c.relnamespace = current_schema()::regnamespace
                LEFT JOIN pg_index x ON x.indexrelid = c.oid
                WHERE i.table_name = \(select.bind(entry.tableName)) ORDER BY i.name COLLATE "C"
                """
            let statement = select
            return try await withConnection { connection in
                try await self.rows(statement, on: connection).map { row in
                    let (name, paths, unique, createdAt, state, failure) = try row.decode(
                        (String, String, Bool, Int64, String, String?).self)
                    return IndexInfo(
                        name: name, paths: (try? IndexInfo.paths(fromJSON: paths)) ?? [], unique: unique,
                        createdAt: Timestamp(milliseconds: createdAt), state: IndexInfo.State(rawValue: state) ?? .ready, failure: failure)
                }
            }
        }
    }

    /// Drops an index; one still building is removed by its builder when the build ends.
    public func dropIndex(_ name: String, on collection: CollectionName, placement: Placement) async throws(StorageError) {
        let logger = self.logger
        try await onCollection(collection, in: placement) { entry throws(StorageError) in
            var delete = PostgresStatement()
            delete.sql =
                "DELETE FROM _aerolith_indexes WHERE table_name = \(delete.bind(entry.tableName)) AND lower(name) = lower(\(delete.bind(name))) RETURNING sql_name, state"
            let statement = delete
            try await transaction { connection in
                guard let row = try await self.rows(statement, on: connection).first else {
                    throw StorageError(.indexNotFound, "index \"\(name.prefix(80))\" does not exist")
                }
                let (sqlName, state) = try row.decode((String, String).self)
                if state != IndexInfo.State.building.rawValue {
                    try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS \"\(sqlName)\""), logger: logger)
                }
            }
        }
    }
}
